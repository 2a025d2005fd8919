"""Dosing pumps: what drives the pump, then its rate, schedule, daily cap and container."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from homeassistant.config_entries import SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector
import probatio as vol

from ..const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_CAP_ML,
    CONF_CONTAINER_ML,
    CONF_DAILY_ML,
    CONF_DOSES,
    CONF_DUTY,
    CONF_ENTITY_ID,
    CONF_LOW_ML,
    CONF_OUTPUT,
    CONF_PIN,
    CONF_PUMP,
    CONF_RATE,
    CONF_SKIP_IN_FEED,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    SUBENTRY_OUTLET,
)
from ..coordinator.dosing import CONF_OUTLET, DoserPump
from .buses import async_offered
from .fields import number, own_entities
from .outputs import PumpOutputFlow

# What a doser's settings step asks; the reconfigure step asks the same.
_SETTINGS_DEFAULTS: Mapping[str, Any] = {
    CONF_RATE: 0,
    CONF_DAILY_ML: 0,
    CONF_DOSES: 24,
    CONF_WINDOW_START: "00:00:00",
    CONF_WINDOW_END: "23:59:00",
    CONF_CAP_ML: 100,
    CONF_CONTAINER_ML: 1000,
    CONF_LOW_ML: 100,
    CONF_SKIP_IN_FEED: False,
}


# What tells one pump from another: two dosers on the same output or switch would be the same pump.
_PUMP_IDENTITY = (CONF_OUTLET, CONF_ENTITY_ID, CONF_BUS, CONF_ADDRESS, CONF_OUTPUT, CONF_PIN)


def _settings_schema(with_name: bool) -> vol.Schema:
    fields: dict[Any, Any] = {vol.Required(CONF_NAME): selector.TextSelector()} if with_name else {}
    fields |= {
        vol.Required(CONF_RATE): number(0, 100, 0.001, "ml/s"),
        vol.Required(CONF_DAILY_ML): number(0, 5000, 0.1, "ml"),
        vol.Required(CONF_DOSES): number(1, 288, 1),
        vol.Required(CONF_WINDOW_START): selector.TimeSelector(),
        vol.Required(CONF_WINDOW_END): selector.TimeSelector(),
        vol.Required(CONF_CAP_ML): number(0.1, 5000, 0.1, "ml"),
        vol.Required(CONF_CONTAINER_ML): number(1, 100000, 1, "ml"),
        vol.Required(CONF_LOW_ML): number(0, 100000, 1, "ml"),
        vol.Required(CONF_SKIP_IN_FEED): selector.BooleanSelector(),
    }
    return vol.Schema(fields)


def _settings_errors(user_input: Mapping[str, Any]) -> dict[str, str]:
    """What the keeper's settings cannot mean together."""
    if user_input[CONF_DAILY_ML] > user_input[CONF_CAP_ML]:
        return {CONF_DAILY_ML: "daily_over_cap"}
    if user_input[CONF_LOW_ML] >= user_input[CONF_CONTAINER_ML]:
        return {CONF_LOW_ML: "low_over_container"}
    if user_input[CONF_DAILY_ML] > 0 and user_input[CONF_RATE] <= 0:
        return {CONF_RATE: "rate_required"}
    return {}


def _settings(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        key: float(user_input[key])
        for key in (CONF_RATE, CONF_DAILY_ML, CONF_CAP_ML, CONF_CONTAINER_ML, CONF_LOW_ML)
    }
    data[CONF_DOSES] = int(user_input[CONF_DOSES])
    data[CONF_SKIP_IN_FEED] = bool(user_input[CONF_SKIP_IN_FEED])
    for key in (CONF_WINDOW_START, CONF_WINDOW_END):
        data[key] = time.fromisoformat(user_input[key]).isoformat()
    return data


class DoserSubentryFlow(PumpOutputFlow):
    """Add or edit a dosing pump: first what drives it, then how much it doses and when."""

    _settings_schema = staticmethod(_settings_schema)
    _settings = staticmethod(_settings)
    _settings_errors = staticmethod(_settings_errors)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer what the pump can be plugged into."""
        offered = await async_offered(self.hass, self._get_entry(), DoserPump)
        return self.async_show_menu(step_id="user", menu_options=offered)

    async def async_step_outlet(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A plain pump on one of this controller's outlets."""
        outlets = {
            sid: sub.title
            for sid, sub in self._get_entry().subentries.items()
            if sub.subentry_type == SUBENTRY_OUTLET
        }
        if not outlets:
            return self.async_abort(reason="no_outlets")
        schema = vol.Schema(
            {
                vol.Required(CONF_OUTLET): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=sid, label=name) for sid, name in outlets.items()
                        ],
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                )
            }
        )
        if user_input is not None:
            self._pump = {CONF_PUMP: DoserPump.OUTLET, CONF_OUTLET: user_input[CONF_OUTLET]}
            return await self.async_step_settings()
        return self.async_show_form(step_id="outlet", data_schema=schema)

    async def async_step_ha_switch(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A pump on an existing HA switch."""
        schema = vol.Schema(
            {
                vol.Required(CONF_ENTITY_ID): selector.EntitySelector(
                    selector.EntitySelectorConfig(
                        domain="switch", exclude_entities=own_entities(self, "switch")
                    )
                )
            }
        )
        if user_input is not None:
            self._pump = {CONF_PUMP: DoserPump.HA_SWITCH, CONF_ENTITY_ID: user_input[CONF_ENTITY_ID]}
            return await self.async_step_settings()
        return self.async_show_form(step_id="ha_switch", data_schema=schema)

    @staticmethod
    def _output_fields() -> dict[Any, Any]:
        """A DC doser may run slower than full speed."""
        return {vol.Required(CONF_DUTY, default=100): number(1, 100, 1, "%")}

    @staticmethod
    def _output_answers(user_input: Mapping[str, Any]) -> dict[str, Any]:
        return {CONF_DUTY: float(user_input[CONF_DUTY])}

    async def async_step_settings(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Name, rate, schedule, cap and container."""
        schema = _settings_schema(with_name=True)
        errors, placeholders = self._errors(schema, user_input)
        if user_input is not None and not errors:
            unique_id = f"doser:{self._pump[CONF_PUMP]}:" + ":".join(
                str(self._pump[key]) for key in _PUMP_IDENTITY if key in self._pump
            )
            if any(sub.unique_id == unique_id for sub in self._get_entry().subentries.values()):
                return self.async_abort(reason="already_configured")
            return self.async_create_entry(
                title=user_input[CONF_NAME].strip(),
                data={**self._pump, **_settings(user_input)},
                unique_id=unique_id,
            )
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or _SETTINGS_DEFAULTS),
            errors=errors,
            description_placeholders=placeholders,
        )
