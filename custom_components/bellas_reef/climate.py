"""Climate platform: the controller's water thermostat, when the options add one."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    ATTR_TARGET_TEMP_HIGH,
    ATTR_TARGET_TEMP_LOW,
    ClimateEntityFeature,
    HVACAction,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, Platform, UnitOfTemperature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity

from .const import DOMAIN
from .entity import controller_device_info
from .heat import ThermostatController
from .models import ReefConfigEntry
from .thermostat import HIGHEST, LOWEST, Action, Alarm, Mode, ThermostatError

CLIMATE_DOMAIN = Platform.CLIMATE
# The thermostat is judged on each probe reading; the entity only reads it.
PARALLEL_UPDATES = 0

_ACTIONS = {
    Action.OFF: HVACAction.OFF,
    Action.IDLE: HVACAction.IDLE,
    Action.HEATING: HVACAction.HEATING,
    Action.COOLING: HVACAction.COOLING,
}


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the thermostat when the controller has one; forget the entity of one the keeper removed."""
    if (thermostat := entry.runtime_data.thermostat) is not None:
        async_add_entities([WaterThermostat(entry, thermostat)])
        return
    registry = er.async_get(hass)
    if entity_id := registry.async_get_entity_id(CLIMATE_DOMAIN, DOMAIN, f"{entry.entry_id}_thermostat"):
        registry.async_remove(entity_id)


@dataclass(slots=True)
class _Saved(ExtraStoredData):
    """Mode and targets in °C, kept across restarts whatever unit the keeper shows."""

    mode: str
    target: float
    low: float
    high: float

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "target": self.target, "low": self.low, "high": self.high}


class WaterThermostat(ClimateEntity, RestoreEntity):
    """Heater and chiller around a target; Home Assistant shows and takes temperatures in the keeper's unit."""

    _attr_has_entity_name = True
    _attr_translation_key = "water_thermostat"
    _attr_should_poll = False
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_target_temperature_step = 0.1
    _attr_min_temp = LOWEST
    _attr_max_temp = HIGHEST
    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TARGET_TEMPERATURE_RANGE
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.TURN_ON
    )

    def __init__(self, entry: ReefConfigEntry, thermostat: ThermostatController) -> None:
        """One per controller, on the controller's device."""
        self._thermostat = thermostat
        self._attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT, HVACMode.COOL, HVACMode.HEAT_COOL]
        self._attr_unique_id = f"{entry.entry_id}_thermostat"
        self._attr_device_info = controller_device_info(entry)

    async def async_added_to_hass(self) -> None:
        """Take back the mode and targets of before the restart, then follow the thermostat."""
        await super().async_added_to_hass()
        if (saved := await self.async_get_last_extra_data()) is not None:
            data = saved.as_dict()
            # A saved state that no longer fits (settings changed since) leaves the thermostat off.
            with contextlib.suppress(KeyError, TypeError, ValueError):
                self._thermostat.async_set(
                    target=data["target"], low=data["low"], high=data["high"], mode=Mode(data["mode"])
                )
        self.async_on_remove(self._thermostat.async_add_listener(self.async_write_ha_state))

    @property
    def extra_restore_state_data(self) -> _Saved:
        """What a restart brings back."""
        control = self._thermostat.thermostat
        return _Saved(control.mode.value, control.target, control.low, control.high)

    @property
    def current_temperature(self) -> float | None:
        """The water, as its probe last read it."""
        return self._thermostat.temperature

    @property
    def hvac_mode(self) -> HVACMode:
        """Off, heat, cool or heat_cool."""
        return HVACMode(self._thermostat.thermostat.mode.value)

    @property
    def hvac_action(self) -> HVACAction:
        """Heating, cooling, idle or off."""
        return _ACTIONS[self._thermostat.thermostat.action]

    @property
    def target_temperature(self) -> float | None:
        """The target of heat and cool."""
        control = self._thermostat.thermostat
        return control.target if control.mode in (Mode.HEAT, Mode.COOL) else None

    @property
    def target_temperature_low(self) -> float | None:
        """The heater's end of the heat_cool range."""
        control = self._thermostat.thermostat
        return control.low if control.mode == Mode.HEAT_COOL else None

    @property
    def target_temperature_high(self) -> float | None:
        """The chiller's end of the heat_cool range."""
        control = self._thermostat.thermostat
        return control.high if control.mode == Mode.HEAT_COOL else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The heater alarms raised now."""
        raised = self._thermostat.watch.raised
        return {alarm.value: alarm in raised for alarm in Alarm}

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Off, heat, cool or heat_cool."""
        self._set(mode=Mode(hvac_mode.value))

    async def async_turn_on(self) -> None:
        """Heat (a reef's heater is the one most tanks have)."""
        self._set(mode=Mode.HEAT)

    async def async_turn_off(self) -> None:
        """Heater and chiller off."""
        self._set(mode=Mode.OFF)

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """A target, or a range, in °C (Home Assistant converts from the keeper's unit); a mode may come along."""
        mode = kwargs.get(ATTR_HVAC_MODE)
        self._set(
            mode=None if mode is None else Mode(HVACMode(mode).value),
            target=kwargs.get(ATTR_TEMPERATURE),
            low=kwargs.get(ATTR_TARGET_TEMP_LOW),
            high=kwargs.get(ATTR_TARGET_TEMP_HIGH),
        )

    @callback
    def _set(self, **changes: Any) -> None:
        try:
            self._thermostat.async_set(**changes)
        except ThermostatError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=err.translation_key,
                translation_placeholders=err.placeholders,
            ) from err
