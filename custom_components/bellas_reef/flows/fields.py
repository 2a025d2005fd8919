"""Form fields every flow builds the same way."""

from __future__ import annotations

from homeassistant.config_entries import ConfigSubentryFlow
from homeassistant.helpers import entity_registry as er, selector

from ..const import DOMAIN
from ..safety import OUTLET_ROLES


def select(options: list[str], translation_key: str) -> selector.SelectSelector:
    """A dropdown whose labels are translated under `translation_key`."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options, translation_key=translation_key, mode=selector.SelectSelectorMode.DROPDOWN
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
