"""Checks for safety rules, raising one error type the HA layer can translate.

Rules arrive from the options flow and from stored JSON, so every field is checked both when a rule is built in
code and when it is read from a dict; the error carries a translation key and placeholders so Home Assistant can
show the reef keeper a translated message. Keys shared with the lighting package's ``PlanError`` carry the same
English text, so both can use the same strings.json entries.
"""

from __future__ import annotations

from collections.abc import Mapping
import math
from typing import Any

# English texts for each translation key; the integration's strings.json carries the same texts.
RULE_ERROR_MESSAGES: Mapping[str, str] = {
    "missing_field": "{name} is required",
    "invalid_object": "{name} must be an object",
    "invalid_list": "{name} must be a list",
    "invalid_number": "{name} must be a number, got {value}",
    "invalid_integer": "{name} must be a whole number, got {value}",
    "invalid_text": "{name} must be non-empty text, got {value}",
    "invalid_boolean": "{name} must be true or false, got {value}",
    "out_of_range": "{name} must be between {minimum} and {maximum}, got {value}",
    "not_positive": "{name} must be more than 0, got {value}",
    "negative": "{name} must be 0 or more, got {value}",
    "invalid_choice": "{name} must be one of {choices}, got {value}",
    "inverted_range": "the low limit ({low}) must be below the high limit ({high})",
    "hysteresis_too_wide": "a hysteresis of {value} is too wide for this rule: it must be below {maximum}",
    "hysteresis_not_used": "{kind} rules clear on their own: their hysteresis must be 0, got {value}",
    "derate_needs_limit": "{kind} rules have no limit to derate the lights against",
    "duplicate_rule": "more than one rule has the id {value}",
    "invalid_unit": "{value} is not a temperature unit: use °C or °F",
}


class RuleError(ValueError):
    """A safety rule or one of its parts that cannot be used, with what to tell the reef keeper."""

    def __init__(self, translation_key: str, **placeholders: object) -> None:
        """Keep the key and placeholders for translation; the message is the English text."""
        self.translation_key = translation_key
        self.placeholders: dict[str, str] = {key: str(value) for key, value in placeholders.items()}
        super().__init__(RULE_ERROR_MESSAGES[translation_key].format(**self.placeholders))


def check_finite(name: str, value: float) -> None:
    """Reject anything but a finite number (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RuleError("invalid_number", name=name, value=value)


def check_number(name: str, value: float, minimum: float, maximum: float) -> None:
    """Reject a value outside [minimum, maximum] or not a finite number."""
    check_finite(name, value)
    if not minimum <= value <= maximum:
        raise RuleError("out_of_range", name=name, value=value, minimum=minimum, maximum=maximum)


def check_positive(name: str, value: float) -> None:
    """Reject zero, negatives and non-numbers."""
    check_finite(name, value)
    if value <= 0:
        raise RuleError("not_positive", name=name, value=value)


def check_not_negative(name: str, value: float) -> None:
    """Reject negatives and non-numbers."""
    check_finite(name, value)
    if value < 0:
        raise RuleError("negative", name=name, value=value)


def check_minutes(name: str, value: int) -> None:
    """Reject a period that is not a whole number of minutes from 1 minute to 1 day."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError("invalid_integer", name=name, value=value)
    check_number(name, value, 1, 1440)


def check_text(name: str, value: str) -> None:
    """Reject empty or non-text values."""
    if not isinstance(value, str) or not value.strip():
        raise RuleError("invalid_text", name=name, value=value)


def check_boolean(name: str, value: bool) -> None:
    """Reject anything but True or False."""
    if not isinstance(value, bool):
        raise RuleError("invalid_boolean", name=name, value=value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    """Reject a value that is not one of ``choices``."""
    if value not in choices:
        raise RuleError("invalid_choice", name=name, value=value, choices=", ".join(choices))


def field(data: Mapping[str, Any], name: str) -> Any:
    """The value of a required key."""
    if name not in data:
        raise RuleError("missing_field", name=name)
    return data[name]


def mapping(value: object, name: str) -> Mapping[str, Any]:
    """``value`` as a JSON object."""
    if not isinstance(value, Mapping):
        raise RuleError("invalid_object", name=name)
    return value


def number(data: Mapping[str, Any], name: str, default: float | None = None) -> float:
    """A number read from JSON (ints accepted); ``default`` when the key is absent and a default is given."""
    value = data.get(name, default) if default is not None else field(data, name)
    check_finite(name, value)
    return float(value)


def integer(data: Mapping[str, Any], name: str) -> int:
    """A whole number read from JSON; the dataclass checks its range."""
    value = field(data, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError("invalid_integer", name=name, value=value)
    return value


def text(data: Mapping[str, Any], name: str) -> str:
    """Non-empty text read from JSON."""
    value = field(data, name)
    check_text(name, value)
    return str(value)


def boolean(data: Mapping[str, Any], name: str) -> bool:
    """A flag read from JSON; absent means False."""
    value = data.get(name, False)
    check_boolean(name, value)
    return bool(value)
