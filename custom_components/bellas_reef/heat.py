"""The water thermostat at work: the pure thermostat fed with the tank's temperature, driving heater and chiller.

Its commands go to the outlet coordinator below safety and feed mode, so a raised rule or the heater fail-safe
always wins. "Heater not heating" and "heater stuck on" fire the same `bellas_reef_alert` event as safety rules
(blueprints and the logbook treat them alike) and show a persistent notification until they clear.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .alerts import Alert, async_announce
from .coordinator.outlets import OutletCoordinator
from .coordinator.probes import ProbeCoordinator
from .listeners import Listeners
from .monitor import SafetyMonitor
from .thermostat import Alarm, HeaterWatch, Mode, Settings, Thermostat, ThermostatError

_LOGGER = logging.getLogger(__name__)

# The controller's options key for its thermostat, absent when it has none.
CONF_THERMOSTAT: Final = "thermostat"
CONF_PROBE: Final = "probe"
CONF_HYSTERESIS: Final = "hysteresis"
CONF_MIN_ON: Final = "min_on"
CONF_MIN_OFF: Final = "min_off"
CONF_WATCH_MINUTES: Final = "watch_minutes"
CONF_WATCH_RISE: Final = "watch_rise"
# A heater stuck on puts the tank in safety mode too (off by default: the keeper opts in).
CONF_STUCK_SAFETY_MODE: Final = "stuck_safety_mode"
DEFAULT_WATCH_MINUTES: Final = 30
DEFAULT_WATCH_RISE: Final = 0.3

ALARM_NAMES: Final[Mapping[Alarm, str]] = {
    Alarm.NOT_HEATING: "Heater not heating",
    Alarm.STUCK_ON: "Heater stuck on",
}


def thermostat_settings(options: Mapping[str, Any]) -> tuple[Settings, HeaterWatch]:
    """The thermostat's switching settings and heater watch from its stored options (°C, seconds, minutes)."""
    settings = Settings(
        hysteresis=options.get(CONF_HYSTERESIS, 0.2),
        min_on=options.get(CONF_MIN_ON, 60.0),
        min_off=options.get(CONF_MIN_OFF, 180.0),
    )
    watch = HeaterWatch(
        options.get(CONF_WATCH_MINUTES, DEFAULT_WATCH_MINUTES),
        options.get(CONF_WATCH_RISE, DEFAULT_WATCH_RISE),
    )
    return settings, watch


class ThermostatController:
    """One controller's thermostat: judged on every reading of its probe, the moment it arrives."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        outlets: OutletCoordinator,
        monitor: SafetyMonitor,
        options: Mapping[str, Any],
    ) -> None:
        """Bind the probe named in the options and the outlets it drives."""
        self.hass = hass
        self.entry = entry
        self.probe: str = options[CONF_PROBE]
        settings, self.watch = thermostat_settings(options)
        self.thermostat = Thermostat(settings)
        self.temperature: float | None = None
        self.stuck_safety_mode = bool(options.get(CONF_STUCK_SAFETY_MODE, False))
        self._outlets = outlets
        self._monitor = monitor
        self._listeners = Listeners()

    @callback
    def async_start(self, probes: ProbeCoordinator) -> CALLBACK_TYPE:
        """Follow the probe's readings until the returned callback is called (the controller unloads)."""
        self.temperature = probes.data.get(self.probe) if probes.data else None
        return probes.async_add_reading_listener(self._async_reading)

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` after every judgement (the climate entity)."""
        return self._listeners.async_add(listener)

    @callback
    def async_set(
        self,
        *,
        mode: Mode | None = None,
        target: float | None = None,
        low: float | None = None,
        high: float | None = None,
    ) -> None:
        """Change the mode or targets (°C) and act on them at once; a bad value raises ThermostatError."""
        if target is not None:
            self.thermostat.set_target(target)
        if low is not None and high is not None:
            self.thermostat.set_range(low, high)
        if mode is not None:
            self.thermostat.mode = mode
        self._async_judge()

    @callback
    def _async_reading(self, probe: str, value: float | None) -> None:
        if probe == self.probe:
            self.temperature = value
            self._async_judge()

    @callback
    def _async_judge(self) -> None:
        now = dt_util.utcnow().timestamp()
        self.thermostat.update(now, self.temperature)
        commands = self.thermostat.outlets
        self._outlets.async_apply_control("thermostat", commands)
        heating = self._outlets.safety_outlets.get("heater", commands["heater"])
        for alarm, raised in self.watch.update(now, self.temperature, heating):
            self._announce(alarm, raised)
            if alarm == Alarm.STUCK_ON and self.stuck_safety_mode:
                self._monitor.async_request_safety_mode(alarm.value, raised)
        self._listeners.async_notify()

    def _announce(self, alarm: Alarm, raised: bool) -> None:
        value = self.temperature if self.temperature is not None else 0.0
        alert = Alert(
            alarm.value,
            ALARM_NAMES[alarm],
            self.probe,
            "thermostat",
            value,
            self.watch.rise,
            "heater alert",
            f"{ALARM_NAMES[alarm]}: the water is at {value:g} °C.",
        )
        async_announce(self.hass, self.entry, alert, raised)


def build_thermostat(
    hass: HomeAssistant, entry: ConfigEntry, outlets: OutletCoordinator, monitor: SafetyMonitor
) -> ThermostatController | None:
    """The controller's thermostat when the options add one and its probe still exists."""
    options = entry.options.get(CONF_THERMOSTAT)
    if not options or options.get(CONF_PROBE) not in entry.subentries:
        return None
    try:
        return ThermostatController(hass, entry, outlets, monitor, options)
    except ThermostatError as err:
        _LOGGER.error("%s: the thermostat's settings cannot be used, it stays off: %s", entry.title, err)
        return None
