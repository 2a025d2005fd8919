"""The options step that adds, changes or removes the controller's water thermostat."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector
import probatio as vol

from ..const import SUBENTRY_PROBE, probe_kind
from ..hardware.tank import ProbeKind
from ..heat import (
    CONF_HYSTERESIS,
    CONF_MIN_OFF,
    CONF_MIN_ON,
    CONF_PROBE,
    CONF_STUCK_SAFETY_MODE,
    CONF_THERMOSTAT,
    CONF_WATCH_MINUTES,
    CONF_WATCH_RISE,
    DEFAULT_WATCH_MINUTES,
    DEFAULT_WATCH_RISE,
    thermostat_settings,
)
from ..monitor import keeper_unit
from ..safety import FAHRENHEIT
from ..thermostat import ThermostatError
from .fields import form_errors, number

CONF_ENABLED = "enabled"
# Temperature differences are entered in the keeper's unit and stored in °C.
_DIFFERENCES = (CONF_HYSTERESIS, CONF_WATCH_RISE)


class ThermostatOptions(OptionsFlow):
    """The thermostat step of the controller's options."""

    async def async_step_thermostat(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Which probe the thermostat reads, how it switches, and when it calls the heater faulty."""
        probes = [
            selector.SelectOptionDict(value=subentry_id, label=subentry.title)
            for subentry_id, subentry in self.config_entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_PROBE and probe_kind(subentry.data) == ProbeKind.TEMPERATURE
        ]
        if not probes:
            return self.async_abort(reason="no_temperature_probe")
        scale = 9.0 / 5.0 if keeper_unit(self.hass) == FAHRENHEIT else 1.0
        unit = keeper_unit(self.hass)
        stored = self.config_entry.options.get(CONF_THERMOSTAT) or {}
        schema = vol.Schema(
            {
                vol.Required(CONF_ENABLED, default=True): selector.BooleanSelector(),
                vol.Required(CONF_PROBE, default=probes[0]["value"]): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=probes, mode=selector.SelectSelectorMode.DROPDOWN)
                ),
                vol.Required(CONF_HYSTERESIS, default=round(0.2 * scale, 2)): number(0.01, 10, 0.01, unit),
                vol.Required(CONF_MIN_ON, default=60): number(0, 3600, 1, "s"),
                vol.Required(CONF_MIN_OFF, default=180): number(0, 3600, 1, "s"),
                vol.Required(CONF_WATCH_MINUTES, default=DEFAULT_WATCH_MINUTES): number(1, 1440, 1, "min"),
                vol.Required(CONF_WATCH_RISE, default=round(DEFAULT_WATCH_RISE * scale, 2)): number(
                    0.01, 10, 0.01, unit
                ),
                vol.Required(CONF_STUCK_SAFETY_MODE, default=False): selector.BooleanSelector(),
            }
        )
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = form_errors(schema, user_input)
        if user_input is not None and not errors:
            if not user_input[CONF_ENABLED]:
                return self.async_create_entry(data={**self.config_entry.options, CONF_THERMOSTAT: None})
            options = {
                CONF_PROBE: user_input[CONF_PROBE],
                CONF_HYSTERESIS: user_input[CONF_HYSTERESIS] / scale,
                CONF_MIN_ON: float(user_input[CONF_MIN_ON]),
                CONF_MIN_OFF: float(user_input[CONF_MIN_OFF]),
                CONF_WATCH_MINUTES: int(user_input[CONF_WATCH_MINUTES]),
                CONF_WATCH_RISE: user_input[CONF_WATCH_RISE] / scale,
                CONF_STUCK_SAFETY_MODE: bool(user_input[CONF_STUCK_SAFETY_MODE]),
            }
            try:
                thermostat_settings(options)
            except ThermostatError as err:
                errors["base"] = err.translation_key
                placeholders = err.placeholders
            else:
                return self.async_create_entry(data={**self.config_entry.options, CONF_THERMOSTAT: options})
        shown = {key: value * scale if key in _DIFFERENCES else value for key, value in stored.items()}
        return self.async_show_form(
            step_id="thermostat",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or shown),
            errors=errors,
            description_placeholders={"unit": unit, **placeholders},
        )
