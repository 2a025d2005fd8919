"""The fields of services and WebSocket commands, each checked at the door before anything runs.

Every check raises a translated ServiceValidationError that names the field as the keeper typed it, in the unit
they typed it, so a wrong value never reaches the behavior engine, a driver or the store. Numbers must be finite
and never booleans; texts, lists, dates and durations have upper bounds; a time without a UTC offset is in Home
Assistant's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from datetime import date, datetime, time, timedelta
import json
import math
import re
from typing import Any, Final
from zoneinfo import available_timezones

from homeassistant.const import MAX_LENGTH_STATE_ENTITY_ID
from homeassistant.core import valid_entity_id
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio as vol

from .const import DOMAIN

# The calendar the engine, the store and the astronomy are sure to handle.
FIRST_DAY: Final = date(2000, 1, 1)
LAST_DAY: Final = date(2099, 12, 31)
MAX_TEXT: Final = 255
# A bad value is shown back only this long, so a huge one is not echoed whole.
_SHOWN: Final = 40
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?")
# Every zone name zoneinfo can load, listed once when Home Assistant imports the integration (in its import
# executor), so checking a name never reads the disk on the event loop, however many unknown names arrive.
_ZONES: Final = frozenset(available_timezones())

type Check[T] = Callable[[Any], T]


def shown(value: object) -> str:
    """A value as the keeper would write it (JSON, not Python), cut short when long."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, date | time | timedelta):
        text = str(value)
    else:
        text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}…"


def _clock(period: timedelta) -> str:
    """A duration as the duration selector shows it, HH:MM:SS (hours past 24 as they are)."""
    seconds = period.total_seconds()
    if seconds < 0:
        return f"-{_clock(-period)}"
    if seconds >= 1e9:
        return f"{seconds:g} s"
    whole_seconds = round(seconds)
    return f"{whole_seconds // 3600:02d}:{whole_seconds % 3600 // 60:02d}:{whole_seconds % 60:02d}"


def _amount(value: float, unit: str) -> str:
    text = f"{value:g}"
    return f"{text} {unit}" if unit else text


def refuse(key: str, field: str, **placeholders: object) -> ServiceValidationError:
    """The translated error for a field the keeper gave wrong."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"field": field} | {name: shown(v) for name, v in placeholders.items()},
    )


def _finite(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise refuse("field_not_a_number", field, value=value)
    try:
        number = float(value)
    except ValueError, OverflowError:
        raise refuse("field_not_a_number", field, value=value) from None
    if not math.isfinite(number):
        raise refuse("field_not_a_number", field, value=value)
    return number


def number(field: str, minimum: float, maximum: float, unit: str = "") -> Check[float]:
    """A finite number from `minimum` to `maximum`, in `unit`."""

    def check(value: object) -> float:
        amount = _finite(field, value)
        if not minimum <= amount <= maximum:
            raise refuse(
                "field_out_of_range",
                field,
                value=_amount(amount, unit),
                minimum=_amount(minimum, unit),
                maximum=_amount(maximum, unit),
            )
        return amount

    return check


def percent(field: str) -> Check[float]:
    """A level in percent, 0 to 100."""
    return number(field, 0, 100, "%")


def whole(field: str, minimum: int, maximum: int, unit: str = "") -> Check[int]:
    """A whole number from `minimum` to `maximum`, in `unit` (3.0 counts; 3.5 does not)."""
    in_range = number(field, minimum, maximum, unit)

    def check(value: object) -> int:
        amount = _finite(field, value)
        if not amount.is_integer():
            raise refuse("field_not_whole", field, value=value)
        return int(in_range(amount))

    return check


def text(field: str, maximum: int = MAX_TEXT) -> Check[str]:
    """Non-blank text of at most `maximum` characters, without control characters."""

    def check(value: object) -> str:
        if not isinstance(value, str) or not value.strip() or not value.isprintable():
            raise refuse("field_not_text", field, value=value, maximum=maximum)
        if len(value) > maximum:
            raise refuse("field_too_long", field, value=value, maximum=maximum)
        return value.strip()

    return check


def choice(field: str, options: tuple[str, ...]) -> Check[str]:
    """One of `options`."""

    def check(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            raise refuse("field_not_a_choice", field, value=value, choices=", ".join(options))
        return value

    return check


def boolean(field: str) -> Check[bool]:
    """True or false (as HA's YAML spells them too)."""

    def check(value: object) -> bool:
        try:
            return bool(cv.boolean(value))
        except vol.Invalid:
            raise refuse("field_not_boolean", field, value=value) from None

    return check


def time_of_day(field: str) -> Check[str]:
    """A wall-clock time HH:MM or HH:MM:SS from 00:00 to 23:59:59: no fractions, no UTC offset, no 24:00."""

    def check(value: object) -> str:
        if not isinstance(value, str) or not _TIME.fullmatch(value):
            raise refuse("field_not_a_time", field, value=value)
        return value

    return check


def day(field: str) -> Check[date]:
    """A calendar date YYYY-MM-DD within the years the controller can plan."""

    def check(value: object) -> date:
        parsed = value.date() if isinstance(value, datetime) else value
        if isinstance(parsed, str):
            with suppress(ValueError):
                parsed = date.fromisoformat(parsed)
        if not isinstance(parsed, date) or not FIRST_DAY <= parsed <= LAST_DAY:
            raise refuse("field_not_a_date", field, value=value, minimum=FIRST_DAY, maximum=LAST_DAY)
        return parsed

    return check


def moment(field: str) -> Check[datetime]:
    """A date and time; without a UTC offset it is in Home Assistant's time zone."""

    def check(value: object) -> datetime:
        parsed: datetime | None = value if isinstance(value, datetime) else None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
        if parsed is not None and parsed.utcoffset() is None:
            parsed = parsed.replace(tzinfo=dt_util.get_default_time_zone())
        if parsed is None or not FIRST_DAY <= parsed.date() <= LAST_DAY:
            raise refuse("field_not_a_datetime", field, value=value, minimum=FIRST_DAY, maximum=LAST_DAY)
        return parsed

    return check


def duration(field: str, minimum: timedelta, maximum: timedelta) -> Check[timedelta]:
    """A duration as HA's duration selector gives it ("HH:MM:SS", seconds, or hours/minutes/seconds)."""

    def check(value: object) -> timedelta:
        if isinstance(value, bool):
            raise refuse("field_not_a_duration", field, value=value)
        try:
            period = cv.time_period(value)
        except vol.Invalid, OverflowError, ValueError, TypeError:
            raise refuse("field_not_a_duration", field, value=value) from None
        if not isinstance(period, timedelta) or not minimum <= period <= maximum:
            raise refuse(
                "field_duration_out_of_range",
                field,
                value=_clock(period),
                minimum=_clock(minimum),
                maximum=_clock(maximum),
            )
        return period

    return check


def entity_id(field: str) -> Check[str]:
    """An entity ID like sensor.water_temperature (whether it is one of ours is the command's question)."""

    def check(value: object) -> str:
        if (
            not isinstance(value, str)
            or len(value) > MAX_LENGTH_STATE_ENTITY_ID
            or not valid_entity_id(value)
        ):
            raise refuse("field_not_an_entity_id", field, value=value)
        return value

    return check


def time_zone(field: str) -> Check[str]:
    """An IANA time zone name like Pacific/Tahiti."""

    def check(value: object) -> str:
        if not isinstance(value, str) or value not in _ZONES:
            raise refuse("field_not_a_time_zone", field, value=value)
        return value

    return check


def listing[T](field: str, item: Check[T], maximum: int, minimum: int = 0) -> Check[list[T]]:
    """A list of `minimum` to `maximum` items, each checked by `item`."""

    def check(value: object) -> list[T]:
        if not isinstance(value, list | tuple):
            raise refuse("field_not_a_list", field, value=value)
        if len(value) > maximum:
            raise refuse("field_count", field, count=len(value), minimum=minimum, maximum=maximum)
        items = [item(element) for element in value]
        if len(items) < minimum:
            raise refuse("field_count", field, count=len(value), minimum=minimum, maximum=maximum)
        return items

    return check


def record(field: str, keys: Mapping[str, Check[Any]]) -> Check[dict[str, Any]]:
    """An object with exactly `keys`, each checked; every error names `field` (a bad one lists the keys)."""

    def check(value: object) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise refuse("field_not_an_object", field, value=value, keys=", ".join(keys))
        unknown = [key for key in value if key not in keys]
        missing = [key for key in keys if key not in value]
        if unknown or missing:
            raise refuse("field_not_an_object", field, value=value, keys=", ".join(keys))
        return {key: validate(value[key]) for key, validate in keys.items()}

    return check


def require(data: Mapping[str, Any], *fields: str, because: str) -> None:
    """Refuse when one of `fields` is missing; `because` is the field or choice that needs them."""
    for name in fields:
        if name not in data:
            raise refuse("field_required_with", name, other=because)


def only(data: Mapping[str, Any], allowed: tuple[str, ...], among: Iterable[str], *, chosen: str) -> None:
    """Refuse a field of `among` that the chosen `chosen` does not use (it would be ignored unchecked)."""
    for name in among:
        if name in data and name not in allowed and name != chosen:
            raise refuse("field_not_used", name, other=data[chosen])
