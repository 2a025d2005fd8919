"""DC pump channels: a PWM output (as the light channels have), then speeds and wave settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector
import probatio as vol

from ..const import (
    CONF_FEED_SPEED,
    CONF_GYRE_SECONDS,
    CONF_LOW,
    CONF_MIN_SPEED,
    CONF_OFF_SECONDS,
    CONF_ON_SECONDS,
    CONF_RANDOM_SECONDS,
    CONF_ROLE,
    CONF_SAFETY_SPEED,
    CONF_SECOND_OF_GYRE,
    CONF_SPEED,
    CONF_TIDE_HOURS,
)
from ..outlets import OutletRole
from .buses import async_offered
from .fields import number, select
from .outputs import PumpOutputFlow, PwmKind

_DEFAULTS: Mapping[str, Any] = {
    CONF_ROLE: OutletRole.POWERHEAD,
    CONF_SPEED: 100,
    CONF_LOW: 30,
    CONF_ON_SECONDS: 5,
    CONF_OFF_SECONDS: 5,
    CONF_RANDOM_SECONDS: 10,
    CONF_GYRE_SECONDS: 300,
    CONF_SECOND_OF_GYRE: False,
    CONF_TIDE_HOURS: 6,
    CONF_MIN_SPEED: 20,
    CONF_FEED_SPEED: 0,
    CONF_SAFETY_SPEED: 100,
}
_PERCENTS = (CONF_SPEED, CONF_LOW, CONF_MIN_SPEED, CONF_FEED_SPEED, CONF_SAFETY_SPEED)
_NUMBERS = (CONF_ON_SECONDS, CONF_OFF_SECONDS, CONF_RANDOM_SECONDS, CONF_GYRE_SECONDS, CONF_TIDE_HOURS)


def _settings_schema(with_name: bool) -> vol.Schema:
    fields: dict[Any, Any] = {vol.Required(CONF_NAME): selector.TextSelector()} if with_name else {}
    fields |= {
        vol.Required(CONF_ROLE): select(list(OutletRole), "outlet_role"),
        **{vol.Required(key): number(0, 100, 1, "%") for key in _PERCENTS},
        vol.Required(CONF_ON_SECONDS): number(0.1, 3600, 0.1, "s"),
        vol.Required(CONF_OFF_SECONDS): number(0.1, 3600, 0.1, "s"),
        vol.Required(CONF_RANDOM_SECONDS): number(1, 3600, 1, "s"),
        vol.Required(CONF_GYRE_SECONDS): number(1, 86400, 1, "s"),
        vol.Required(CONF_SECOND_OF_GYRE): selector.BooleanSelector(),
        vol.Required(CONF_TIDE_HOURS): number(0.5, 48, 0.5, "h"),
    }
    return vol.Schema(fields)


def _settings(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {key: float(user_input[key]) for key in (*_PERCENTS, *_NUMBERS)}
    data[CONF_ROLE] = user_input[CONF_ROLE]
    data[CONF_SECOND_OF_GYRE] = bool(user_input[CONF_SECOND_OF_GYRE])
    return data


def _settings_errors(user_input: Mapping[str, Any]) -> dict[str, str]:
    if user_input[CONF_LOW] > user_input[CONF_SPEED]:
        return {CONF_LOW: "low_over_speed"}
    return {}


class PumpSubentryFlow(PumpOutputFlow):
    """Add or edit a DC pump channel: where its PWM comes from, then how it runs."""

    _settings_schema = staticmethod(_settings_schema)
    _settings = staticmethod(_settings)
    _settings_errors = staticmethod(_settings_errors)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the PWM sources."""
        offered = await async_offered(self.hass, self._get_entry(), PwmKind)
        return self.async_show_menu(step_id="user", menu_options=offered)

    async def async_step_settings(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Name, role, speeds and wave times."""
        schema = _settings_schema(with_name=True)
        errors, placeholders = self._errors(schema, user_input)
        if user_input is not None and not errors:
            unique_id = "pump:" + ":".join(str(value) for value in self._pump.values())
            if any(sub.unique_id == unique_id for sub in self._get_entry().subentries.values()):
                return self.async_abort(reason="already_configured")
            return self.async_create_entry(
                title=user_input[CONF_NAME].strip(),
                data={**self._pump, **_settings(user_input)},
                unique_id=unique_id,
            )
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or _DEFAULTS),
            errors=errors,
            description_placeholders=placeholders,
        )
