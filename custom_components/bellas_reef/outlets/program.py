"""Outlet programs: daily on/off windows and on/off cycles in seconds (wave makers, pump pulsing).

Pure: given local wall-clock time, a program says whether its outlet should be on. Anything richer stays with
HA automations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import datetime as dt
from typing import Any, Self

_MAX_CYCLE_SECONDS = 24 * 3600


class ProgramError(ValueError):
    """An outlet program that cannot be followed, with a translation key and placeholders for HA."""

    def __init__(self, translation_key: str, message: str, **placeholders: object) -> None:
        """Keep the key and placeholders; the message is the English text."""
        self.translation_key = translation_key
        self.placeholders = {key: str(value) for key, value in placeholders.items()}
        super().__init__(message)


def _seconds(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _parse_time(text: object) -> dt.time:
    try:
        return dt.time.fromisoformat(str(text))
    except ValueError:
        raise ProgramError("outlet_invalid_time", f"{text!r} is not a time of day", value=text) from None


@dataclass(frozen=True, slots=True)
class Window:
    """On from `on` to `off` each day; `off` before `on` runs past midnight."""

    on: dt.time
    off: dt.time

    def __post_init__(self) -> None:
        """An empty window is a mistake, not a program."""
        if self.on == self.off:
            raise ProgramError(
                "outlet_empty_window", f"the window starts and ends at {self.on}", value=self.on
            )

    def contains(self, seconds: int) -> bool:
        """Whether a second of the day falls inside the window."""
        start, end = _seconds(self.on), _seconds(self.off)
        if start < end:
            return start <= seconds < end
        return seconds >= start or seconds < end


@dataclass(frozen=True, slots=True)
class OutletProgram:
    """Windows (on inside any of them, off outside) and/or a cycle (on for N s, off for M s, repeating).

    With both, the outlet cycles inside the windows and is off outside them. The cycle counts from local
    midnight, so it is the same after a restart.
    """

    windows: tuple[Window, ...] = ()
    cycle_on_seconds: int = 0
    cycle_off_seconds: int = 0

    def __post_init__(self) -> None:
        """A cycle needs both halves; a program needs a window or a cycle."""
        cycle = (self.cycle_on_seconds, self.cycle_off_seconds)
        if any(not 0 <= part <= _MAX_CYCLE_SECONDS for part in cycle) or (0 in cycle and cycle != (0, 0)):
            raise ProgramError(
                "outlet_invalid_cycle",
                "a cycle needs on and off seconds, each from 1 to 86400",
                on=self.cycle_on_seconds,
                off=self.cycle_off_seconds,
            )
        if not self.windows and cycle == (0, 0):
            raise ProgramError("outlet_empty_program", "give at least one window or a cycle")

    def wants_on(self, local: dt.datetime) -> bool:
        """Whether the outlet should be on at a local wall-clock time."""
        seconds = _seconds(local.time())
        if self.windows and not any(window.contains(seconds) for window in self.windows):
            return False
        if not self.cycle_on_seconds:
            return True
        period = self.cycle_on_seconds + self.cycle_off_seconds
        return seconds % period < self.cycle_on_seconds

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "windows": [{"on": w.on.isoformat(), "off": w.off.isoformat()} for w in self.windows],
            "cycle_on_seconds": self.cycle_on_seconds,
            "cycle_off_seconds": self.cycle_off_seconds,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form (also what the set_outlet_program service takes)."""
        windows = tuple(
            Window(_parse_time(item.get("on")), _parse_time(item.get("off")))
            for item in data.get("windows") or ()
        )
        try:
            on, off = int(data.get("cycle_on_seconds", 0)), int(data.get("cycle_off_seconds", 0))
        except TypeError, ValueError:
            raise ProgramError(
                "outlet_invalid_cycle", "cycle seconds must be whole numbers", on="?", off="?"
            ) from None
        return cls(windows, on, off)
