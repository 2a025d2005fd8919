"""GPIO inputs at run time: each switch's edges pushed from gpiozero's thread, and a poll as the backstop.

An edge reaches Home Assistant at once; the pin is also read every few seconds, so an edge lost in the pin
library (or one that came while the pin was being opened) is corrected within one poll. A pin that fails in any
way (an exception, or a call that hangs) takes only its own entity down, is logged once, and is opened again
after a backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import DEVICE_TIMEOUT, DOMAIN
from ..hardware.errors import HardwareError
from ..hardware.failures import FailureTracker
from ..hardware.gpio_input import GpioInput
from ..health import DeviceHealth, DeviceTimeoutError, backoff, within

_LOGGER = logging.getLogger(__name__)

# The backstop read of every pin; edges arrive at once.
INPUT_POLL: Final = timedelta(seconds=5)
# An input's subentry data: pull-up on, which contact state is "on", the debounce, what the switch is for.
CONF_PULL_UP: Final = "pull_up"
CONF_ON_WHEN: Final = "on_when"
CONF_BOUNCE_MS: Final = "bounce_ms"


class InputDriver(StrEnum):
    """Where an input's pin is."""

    GPIO = "gpio"
    SIMULATED = "simulated"


class InputKind(StrEnum):
    """What the switch tells the keeper; it sets the entity's device class and icon."""

    LEAK = "leak"
    WATER_LEVEL = "water_level"
    LID = "lid"
    OTHER = "other"


class Contact(StrEnum):
    """A switch's contact, as the keeper says when the input is on."""

    CLOSED = "closed"
    OPEN = "open"


@dataclass(slots=True, eq=False)
class Input:
    """One switch on a pin: its settings, the contact last seen, and whether the pin answers."""

    subentry_id: str
    name: str
    kind: InputKind
    on_when: Contact
    source: GpioInput
    model: str
    # One failed read is enough: a safety rule must never act on a stale "dry".
    health: DeviceHealth = field(init=False)
    closed: bool | None = None
    # Set while the pin is open: edges of an earlier opening (a pin closed since) carry another token.
    token: object | None = None
    retry_at: datetime | None = None
    running: asyncio.Future[Any] | None = None

    def __post_init__(self) -> None:
        """Name the health after the input."""
        self.health = DeviceHealth(self.name, FailureTracker(1))

    @property
    def is_on(self) -> bool | None:
        """On when the contact is as the keeper chose; None until the pin has been read."""
        return None if self.closed is None else self.closed == (self.on_when == Contact.CLOSED)


class InputCoordinator(DataUpdateCoordinator[None]):
    """Opens, reads and closes a controller's inputs in the executor, each call bounded like any device call."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, inputs: list[Input]) -> None:
        """Bind the inputs; nothing is opened before the first refresh."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} inputs", update_interval=INPUT_POLL
        )
        self.inputs = {item.subentry_id: item for item in inputs}
        self._closing = False

    async def _async_update_data(self) -> None:
        now = dt_util.utcnow()
        await asyncio.gather(*(self._async_read(item, now) for item in self.inputs.values()))

    async def _async_read(self, item: Input, now: datetime) -> None:
        """Open the pin if it is not, read it; a failure closes it, to be opened again after a backoff."""
        if self._closing or (item.retry_at is not None and now < item.retry_at):
            return
        try:
            if item.token is None:
                item.token = token = object()
                closed = await self._async_call(item, item.source.open, self._edge_handler(item, token))
            else:
                closed = await self._async_call(item, item.source.closed)
        except Exception as err:  # noqa: BLE001 - whatever the pin library does, only this input is down
            item.health.failed(err)
            item.retry_at = now + backoff(item.health.consecutive_failures)
            await self._async_release(item)
        else:
            item.health.succeeded()
            item.retry_at = None
            item.closed = closed
        item.health.update_issue(self.hass, self.config_entry, item.subentry_id)

    def _edge_handler(self, item: Input, token: object) -> Callable[[bool], None]:
        """What gpiozero calls on its own thread at each edge: the change is handed to the event loop."""
        loop = self.hass.loop

        def on_change(closed: bool) -> None:
            loop.call_soon_threadsafe(self._async_edge, item, token, closed)

        return on_change

    @callback
    def _async_edge(self, item: Input, token: object, closed: bool) -> None:
        if self._closing or token is not item.token:
            return
        item.closed = closed
        self.async_update_listeners()

    async def _async_call[T](self, item: Input, call: Callable[..., T], *args: Any) -> T:
        """Run one pin call in the executor; a call that hangs holds its thread, and the pin, until it returns."""
        if item.running is not None and not item.running.done():
            raise HardwareError(f"{item.source!r} is still busy with an earlier call")
        running = item.running = self.hass.async_add_executor_job(call, *args)
        result: T = await within(DEVICE_TIMEOUT, asyncio.shield(running), item.name)
        return result

    async def _async_release(self, item: Input) -> None:
        """Let go of the pin; its edges are ignored from now on."""
        item.token = None
        if item.running is not None and not item.running.done():
            # A call that hangs holds the pin: it is let go as soon as that call returns.
            item.running.add_done_callback(lambda _: self._async_close_later(item))
            return
        try:
            await self._async_call(item, _close, item)
        except DeviceTimeoutError as err:
            _LOGGER.debug("%s", err)

    @callback
    def _async_close_later(self, item: Input) -> None:
        """Close the pin after a call that hung has returned; opening it again waits for this."""
        item.running = self.hass.async_add_executor_job(_close, item)

    async def async_close(self) -> None:
        """Free every pin as the controller unloads (a removed input's pin is free for the next setup)."""
        self._closing = True
        await asyncio.gather(*(self._async_release(item) for item in self.inputs.values()))


def _close(item: Input) -> None:
    """Close the pin; blocking. Releasing a failing pin is best effort: opening it again is what recovers it."""
    try:
        item.source.close()
    except HardwareError as err:
        _LOGGER.debug("Closing %s: %s", item.name, err)
