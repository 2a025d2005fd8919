"""GPIO inputs: a float, optical level, leak or lid switch on a Raspberry Pi pin, or on a simulated pin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import SOURCE_RECONFIGURE, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector
import probatio as vol

from ..const import CONF_BUS, CONF_DRIVER, CONF_KIND, CONF_PIN, CONF_PIN_FACTORY
from ..coordinator.inputs import CONF_BOUNCE_MS, CONF_ON_WHEN, CONF_PULL_UP, Contact, InputDriver, InputKind
from ..hardware.gpio import AUTO_PIN_FACTORY, FIRST_PIN, LAST_PIN, PIN_FACTORIES
from ..hardware.gpio_input import DEFAULT_BOUNCE_MS, MAX_BOUNCE_MS
from .driver import DriverSubentryFlow
from .fields import number, select
from .pins import pin_user

# SDA and SCL of I2C bus 1, the bus of a Raspberry Pi's header.
I2C_PINS: Final = (2, 3)


class InputSubentryFlow(DriverSubentryFlow):
    """Add or edit a switch wired to a pin."""

    drivers = tuple(InputDriver)

    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        return f"input:{data[CONF_DRIVER]}:{data[CONF_PIN]}"

    def _schema(self, driver: str) -> vol.Schema:
        fields: dict[Any, Any] = {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_KIND, default=InputKind.LEAK): select(list(InputKind), "input_kind"),
            vol.Required(CONF_PIN, default=17): number(FIRST_PIN, LAST_PIN, 1),
        }
        if driver == InputDriver.GPIO:
            fields[vol.Required(CONF_PIN_FACTORY, default=AUTO_PIN_FACTORY)] = select(
                [AUTO_PIN_FACTORY, *PIN_FACTORIES], CONF_PIN_FACTORY
            )
        fields |= {
            vol.Required(CONF_PULL_UP, default=True): selector.BooleanSelector(),
            vol.Required(CONF_ON_WHEN, default=Contact.CLOSED): select(list(Contact), "contact"),
            vol.Required(CONF_BOUNCE_MS, default=DEFAULT_BOUNCE_MS): number(0, MAX_BOUNCE_MS, 1, "ms"),
        }
        return vol.Schema(fields)

    async def _async_validate(self, data: dict[str, Any]) -> dict[str, str]:
        """The pin as a whole number, free on this controller, and not the I2C bus its boards use."""
        data[CONF_PIN], data[CONF_BOUNCE_MS] = int(data[CONF_PIN]), int(data[CONF_BOUNCE_MS])
        data[CONF_PULL_UP] = bool(data[CONF_PULL_UP])
        entry = self._get_entry()
        simulated = data[CONF_DRIVER] == InputDriver.SIMULATED
        own = self._reconfigure_subentry_id if self.source == SOURCE_RECONFIGURE else None
        if pin_user(entry, data[CONF_PIN], simulated=simulated, own=own) is not None:
            return {CONF_PIN: "pin_in_use"}
        if (
            not simulated
            and data[CONF_PIN] in I2C_PINS
            and any(subentry.data.get(CONF_BUS) == 1 for subentry in entry.subentries.values())
        ):
            return {CONF_PIN: "pin_is_i2c"}
        return {}

    async def async_step_gpio(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A switch between a Raspberry Pi pin and ground (or 3.3 V)."""
        return await self._async_driver_step(InputDriver.GPIO, user_input)

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A switch on a simulated pin, for trying Bella's Reef without a Pi."""
        return await self._async_driver_step(InputDriver.SIMULATED, user_input)
