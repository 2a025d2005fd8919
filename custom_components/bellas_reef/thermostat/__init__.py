"""The water thermostat: heater and chiller switched around a target, with no Home Assistant imports.

``Thermostat`` takes the water temperature and the clock and says whether the heater and the chiller should be
on, keeping each relay on and off for its minimum times. ``HeaterWatch`` raises "heater not heating" and "heater
stuck on" from the same readings.
"""

from .control import (
    HIGHEST,
    LOWEST,
    Action,
    Alarm,
    HeaterWatch,
    Mode,
    Settings,
    Thermostat,
    ThermostatError,
)

__all__ = [
    "HIGHEST",
    "LOWEST",
    "Action",
    "Alarm",
    "HeaterWatch",
    "Mode",
    "Settings",
    "Thermostat",
    "ThermostatError",
]
