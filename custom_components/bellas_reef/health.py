"""Whether each device answers, and the repair issues that tell the keeper when one is gone or failing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DEVICE_MISSING_AFTER, DOMAIN, FAILURES_BEFORE_UNAVAILABLE
from .hardware.failures import FailureTracker, Transition

_LOGGER = logging.getLogger(__name__)

# The first pause after a failed command; each further failure doubles it, up to `MAX_BACKOFF`.
FIRST_BACKOFF: Final = timedelta(seconds=1)
MAX_BACKOFF: Final = timedelta(minutes=5)


def backoff(failures: int, first: timedelta = FIRST_BACKOFF, longest: timedelta = MAX_BACKOFF) -> timedelta:
    """How long to wait before trying a device again after `failures` failures in a row."""
    return min(first * (1 << min(max(failures - 1, 0), 16)), longest)


class DeviceTimeoutError(Exception):
    """A device call took longer than the controller waits for any single device."""


async def within[T](seconds: float, call: Awaitable[T], what: str) -> T:
    """Await a device call for at most `seconds`; a hung device becomes a DeviceTimeoutError, not a stall."""
    try:
        async with asyncio.timeout(seconds):
            return await call
    except TimeoutError as err:
        raise DeviceTimeoutError(f"{what} did not answer within {seconds:g} s") from err


@dataclass(slots=True)
class DeviceHealth:
    """Whether one device answers, so its entities go unavailable once and come back once, each logged once.

    Any exception counts: a driver library's own error classes, a timeout, or a bug in a parser fed garbage.
    """

    name: str
    tracker: FailureTracker = field(default_factory=lambda: FailureTracker(FAILURES_BEFORE_UNAVAILABLE))
    errors: int = 0
    unavailable_since: datetime | None = None
    issue_raised: bool = False

    @property
    def available(self) -> bool:
        """False after several failures in a row, until the device answers again."""
        return self.tracker.available

    @property
    def consecutive_failures(self) -> int:
        """Failures since the last success."""
        return self.tracker.consecutive_failures

    def failed(self, err: BaseException) -> None:
        """Count a failed read or write."""
        self.errors += 1
        if self.tracker.failure(err) is Transition.UNAVAILABLE:
            self.unavailable_since = dt_util.utcnow()
            _LOGGER.warning("%s is unavailable: %s", self.name, _describe(err))

    def succeeded(self) -> None:
        """Note a read or write that worked."""
        if self.tracker.success() is Transition.RECOVERED:
            self.unavailable_since = None
            _LOGGER.info("%s is available again", self.name)

    def update_issue(self, hass: HomeAssistant, entry: ConfigEntry, key: str) -> None:
        """Raise a repair issue once the device has been gone a while; remove it when the device is back."""
        issue_id = f"device_missing_{entry.entry_id}_{key}"
        if self.available and self.issue_raised:
            self.issue_raised = False
            ir.async_delete_issue(hass, DOMAIN, issue_id)
        elif (
            not self.issue_raised
            and self.unavailable_since is not None
            and dt_util.utcnow() - self.unavailable_since >= DEVICE_MISSING_AFTER
        ):
            self.issue_raised = True
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key="device_missing",
                translation_placeholders={"device": self.name, "controller": entry.title},
            )


def _describe(err: BaseException) -> str:
    """An error as one line, its class named when the library gave no message."""
    return str(err) or type(err).__name__


def update_broken_issues(hass: HomeAssistant, entry: ConfigEntry, broken: dict[str, tuple[str, str]]) -> None:
    """A repair issue per subentry that could not be set up; issues of subentries fixed or removed go."""
    prefix = f"subentry_broken_{entry.entry_id}_"
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.startswith(prefix) and issue_id.removeprefix(prefix) not in broken:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    for subentry_id, (title, error) in broken.items():
        ir.async_create_issue(
            hass,
            DOMAIN,
            f"{prefix}{subentry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="subentry_broken",
            translation_placeholders={"name": title, "controller": entry.title, "error": error[:200]},
        )
