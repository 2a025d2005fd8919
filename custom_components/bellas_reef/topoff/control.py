"""Auto top-off: the pump runs while the level sensor says low, within the limits that keep a tank from flooding.

Times are POSIX seconds passed in, never read from a clock; the day is whatever key the caller passes (the local
date), so counters reset at the keeper's midnight. A level or reservoir sensor that cannot be read stops the pump:
fresh water is never added blind.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import math
from typing import Any

from ..limits import SettingError


class Status(StrEnum):
    """What the top-off is doing, in the order the reasons are checked."""

    DISABLED = "disabled"
    LOCKED_OUT = "locked_out"
    PAUSED = "paused"
    SENSOR_UNAVAILABLE = "sensor_unavailable"
    RESERVOIR_EMPTY = "reservoir_empty"
    DAILY_LIMIT = "daily_limit"
    FILLING = "filling"
    WAITING = "waiting"
    FULL = "full"


class Alarm(StrEnum):
    """What the keeper is told about: each raised once and cleared once."""

    LOCKOUT = "ato_lockout"
    RESERVOIR_EMPTY = "ato_reservoir_empty"
    DAILY_LIMIT = "ato_daily_limit"


class TopOffError(SettingError):
    """A setting the top-off cannot use."""

    prefix = "ato"


_check = TopOffError.checked


@dataclass(frozen=True, slots=True)
class Settings:
    """Seconds low before a fill, the longest fill, and the day's most fills and pump seconds."""

    debounce: float = 10.0
    max_fill: float = 120.0
    max_fills_per_day: int = 24
    max_run_per_day: float = 900.0

    def __post_init__(self) -> None:
        """Reject values outside what a top-off pump sensibly does."""
        _check("debounce", self.debounce, 0.0, 600.0)
        _check("max_fill", self.max_fill, 5.0, 3600.0)
        _check("max_fills_per_day", self.max_fills_per_day, 1, 1000)
        _check("max_run_per_day", self.max_run_per_day, 5.0, 86_400.0)
        if self.max_run_per_day < self.max_fill:
            raise TopOffError("ato_day_shorter_than_fill", fill=self.max_fill, day=self.max_run_per_day)


class TopOff:
    """One top-off: a fill starts once the level has been low for the debounce time and stops when it is full.

    A fill still running at its maximum time locks the top-off out until the keeper resets it: the float may be
    stuck, or the water is going somewhere it should not. The day's fills and pump time are capped too; the cap
    lifts at the next day. Paused (feed mode, safety mode, a leak) and empty-reservoir stops end a fill early.
    """

    def __init__(self, settings: Settings) -> None:
        """Enabled, not filling, nothing counted yet."""
        self.settings = settings
        self.enabled = True
        self.locked_out = False
        self.filling = False
        self.status = Status.FULL
        self.fills_today = 0
        self.run_today = 0.0
        self.day: str | None = None
        self.raised: set[Alarm] = set()
        self._fill_started = 0.0
        self._low_since: float | None = None
        self._last: float | None = None

    def update(
        self, now: float, day: str, *, low: bool | None, reservoir_empty: bool | None, paused: bool
    ) -> list[tuple[Alarm, bool]]:
        """Judge the sensors at `now`; the alarms raised (True) or cleared (False) by it.

        `low` is None while the level sensor cannot be read; `reservoir_empty` is None while a configured
        reservoir sensor cannot be read (False when there is none).
        """
        if self.filling and self._last is not None:
            self.run_today += max(0.0, now - self._last)
        self._last = now
        if day != self.day:
            self.day, self.fills_today, self.run_today = day, 0, 0.0
        self.status = self._judge(now, low, reservoir_empty, paused)
        if self.status != Status.WAITING:
            self._low_since = None
        wanted = {
            Alarm.LOCKOUT: self.locked_out,
            Alarm.RESERVOIR_EMPTY: reservoir_empty is True,
            Alarm.DAILY_LIMIT: self.status == Status.DAILY_LIMIT,
        }
        changes: list[tuple[Alarm, bool]] = []
        for alarm, on in wanted.items():
            if on != (alarm in self.raised):
                (self.raised.add if on else self.raised.discard)(alarm)
                changes.append((alarm, on))
        return changes

    def _judge(self, now: float, low: bool | None, reservoir_empty: bool | None, paused: bool) -> Status:
        if self.filling and low is not None and not low:
            self.filling = False
        if self.filling and now - self._fill_started >= self.settings.max_fill:
            self.filling, self.locked_out = False, True
        stop = self._stop_reason(low, reservoir_empty, paused)
        if stop is not None:
            self.filling = False
            return stop
        if self.filling:
            return Status.FILLING
        if not low:
            return Status.FULL
        if self._low_since is None:
            self._low_since = now
        if now - self._low_since < self.settings.debounce:
            return Status.WAITING
        self.filling, self._fill_started, self._low_since = True, now, None
        self.fills_today += 1
        return Status.FILLING

    def _stop_reason(self, low: bool | None, reservoir_empty: bool | None, paused: bool) -> Status | None:
        if not self.enabled:
            return Status.DISABLED
        if self.locked_out:
            return Status.LOCKED_OUT
        if paused:
            return Status.PAUSED
        if low is None or reservoir_empty is None:
            return Status.SENSOR_UNAVAILABLE
        if reservoir_empty:
            return Status.RESERVOIR_EMPTY
        out_of_fills = not self.filling and self.fills_today >= self.settings.max_fills_per_day
        if self.run_today >= self.settings.max_run_per_day or (low and out_of_fills):
            return Status.DAILY_LIMIT
        return None

    def reset(self) -> None:
        """The keeper has looked: lift a lockout."""
        self.locked_out = False

    def to_dict(self) -> dict[str, Any]:
        """What a restart must keep: a lockout above all, and the day's counts."""
        return {
            "enabled": self.enabled,
            "locked_out": self.locked_out,
            "day": self.day,
            "fills_today": self.fills_today,
            "run_today": self.run_today,
        }

    def restore(self, saved: dict[str, Any]) -> None:
        """Take back what `to_dict` kept; a fill is never resumed across a restart."""
        self.enabled = bool(saved.get("enabled", True))
        self.locked_out = bool(saved.get("locked_out", False))
        # A lockout kept over a restart was announced before it.
        self.raised = {Alarm.LOCKOUT} if self.locked_out else set()
        day = saved.get("day")
        self.day = day if isinstance(day, str) else None
        fills, run = saved.get("fills_today", 0), saved.get("run_today", 0.0)
        self.fills_today = (
            fills if isinstance(fills, int) and not isinstance(fills, bool) and fills >= 0 else 0
        )
        valid_run = (
            isinstance(run, int | float) and not isinstance(run, bool) and math.isfinite(run) and run >= 0
        )
        self.run_today = float(run) if valid_run else 0.0
