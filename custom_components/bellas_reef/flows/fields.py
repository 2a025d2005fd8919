"""Form fields every flow builds the same way, and the checks every answer passes before a step uses it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import ipaddress
import math
import re
from typing import Any, Final
import unicodedata

from homeassistant.config_entries import ConfigSubentryFlow
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.helpers import entity_registry as er, selector
import probatio as vol

from ..const import CONF_DB_URL, CONF_HOST, DOMAIN
from ..safety import OUTLET_ROLES

MAX_NAME: Final = 100
MAX_TEXT: Final = 255
# A PostgreSQL URL with options can be long; far longer is a paste gone wrong.
_TEXT_LIMITS: Final = {CONF_DB_URL: 2048}
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def select(options: Iterable[str], translation_key: str) -> selector.SelectSelector:
    """A dropdown whose labels are translated under `translation_key` (plain values, so errors show no enums)."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[str(option) for option in options],
            translation_key=translation_key,
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


def number(low: float, high: float, step: float, unit: str | None = None) -> selector.NumberSelector:
    """A number typed in a box, with its unit when it has one."""
    config = selector.NumberSelectorConfig(min=low, max=high, step=step, mode=selector.NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def roles() -> selector.SelectSelector:
    """Outlet roles to pick several of, e.g. what safety mode turns off."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=sorted(OUTLET_ROLES),
            multiple=True,
            translation_key="outlet_role",
            mode=selector.SelectSelectorMode.LIST,
        )
    )


def has_name(name: str) -> bool:
    """A name needs a letter or digit: blank or punctuation-only names make no entity ids."""
    return any(char.isalnum() for char in name)


def own_entities(flow: ConfigSubentryFlow, domain: str) -> list[str]:
    """Entities of this integration, which cannot be adopted as their own channels or probes."""
    registry = er.async_get(flow.hass)
    return [
        entry.entity_id
        for entry in registry.entities.values()
        if entry.platform == DOMAIN and entry.domain == domain
    ]


def valid_host(host: str) -> bool:
    """An IP address or a DNS name (labels of 1 to 63 letters, digits and inner hyphens, 253 characters in all)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        name = host.removesuffix(".")
        return 0 < len(name) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in name.split("."))
    return True


def _number_problem(config: Mapping[str, Any], value: object) -> tuple[str, dict[str, str]] | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "field_not_a_number", {}
    step = config.get("step", 1)
    if isinstance(step, int | float) and float(step).is_integer() and not float(value).is_integer():
        return "field_not_whole", {}
    return None


def _text_problem(key: str, value: object) -> tuple[str, dict[str, str]] | None:
    if not isinstance(value, str) or any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        return "field_not_text", {}
    limit = MAX_NAME if key == CONF_NAME else _TEXT_LIMITS.get(key, MAX_TEXT)
    if len(value) > limit:
        return "field_too_long", {"maximum": str(limit)}
    if key == CONF_NAME and not has_name(value):
        return "name_required", {}
    if key == CONF_HOST and not valid_host(value.strip()):
        return "invalid_host", {}
    return None


def _location_problem(value: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    latitude, longitude = value[CONF_LATITUDE], value[CONF_LONGITUDE]
    if all(math.isfinite(v) for v in (latitude, longitude)) and abs(latitude) <= 90 and abs(longitude) <= 180:
        return None
    return "field_bad_location", {}


def form_errors(schema: vol.Schema, user_input: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The first answer its own field refuses, as a form error on that field and the placeholders its text needs.

    Home Assistant's selectors check a number's range but let NaN through, and fractions into whole-number
    fields, and any length of text; these checks come first, so a step only ever sees answers it can use.
    """
    for marker, field in schema.schema.items():
        key = str(marker.schema if isinstance(marker, vol.Marker) else marker)
        if key not in user_input:
            continue
        value = user_input[key]
        problem: tuple[str, dict[str, str]] | None = None
        if isinstance(field, selector.NumberSelector):
            problem = _number_problem(field.config, value)
        elif isinstance(field, selector.TextSelector):
            problem = _text_problem(key, value)
        elif isinstance(field, selector.LocationSelector):
            problem = _location_problem(value)
        if problem is not None:
            return {key: problem[0]}, problem[1]
    return {}, {}
