"""Outlet programs: daily on/off windows and on/off cycles in seconds (wave makers, pump pulsing).

Pure: given local wall-clock time, a program says whether its outlet should be on. Anything richer stays with
HA automations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import datetime as dt
import re
from typing import Any, Self

_MAX_CYCLE_SECONDS = 24 * 3600
# Wall-clock times to the second, 00:00 to 23:59:59: no fractions (the program counts whole seconds), no UTC
# offset (the program follows local time), no 24:00.
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?")
# A bad value is shown back only this long.
_SHOWN = 40


class ProgramError(ValueError):
    """An outlet program that cannot be followed, with a translation key and placeholders for HA."""

    def __init__(self, translation_key: str, message: str, **placeholders: object) -> None:
        """Keep the key and placeholders; the message is the English text."""
        self.translation_key = translation_key
        self.placeholders = {key: _shown(value) for key, value in placeholders.items()}
        super().__init__(message.format(**self.placeholders))


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}…"


def _seconds(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _parse_time(text: object) -> dt.time:
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise ProgramError("outlet_invalid_time", "{value} is not a time of day like 07:30", value=text)
    return dt.time.fromisoformat(text)


def _whole(value: object) -> int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Window:
    """On from `on` to `off` each day; `off` before `on` runs past midnight."""

    on: dt.time
    off: dt.time

    def __post_init__(self) -> None:
        """Whole seconds without a UTC offset, as the program counts them; an empty window is a mistake."""
        for end in (self.on, self.off):
            if end.tzinfo is not None or end.microsecond:
                raise ProgramError(
                    "outlet_invalid_time", "{value} is not a time of day like 07:30", value=end
                )
        if self.on == self.off:
            raise ProgramError(
                "outlet_empty_window", "the window starts and ends at the same time ({value})", value=self.on
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
        if (
            any(isinstance(part, bool) or not isinstance(part, int) for part in cycle)
            or any(not 0 <= part <= _MAX_CYCLE_SECONDS for part in cycle)
            or (0 in cycle and cycle != (0, 0))
        ):
            raise ProgramError(
                "outlet_invalid_cycle",
                "a cycle needs on and off seconds, each from 1 to 86400 (got {on} and {off})",
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
        items = data.get("windows") or ()
        if not isinstance(items, list | tuple) or not all(isinstance(item, Mapping) for item in items):
            raise ProgramError("outlet_invalid_windows", "windows must be a list of on and off times")
        windows = tuple(Window(_parse_time(item.get("on")), _parse_time(item.get("off"))) for item in items)
        given = data.get("cycle_on_seconds", 0), data.get("cycle_off_seconds", 0)
        on, off = (_whole(part) for part in given)
        if on is None or off is None:
            raise ProgramError(
                "outlet_invalid_cycle",
                "a cycle needs on and off seconds, each from 1 to 86400 (got {on} and {off})",
                on=given[0],
                off=given[1],
            )
        return cls(windows, on, off)
