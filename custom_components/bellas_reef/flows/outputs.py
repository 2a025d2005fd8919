"""A PWM output for a pump (a doser's or a DC pump channel's), and the flow steps both pump flows share."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentryFlow, SubentryFlowResult
import probatio as vol

from ..const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_DRIVER,
    CONF_FREQUENCY,
    CONF_OUTPUT,
    CONF_PIN,
    CONF_PIN_FACTORY,
    CONF_PUMP,
    DEFAULT_SIMULATED_ADDRESS,
    SUBENTRY_CHANNEL,
    SUBENTRY_INPUT,
    ChannelDriver,
)
from ..hardware.gpio import AUTO_PIN_FACTORY, FIRST_PIN, LAST_PIN, PIN_FACTORIES
from .fields import form_errors, number, select
from .pins import pin_user


class PwmKind(StrEnum):
    """Where a pump's PWM comes from (the same boards as the light channels')."""

    PCA9685 = "pca9685"
    GPIO = "gpio"
    SIMULATED = "simulated"


def output_fields(kind: PwmKind) -> dict[Any, Any]:
    """The fields that say where the output is."""
    match kind:
        case PwmKind.PCA9685:
            return {
                vol.Required(CONF_BUS, default=1): number(0, 99, 1),
                vol.Required(CONF_ADDRESS, default=DEFAULT_SIMULATED_ADDRESS): number(0x40, 0x7F, 1),
                vol.Required(CONF_OUTPUT, default=15): number(0, 15, 1),
                vol.Required(CONF_FREQUENCY, default=1000): number(24, 1526, 1, "Hz"),
            }
        case PwmKind.GPIO:
            return {
                vol.Required(CONF_PIN, default=12): number(FIRST_PIN, LAST_PIN, 1),
                vol.Required(CONF_PIN_FACTORY, default=AUTO_PIN_FACTORY): select(
                    [AUTO_PIN_FACTORY, *PIN_FACTORIES], CONF_PIN_FACTORY
                ),
                vol.Required(CONF_FREQUENCY, default=1000): number(10, 10000, 1, "Hz"),
            }
    return {
        vol.Required(CONF_ADDRESS, default=DEFAULT_SIMULATED_ADDRESS): number(0x40, 0x7F, 1),
        vol.Required(CONF_OUTPUT, default=15): number(0, 15, 1),
    }


def output_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The output's answers as they are stored: whole numbers, a frequency, the pin library's name."""
    data: dict[str, Any] = {
        key: int(user_input[key])
        for key in (CONF_BUS, CONF_ADDRESS, CONF_OUTPUT, CONF_PIN)
        if key in user_input
    }
    if CONF_PIN_FACTORY in user_input:
        data[CONF_PIN_FACTORY] = user_input[CONF_PIN_FACTORY]
    if CONF_FREQUENCY in user_input:
        data[CONF_FREQUENCY] = float(user_input[CONF_FREQUENCY])
    return data


_CHANNEL_DRIVERS = {
    PwmKind.SIMULATED: ChannelDriver.SIMULATED,
    PwmKind.PCA9685: ChannelDriver.PCA9685,
    PwmKind.GPIO: ChannelDriver.GPIO,
}


def output_errors(entry: ConfigEntry, kind: PwmKind, output: Mapping[str, Any]) -> dict[str, str]:
    """A pin anything else already uses; a light channel on this output, or on this board at another frequency."""
    if kind == PwmKind.GPIO:
        user = pin_user(entry, output[CONF_PIN])
        if user is None:
            return {}
        return {CONF_PIN: "pin_is_input" if user == SUBENTRY_INPUT else "output_in_use"}
    for subentry in entry.subentries.values():
        data = subentry.data
        if subentry.subentry_type != SUBENTRY_CHANNEL or data[CONF_DRIVER] != _CHANNEL_DRIVERS[kind]:
            continue
        if any(data.get(key) != output.get(key) for key in (CONF_BUS, CONF_ADDRESS)):
            continue
        if data[CONF_OUTPUT] == output[CONF_OUTPUT]:
            return {CONF_OUTPUT: "output_in_use"}
        if kind == PwmKind.PCA9685 and data[CONF_FREQUENCY] != output[CONF_FREQUENCY]:
            return {CONF_FREQUENCY: "frequency_differs"}
    return {}


class PumpOutputFlow(ConfigSubentryFlow):
    """What a doser's and a DC pump's flows share: the PWM output steps, and settings added and reconfigured.

    A subclass names its settings form and how its answers are checked and stored; `_output_fields` and
    `_output_answers` add to the output step what only it asks there.
    """

    def __init__(self) -> None:
        """Nothing chosen yet."""
        self._pump: dict[str, Any] = {}

    @staticmethod
    @abstractmethod
    def _settings_schema(with_name: bool) -> vol.Schema:
        """The settings form (with the name when adding)."""

    @staticmethod
    @abstractmethod
    def _settings(user_input: Mapping[str, Any]) -> dict[str, Any]:
        """The settings as they are stored."""

    @staticmethod
    @abstractmethod
    def _settings_errors(user_input: Mapping[str, Any]) -> dict[str, str]:
        """What the settings cannot mean together."""

    @staticmethod
    def _output_fields() -> dict[Any, Any]:
        return {}

    @staticmethod
    def _output_answers(user_input: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    @abstractmethod
    async def async_step_settings(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Name and settings, after the output."""

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An output of the simulated PCA9685 board, for trying things without hardware."""
        return await self._async_output_step(PwmKind.SIMULATED, user_input)

    async def async_step_pca9685(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An output of a PCA9685 board wired to the pump (through a motor driver, or to its speed input)."""
        return await self._async_output_step(PwmKind.PCA9685, user_input)

    async def async_step_gpio(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A Raspberry Pi GPIO pin wired to the pump (through a motor driver, or to its speed input)."""
        return await self._async_output_step(PwmKind.GPIO, user_input)

    async def _async_output_step(
        self, kind: PwmKind, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        schema = vol.Schema({**output_fields(kind), **self._output_fields()})
        errors, placeholders = ({}, {}) if user_input is None else form_errors(schema, user_input)
        if user_input is not None and not errors:
            output = output_data(user_input)
            errors = output_errors(self._get_entry(), kind, output)
            if not errors:
                self._pump = {CONF_PUMP: kind, **output, **self._output_answers(user_input)}
                return await self.async_step_settings()
        return self.async_show_form(
            step_id=kind,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Change the settings; the output stays (a pump moved elsewhere is a new pump)."""
        subentry = self._get_reconfigure_subentry()
        schema = self._settings_schema(False)
        errors, placeholders = self._errors(schema, user_input)
        if user_input is not None and not errors:
            return self.async_update_and_abort(
                self._get_entry(), subentry, data_updates=self._settings(user_input)
            )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or subentry.data),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _errors(
        self, schema: vol.Schema, user_input: Mapping[str, Any] | None
    ) -> tuple[dict[str, str], dict[str, str]]:
        if user_input is None:
            return {}, {}
        errors, placeholders = form_errors(schema, user_input)
        return (errors or self._settings_errors(user_input)), placeholders
