"""Probes: a DS18B20 the kernel lists, an EZO circuit that says what it is, an adopted sensor, or the simulation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector
import probatio as vol

from .. import drivers
from ..const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_DEVICE_ID,
    CONF_DRIVER,
    CONF_ENTITY_ID,
    CONF_KIND,
    CONF_TEMPERATURE_PROBE,
    EZO_DRIVERS,
    SUBENTRY_PROBE,
    ProbeDriver,
    probe_kind,
)
from ..hardware.errors import HardwareError
from ..hardware.ezo import SPECS, EzoCircuit
from ..hardware.probes import list_ds18b20
from ..hardware.tank import ProbeKind
from .buses import bus_error, check_ezo
from .driver import DriverSubentryFlow
from .fields import number, own_entities, select


class ProbeSubentryFlow(DriverSubentryFlow):
    """Add or edit a probe."""

    drivers = tuple(ProbeDriver)
    _sensors_found: list[str] | None = None

    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        match data[CONF_DRIVER]:
            case ProbeDriver.DS18B20:
                return f"ds18b20:{data[CONF_DEVICE_ID]}"
            case ProbeDriver.HA_SENSOR:
                return f"ha_sensor:{data[CONF_ENTITY_ID]}"
            case ProbeDriver.SIMULATED:
                return f"simulated:{data[CONF_KIND]}"
        return f"ezo:{data[CONF_BUS]}:{data[CONF_ADDRESS]}"

    async def _async_validate(self, data: dict[str, Any]) -> dict[str, str]:
        driver = data[CONF_DRIVER]
        if driver not in EZO_DRIVERS:
            return {}
        data[CONF_BUS], data[CONF_ADDRESS] = int(data[CONF_BUS]), int(data[CONF_ADDRESS])
        try:
            error = await self.hass.async_add_executor_job(
                check_ezo, data[CONF_BUS], EzoCircuit(driver), data[CONF_ADDRESS]
            )
        except HardwareError as err:
            return {CONF_BUS: bus_error(err)}
        return {"base": error} if error else {}

    def _temperature_probes(self) -> list[selector.SelectOptionDict]:
        return [
            selector.SelectOptionDict(value=subentry_id, label=subentry.title)
            for subentry_id, subentry in self._get_entry().subentries.items()
            if subentry.subentry_type == SUBENTRY_PROBE and probe_kind(subentry.data) == ProbeKind.TEMPERATURE
        ]

    def _schema(self, driver: str) -> vol.Schema:
        fields: dict[Any, Any] = {vol.Required(CONF_NAME): selector.TextSelector()}
        match driver:
            case ProbeDriver.DS18B20:
                fields[vol.Required(CONF_DEVICE_ID)] = (
                    selector.TextSelector()
                    if self._sensors_found is None
                    else selector.SelectSelector(selector.SelectSelectorConfig(options=self._sensors_found))
                )
            case ProbeDriver.HA_SENSOR:
                fields[vol.Required(CONF_ENTITY_ID)] = selector.EntitySelector(
                    selector.EntitySelectorConfig(
                        domain="sensor", exclude_entities=own_entities(self, "sensor")
                    )
                )
                fields[vol.Required(CONF_KIND, default=ProbeKind.TEMPERATURE)] = select(
                    list(ProbeKind), CONF_KIND
                )
            case ProbeDriver.SIMULATED:
                fields[vol.Required(CONF_KIND, default=ProbeKind.TEMPERATURE)] = select(
                    list(ProbeKind), CONF_KIND
                )
            case _:
                fields[vol.Required(CONF_BUS, default=1)] = number(0, 99, 1)
                fields[vol.Required(CONF_ADDRESS, default=SPECS[EzoCircuit(driver)].default_address)] = (
                    number(1, 0x7F, 1)
                )
                if SPECS[EzoCircuit(driver)].temperature_compensation and (
                    options := self._temperature_probes()
                ):
                    fields[vol.Optional(CONF_TEMPERATURE_PROBE)] = selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=options, mode=selector.SelectSelectorMode.DROPDOWN
                        )
                    )
        return vol.Schema(fields)

    async def async_step_ds18b20(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A DS18B20 on the 1-wire bus, picked from the sensors the kernel lists."""
        if self._sensors_found is None:
            self._sensors_found = await self.hass.async_add_executor_job(list_ds18b20, drivers.W1_ROOT)
            if not self._sensors_found:
                return self.async_abort(reason="no_sensors_found")
        return await self._async_driver_step(ProbeDriver.DS18B20, user_input)

    async def _async_ezo(self, driver: ProbeDriver, user_input: dict[str, Any] | None) -> SubentryFlowResult:
        return await self._async_driver_step(driver, user_input)

    async def async_step_ezo_ph(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-pH circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_PH, user_input)

    async def async_step_ezo_orp(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-ORP circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_ORP, user_input)

    async def async_step_ezo_ec(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-EC (conductivity) circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_EC, user_input)

    async def async_step_ezo_do(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An Atlas Scientific EZO-DO (dissolved oxygen) circuit on I2C."""
        return await self._async_ezo(ProbeDriver.EZO_DO, user_input)

    async def async_step_ha_sensor(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An existing Home Assistant sensor, so safety rules and history work on it too."""
        return await self._async_driver_step(ProbeDriver.HA_SENSOR, user_input)

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A probe reading the simulated tank's water."""
        return await self._async_driver_step(ProbeDriver.SIMULATED, user_input)
