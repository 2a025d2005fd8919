"""A PWM output for a pump (a doser's or a DC pump channel's): its fields, and the light channels it must spare."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry
import probatio as vol

from ..const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_DRIVER,
    CONF_FREQUENCY,
    CONF_OUTPUT,
    CONF_PIN,
    CONF_PIN_FACTORY,
    DEFAULT_SIMULATED_ADDRESS,
    SUBENTRY_CHANNEL,
    SUBENTRY_INPUT,
    ChannelDriver,
)
from ..hardware.gpio import AUTO_PIN_FACTORY, FIRST_PIN, LAST_PIN, PIN_FACTORIES
from .fields import number, select
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
    """A light channel already on this output (or pin), or on this board at another PWM frequency; an input's pin."""
    if kind == PwmKind.GPIO and pin_user(entry, output[CONF_PIN]) == SUBENTRY_INPUT:
        return {CONF_PIN: "pin_is_input"}
    for subentry in entry.subentries.values():
        data = subentry.data
        if subentry.subentry_type != SUBENTRY_CHANNEL or data[CONF_DRIVER] != _CHANNEL_DRIVERS[kind]:
            continue
        if kind == PwmKind.GPIO:
            if data[CONF_PIN] == output[CONF_PIN]:
                return {CONF_PIN: "output_in_use"}
            continue
        if any(data.get(key) != output.get(key) for key in (CONF_BUS, CONF_ADDRESS)):
            continue
        if data[CONF_OUTPUT] == output[CONF_OUTPUT]:
            return {CONF_OUTPUT: "output_in_use"}
        if kind == PwmKind.PCA9685 and data[CONF_FREQUENCY] != output[CONF_FREQUENCY]:
            return {CONF_FREQUENCY: "frequency_differs"}
    return {}
