"""The options step that adds, changes or removes the controller's auto top-off."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.helpers import selector
import probatio as vol

from ..ato import (
    CONF_ATO,
    CONF_DEBOUNCE,
    CONF_EMPTY_WHEN,
    CONF_LEVEL_SENSOR,
    CONF_LOW_WHEN,
    CONF_MAX_FILL,
    CONF_MAX_FILLS,
    CONF_MAX_RUN,
    CONF_RESERVOIR_SENSOR,
    ROLE,
    top_off_settings,
)
from ..const import CONF_ROLE, SUBENTRY_OUTLET
from ..topoff import TopOffError
from .fields import form_errors, number, select

CONF_ENABLED = "enabled"
_SENSOR_STATES = (STATE_ON, STATE_OFF)


def _sensor() -> selector.EntitySelector:
    return selector.EntitySelector(selector.EntitySelectorConfig(domain=Platform.BINARY_SENSOR))


class TopOffOptions(OptionsFlow):
    """The top-off step of the controller's options."""

    async def async_step_ato(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Which sensors say low and empty, and the limits that keep the tank from flooding."""
        has_pump = any(
            subentry.subentry_type == SUBENTRY_OUTLET and subentry.data.get(CONF_ROLE) == ROLE
            for subentry in self.config_entry.subentries.values()
        )
        if not has_pump:
            return self.async_abort(reason="no_ato_outlet")
        schema = vol.Schema(
            {
                vol.Required(CONF_ENABLED, default=True): selector.BooleanSelector(),
                vol.Required(CONF_LEVEL_SENSOR): _sensor(),
                vol.Required(CONF_LOW_WHEN, default=STATE_ON): select(_SENSOR_STATES, "sensor_state"),
                vol.Optional(CONF_RESERVOIR_SENSOR): _sensor(),
                vol.Required(CONF_EMPTY_WHEN, default=STATE_ON): select(_SENSOR_STATES, "sensor_state"),
                vol.Required(CONF_DEBOUNCE, default=10): number(0, 600, 1, "s"),
                vol.Required(CONF_MAX_FILL, default=120): number(5, 3600, 1, "s"),
                vol.Required(CONF_MAX_FILLS, default=24): number(1, 1000, 1),
                vol.Required(CONF_MAX_RUN, default=15): number(1, 1440, 1, "min"),
            }
        )
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = form_errors(schema, user_input)
        if user_input is not None and not errors:
            if not user_input[CONF_ENABLED]:
                return self.async_create_entry(data={**self.config_entry.options, CONF_ATO: None})
            options = {
                CONF_LEVEL_SENSOR: user_input[CONF_LEVEL_SENSOR],
                CONF_LOW_WHEN: user_input[CONF_LOW_WHEN],
                CONF_RESERVOIR_SENSOR: user_input.get(CONF_RESERVOIR_SENSOR) or None,
                CONF_EMPTY_WHEN: user_input[CONF_EMPTY_WHEN],
                CONF_DEBOUNCE: float(user_input[CONF_DEBOUNCE]),
                CONF_MAX_FILL: float(user_input[CONF_MAX_FILL]),
                CONF_MAX_FILLS: int(user_input[CONF_MAX_FILLS]),
                CONF_MAX_RUN: float(user_input[CONF_MAX_RUN]) * 60,
            }
            for key in (CONF_LEVEL_SENSOR, CONF_RESERVOIR_SENSOR):
                if options[key] is not None and self.hass.states.get(options[key]) is None:
                    errors[key] = "ato_unknown_sensor"
            if options[CONF_RESERVOIR_SENSOR] == options[CONF_LEVEL_SENSOR]:
                errors[CONF_RESERVOIR_SENSOR] = "ato_same_sensor"
            try:
                top_off_settings(options)
            except TopOffError as err:
                errors["base"] = err.translation_key
                placeholders = err.placeholders
            if not errors:
                return self.async_create_entry(data={**self.config_entry.options, CONF_ATO: options})
        stored = dict(self.config_entry.options.get(CONF_ATO) or {})
        if stored.get(CONF_MAX_RUN) is not None:
            stored[CONF_MAX_RUN] = stored[CONF_MAX_RUN] / 60
        shown = {key: value for key, value in stored.items() if value is not None}
        return self.async_show_form(
            step_id="ato",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or shown),
            errors=errors,
            description_placeholders=placeholders,
        )
