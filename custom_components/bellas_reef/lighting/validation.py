"""Checks shared by every program, layer and event, raising one error type the HA layer can translate.

Plans arrive from service calls and from stored JSON, so every field is checked both when a value is built in
code and when it is read from a dict; the error carries a translation key and placeholders so Home Assistant
can show the reef keeper a translated message.
"""

from __future__ import annotations

from collections.abc import Mapping
import datetime as dt
from functools import lru_cache
import math
import re
from typing import Any

from .astronomy import zone

# English texts for each translation key; the integration's strings.json carries the same texts.
PLAN_ERROR_MESSAGES: Mapping[str, str] = {
    "missing_field": "{name} is required",
    "invalid_object": "{name} must be an object",
    "invalid_list": "{name} must be a list",
    "invalid_number": "{name} must be a number, got {value}",
    "invalid_integer": "{name} must be a whole number, got {value}",
    "invalid_text": "{name} must be non-empty text, got {value}",
    "out_of_range": "{name} must be between {minimum} and {maximum}, got {value}",
    "invalid_choice": "{name} must be one of {choices}, got {value}",
    "invalid_time": "{name} must be a time of day like 07:30, got {value}",
    "invalid_date": "{name} must be a date like 2026-03-01, got {value}",
    "invalid_datetime": "{name} must be a date and time with a UTC offset, got {value}",
    "invalid_time_zone": "{value} is not a known time zone",
    "duplicate_time": "{name} has two points at {value}",
    "too_few_points": "{name} needs at least {minimum} points",
    "empty_window": "{name} starts and ends at the same time ({value})",
    "duplicate_kind": "{name} has more than one {value}",
}


# 00:00 to 23:59:59, to the second, without a UTC offset: plans follow the local wall clock.
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?")
# A bad value is shown back only this long, so a huge one is not echoed whole.
_SHOWN = 40


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}…"


class PlanError(ValueError):
    """A program, layer, event or plan parameter that cannot be used, with what to tell the reef keeper."""

    def __init__(self, translation_key: str, **placeholders: object) -> None:
        """Keep the key and placeholders for translation; the message is the English text."""
        self.translation_key = translation_key
        self.placeholders: dict[str, str] = {key: _shown(value) for key, value in placeholders.items()}
        super().__init__(PLAN_ERROR_MESSAGES[translation_key].format(**self.placeholders))


def check_number(name: str, value: float, minimum: float, maximum: float) -> None:
    """Reject a value outside [minimum, maximum] or not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PlanError("invalid_number", name=name, value=value)
    if not minimum <= value <= maximum:
        raise PlanError("out_of_range", name=name, value=value, minimum=minimum, maximum=maximum)


def check_integer(name: str, value: int, minimum: int, maximum: int) -> None:
    """Reject a value that is not a whole number in [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanError("invalid_integer", name=name, value=value)
    check_number(name, value, minimum, maximum)


def check_aware(name: str, value: dt.datetime) -> None:
    """Reject naive datetimes: every moment in a plan must be unambiguous."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise PlanError("invalid_datetime", name=name, value=value)


def check_time_zone(value: str) -> None:
    """Reject a time zone name zoneinfo does not know."""
    if not isinstance(value, str) or not value or not _known_zone(value):
        raise PlanError("invalid_time_zone", value=value)


@lru_cache(maxsize=64)
def _known_zone(name: str) -> bool:
    """Whether zoneinfo knows ``name``; an unknown name is remembered too, so it reads the disk only once."""
    try:
        zone(name)
    except KeyError, ValueError, OSError:  # unknown names raise KeyError, malformed ones ValueError
        return False
    return True


def field(data: Mapping[str, Any], name: str) -> Any:
    """The value of a required key."""
    if name not in data:
        raise PlanError("missing_field", name=name)
    return data[name]


def mapping(value: object, name: str) -> Mapping[str, Any]:
    """``value`` as a JSON object."""
    if not isinstance(value, Mapping):
        raise PlanError("invalid_object", name=name)
    return value


def sequence(value: object, name: str) -> list[Any]:
    """``value`` as a JSON list."""
    if not isinstance(value, list | tuple):
        raise PlanError("invalid_list", name=name)
    return list(value)


def number(data: Mapping[str, Any], name: str, default: float | None = None) -> float:
    """A number read from JSON (ints accepted); ``default`` when the key is absent and a default is given."""
    value = data.get(name, default) if default is not None else field(data, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanError("invalid_number", name=name, value=value)
    return float(value)


def integer(data: Mapping[str, Any], name: str, default: int | None = None) -> int:
    """A whole number read from JSON."""
    value = data.get(name, default) if default is not None else field(data, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanError("invalid_integer", name=name, value=value)
    return value


def text(data: Mapping[str, Any], name: str) -> str:
    """Non-empty text read from JSON."""
    value = field(data, name)
    if not isinstance(value, str) or not value.strip():
        raise PlanError("invalid_text", name=name, value=value)
    return value


def optional_text(data: Mapping[str, Any], name: str) -> str | None:
    """Text read from JSON, or None when absent or null."""
    if data.get(name) is None:
        return None
    return text(data, name)


def choice(data: Mapping[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` read from JSON."""
    value = data.get(name, default)
    check_choice(name, value, choices)
    return str(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    """Reject a value that is not one of ``choices``."""
    if value not in choices:
        raise PlanError("invalid_choice", name=name, value=value, choices=", ".join(choices))


def time_of_day(value: object, name: str) -> dt.time:
    """A wall-clock time from ``HH:MM`` or ``HH:MM:SS`` (``24:00`` is not one: it would wrap to midnight)."""
    if isinstance(value, str) and _TIME.fullmatch(value):
        return dt.time.fromisoformat(value)
    raise PlanError("invalid_time", name=name, value=value)


def date(value: object, name: str) -> dt.date:
    """A calendar date from ``YYYY-MM-DD``."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PlanError("invalid_date", name=name, value=value)


def aware_datetime(value: object, name: str) -> dt.datetime:
    """An aware datetime from ISO 8601 text with a UTC offset."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.utcoffset() is not None:
                return parsed
    raise PlanError("invalid_datetime", name=name, value=value)


def format_time(value: dt.time) -> str:
    """``HH:MM``, or ``HH:MM:SS`` when seconds matter, for JSON."""
    return value.isoformat(timespec="seconds" if value.second else "minutes")
