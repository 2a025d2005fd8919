"""LED channels: a PCA9685 board found on its bus, a GPIO pin, an adopted light, or the simulated board."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector
import probatio as vol

from ..const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_CURVE,
    CONF_DRIVER,
    CONF_ENTITY_ID,
    CONF_FREQUENCY,
    CONF_MAX_OUTPUT,
    CONF_MIN_OUTPUT,
    CONF_OUTPUT,
    CONF_OVERRIDE_MINUTES,
    CONF_PIN,
    CONF_PIN_FACTORY,
    CONF_ROLE,
    DEFAULT_OVERRIDE_MINUTES,
    DEFAULT_SIMULATED_ADDRESS,
    SUBENTRY_DOSER,
    SUBENTRY_INPUT,
    SUBENTRY_PUMP,
    ChannelDriver,
    ChannelRole,
)
from ..hardware.errors import HardwareError
from ..hardware.gpio import AUTO_PIN_FACTORY, FIRST_PIN, LAST_PIN, PIN_FACTORIES
from ..lighting.curves import DimmingCurve
from .buses import bus_error, scan_bus
from .driver import DriverSubentryFlow
from .fields import form_errors, number, own_entities, select
from .pins import pin_user


class ChannelSubentryFlow(DriverSubentryFlow):
    """Add or edit a PWM LED channel."""

    drivers = tuple(ChannelDriver)
    _boards_found: list[int] | None = None

    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        match data[CONF_DRIVER]:
            case ChannelDriver.PCA9685:
                return f"pca9685:{data[CONF_BUS]}:{data[CONF_ADDRESS]}:{data[CONF_OUTPUT]}"
            case ChannelDriver.GPIO:
                return f"gpio:{data[CONF_PIN]}"
            case ChannelDriver.HA_LIGHT:
                return f"ha_light:{data[CONF_ENTITY_ID]}"
        return f"simulated:{data[CONF_ADDRESS]}:{data[CONF_OUTPUT]}"

    async def _async_validate(self, data: dict[str, Any]) -> dict[str, str]:
        for key in (CONF_ADDRESS, CONF_OUTPUT, CONF_OVERRIDE_MINUTES, CONF_BUS, CONF_PIN):
            if key in data:
                data[key] = int(data[key])
        if CONF_FREQUENCY in data:
            data[CONF_FREQUENCY] = float(data[CONF_FREQUENCY])
        if data[CONF_MIN_OUTPUT] >= data[CONF_MAX_OUTPUT]:
            return {CONF_MIN_OUTPUT: "min_not_below_max"}
        if data[CONF_DRIVER] == ChannelDriver.GPIO:
            # Another channel on the pin is refused as the same hardware; a doser, pump or input here.
            user = pin_user(self._get_entry(), data[CONF_PIN])
            if user == SUBENTRY_INPUT:
                return {CONF_PIN: "pin_is_input"}
            if user in (SUBENTRY_DOSER, SUBENTRY_PUMP):
                return {CONF_PIN: "pin_in_use"}
        return {}

    def _schema(self, driver: str) -> vol.Schema:
        fields: dict[Any, Any] = {vol.Required(CONF_NAME): selector.TextSelector()}
        match driver:
            case ChannelDriver.PCA9685:
                if self._boards_found is None:
                    fields[vol.Required(CONF_BUS, default=1)] = number(0, 99, 1)
                    fields[vol.Required(CONF_ADDRESS, default=DEFAULT_SIMULATED_ADDRESS)] = number(
                        0x40, 0x7F, 1
                    )
                else:
                    fields[vol.Required(CONF_ADDRESS)] = selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[
                                selector.SelectOptionDict(value=str(address), label=f"{address:#04x}")
                                for address in self._boards_found
                            ],
                            mode=selector.SelectSelectorMode.DROPDOWN,
                        )
                    )
                fields[vol.Required(CONF_OUTPUT, default=0)] = number(0, 15, 1)
                fields[vol.Required(CONF_FREQUENCY, default=1000)] = number(24, 1526, 1, "Hz")
            case ChannelDriver.GPIO:
                fields[vol.Required(CONF_PIN, default=18)] = number(FIRST_PIN, LAST_PIN, 1)
                fields[vol.Required(CONF_PIN_FACTORY, default=AUTO_PIN_FACTORY)] = select(
                    [AUTO_PIN_FACTORY, *PIN_FACTORIES], CONF_PIN_FACTORY
                )
                fields[vol.Required(CONF_FREQUENCY, default=1000)] = number(10, 10000, 1, "Hz")
            case ChannelDriver.HA_LIGHT:
                fields[vol.Required(CONF_ENTITY_ID)] = selector.EntitySelector(
                    selector.EntitySelectorConfig(
                        domain="light", exclude_entities=own_entities(self, "light")
                    )
                )
            case _:
                fields[vol.Required(CONF_ADDRESS, default=DEFAULT_SIMULATED_ADDRESS)] = number(0x40, 0x7F, 1)
                fields[vol.Required(CONF_OUTPUT, default=0)] = number(0, 15, 1)
        default_curve = DimmingCurve.LINEAR if driver == ChannelDriver.HA_LIGHT else DimmingCurve.CIE1931
        fields |= {
            vol.Required(CONF_ROLE, default=ChannelRole.WHITE): select(list(ChannelRole), CONF_ROLE),
            vol.Required(CONF_CURVE, default=default_curve): select(list(DimmingCurve), CONF_CURVE),
            vol.Required(CONF_MIN_OUTPUT, default=0): number(0, 99, 0.01, "%"),
            vol.Required(CONF_MAX_OUTPUT, default=100): number(1, 100, 0.01, "%"),
            vol.Required(CONF_OVERRIDE_MINUTES, default=DEFAULT_OVERRIDE_MINUTES): number(1, 1440, 1, "min"),
        }
        return vol.Schema(fields)

    async def async_step_pca9685(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A PCA9685 board on an I2C bus: first the bus, whose answering boards are then listed."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        schema = vol.Schema({vol.Required(CONF_BUS, default=1): number(0, 99, 1)})
        if user_input is not None:
            errors, placeholders = form_errors(schema, user_input)
        if user_input is not None and not errors:
            bus_number = int(user_input[CONF_BUS])
            try:
                answering = await self.hass.async_add_executor_job(scan_bus, bus_number)
            except HardwareError as err:
                errors[CONF_BUS] = bus_error(err)
            else:
                self._boards_found = [address for address in answering if 0x40 <= address <= 0x7F]
                if self._boards_found:
                    self._bus = bus_number
                    return await self.async_step_pca9685_board()
                errors[CONF_BUS] = "no_boards_found"
        return self.async_show_form(
            step_id="pca9685", data_schema=schema, errors=errors, description_placeholders=placeholders
        )

    async def async_step_pca9685_board(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick one of the boards that answered, and the output the channel is wired to."""
        return await self._async_driver_step(
            ChannelDriver.PCA9685, user_input, step_id="pca9685_board", extra={CONF_BUS: self._bus}
        )

    async def async_step_gpio(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A Raspberry Pi GPIO pin driving an LED driver's PWM input."""
        return await self._async_driver_step(ChannelDriver.GPIO, user_input)

    async def async_step_ha_light(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An existing Home Assistant light (e.g. ESPHome), driven by the lighting programs."""
        return await self._async_driver_step(ChannelDriver.HA_LIGHT, user_input)

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A channel on the simulated PCA9685 board, for trying things without hardware."""
        return await self._async_driver_step(ChannelDriver.SIMULATED, user_input)
