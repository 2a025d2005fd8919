"""The heater fail-safe: heaters off while the tank's temperature probe cannot be read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import datetime as dt

from . import validation as v

HEATER_ROLE = "heater"


@dataclass(frozen=True, slots=True)
class HeaterFailsafe:
    """Heater outlets off once the temperature probe has been unavailable for ``minutes``.

    A heater stuck on with no thermometer watching can cook a tank; a heater left off only lets the water cool
    slowly. The minutes count from the probe's last good value, or from when watching began (the integration's
    start) if that is later, so a probe not yet read after a restart gets the full grace. As soon as the probe
    is available again the command lifts, and the HA layer restores the heaters as they were before.
    """

    minutes: int = 5

    def __post_init__(self) -> None:
        """Reject a delay outside 1 minute .. 1 day."""
        v.check_minutes("minutes", self.minutes)

    def tripped(
        self, now: dt.datetime, *, available: bool, last_good: dt.datetime | None, watching_since: dt.datetime
    ) -> bool:
        """Whether the heaters must be off at ``now`` (all times aware)."""
        if available:
            return False
        silent_from = watching_since if last_good is None else max(last_good, watching_since)
        return now - silent_from >= dt.timedelta(minutes=self.minutes)

    def outlets(
        self, now: dt.datetime, *, available: bool, last_good: dt.datetime | None, watching_since: dt.datetime
    ) -> Mapping[str, bool]:
        """The outlet commands at ``now``, ready for ``SafetyOutcome.with_outlets``."""
        tripped = self.tripped(now, available=available, last_good=last_good, watching_since=watching_since)
        return {HEATER_ROLE: False} if tripped else {}
