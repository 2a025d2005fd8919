"""Heater and chiller around a target temperature, with hysteresis and minimum on and off times.

Temperatures are °C (the probes' unit); times are POSIX seconds passed in, never read from a clock. An unreadable
probe (None) changes nothing here: the heater fail-safe of the safety package turns heaters off once the probe has
been silent too long, and it outranks the thermostat.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum
import math

from ..limits import SettingError

HEATER = "heater"
CHILLER = "chiller"
# The lowest and highest targets a reef thermostat accepts, °C.
LOWEST = 10.0
HIGHEST = 35.0


class Mode(StrEnum):
    """What the thermostat does: nothing (heater and chiller held off), heat, cool, or keep a range."""

    OFF = "off"
    HEAT = "heat"
    COOL = "cool"
    HEAT_COOL = "heat_cool"


class Action(StrEnum):
    """What it is doing right now."""

    OFF = "off"
    IDLE = "idle"
    HEATING = "heating"
    COOLING = "cooling"


class Alarm(StrEnum):
    """The heater faults the thermostat can see in the water temperature."""

    NOT_HEATING = "heater_not_heating"
    STUCK_ON = "heater_stuck_on"


class ThermostatError(SettingError):
    """A setting the thermostat cannot use."""

    prefix = "thermostat"


_check = ThermostatError.checked


@dataclass(frozen=True, slots=True)
class Settings:
    """How the thermostat switches: hysteresis each side of the target (°C), and each relay's minimum times (s)."""

    hysteresis: float = 0.2
    min_on: float = 60.0
    min_off: float = 180.0

    def __post_init__(self) -> None:
        """Reject a hysteresis outside 0.05..5 °C and minimum times outside 0..1 h."""
        _check("hysteresis", self.hysteresis, 0.05, 5.0)
        _check("min_on", self.min_on, 0.0, 3600.0)
        _check("min_off", self.min_off, 0.0, 3600.0)


class _Relay:
    """One outlet role's commanded state and since when, so minimum times can be kept."""

    __slots__ = ("on", "since")

    def __init__(self) -> None:
        self.on = False
        self.since = -math.inf

    def want(self, on: bool, now: float, settings: Settings) -> None:
        """Switch unless the relay has not been on (or off) for its minimum time yet."""
        if on == self.on:
            return
        held = settings.min_on if self.on else settings.min_off
        if now - self.since >= held:
            self.on, self.since = on, now


class Thermostat:
    """Heater on below the heating target less the hysteresis, off above it plus the hysteresis; chiller mirrored.

    In ``heat_cool`` the heater keeps ``low`` and the chiller ``high``. Off holds both off. Relays start off and
    may switch at once.
    """

    def __init__(self, settings: Settings) -> None:
        """Start off, aiming at 25.5 °C (24.5..26.5 °C as a range)."""
        self.settings = settings
        self.mode = Mode.OFF
        self.target = 25.5
        self.low = 24.5
        self.high = 26.5
        self._heater = _Relay()
        self._chiller = _Relay()

    def set_target(self, target: float) -> None:
        """The temperature heat and cool keep."""
        self.target = _check("temperature", target, LOWEST, HIGHEST)

    def set_range(self, low: float, high: float) -> None:
        """The range heat_cool keeps; it must leave room for the hysteresis on both ends."""
        low = _check("target_temp_low", low, LOWEST, HIGHEST)
        high = _check("target_temp_high", high, LOWEST, HIGHEST)
        if high - low <= 2 * self.settings.hysteresis:
            raise ThermostatError("thermostat_range_too_narrow", low=low, high=high)
        self.low, self.high = low, high

    def update(self, now: float, temperature: float | None) -> None:
        """Switch on the latest temperature (None: unreadable, nothing changes)."""
        heat_to = {Mode.HEAT: self.target, Mode.HEAT_COOL: self.low}.get(self.mode)
        cool_to = {Mode.COOL: self.target, Mode.HEAT_COOL: self.high}.get(self.mode)
        h = self.settings.hysteresis
        if heat_to is None:
            self._heater.want(False, now, self.settings)
        elif temperature is not None:
            on = temperature < heat_to + h if self._heater.on else temperature <= heat_to - h
            self._heater.want(on, now, self.settings)
        if cool_to is None:
            self._chiller.want(False, now, self.settings)
        elif temperature is not None:
            on = temperature > cool_to - h if self._chiller.on else temperature >= cool_to + h
            self._chiller.want(on, now, self.settings)

    @property
    def outlets(self) -> dict[str, bool]:
        """The command for each role the thermostat drives."""
        return {HEATER: self._heater.on, CHILLER: self._chiller.on}

    @property
    def action(self) -> Action:
        """Heating or cooling while a relay is on (a minimum on time may outlast ``off``), else idle or off."""
        if self._heater.on:
            return Action.HEATING
        if self._chiller.on:
            return Action.COOLING
        return Action.OFF if self.mode == Mode.OFF else Action.IDLE


class HeaterWatch:
    """Heater faults read from the water, each raised once and kept until the water says otherwise.

    Not heating: on for ``minutes`` without warming by ``rise`` °C; it clears once the water has warmed by
    ``rise`` or the heater goes off. Stuck on: warming by ``rise`` over ``minutes`` while commanded off (a
    welded relay, or the heater's own thermostat failed); it clears once the water stops warming.
    """

    def __init__(self, minutes: float, rise: float) -> None:
        """Watch over ``minutes`` for a change of ``rise`` °C."""
        self.window = _check("minutes", minutes, 1, 1440) * 60.0
        self.rise = _check("rise", rise, 0.05, 5.0)
        self.raised: set[Alarm] = set()
        self._heater_on: bool | None = None
        self._since = 0.0
        self._start: float | None = None
        self._recent: deque[tuple[float, float]] = deque()

    def update(self, now: float, temperature: float | None, heater_on: bool) -> list[tuple[Alarm, bool]]:
        """Judge the latest temperature; the alarms raised (True) or cleared (False) by it."""
        if heater_on != self._heater_on:
            self._heater_on, self._since, self._start = heater_on, now, None
            self._recent.clear()
        if temperature is None:
            return []
        if self._start is None:
            self._start = temperature
        self._recent.append((now, temperature))
        while len(self._recent) > 1 and self._recent[1][0] <= now - self.window:
            self._recent.popleft()
        full = now - self._since >= self.window
        warmed = temperature - self._start
        risen = temperature - self._recent[0][1]
        stuck = Alarm.STUCK_ON in self.raised
        wanted = {
            Alarm.NOT_HEATING: heater_on and full and warmed < self.rise,
            Alarm.STUCK_ON: not heater_on and (risen > 0 if stuck else full and risen >= self.rise),
        }
        changes: list[tuple[Alarm, bool]] = []
        for alarm, on in wanted.items():
            if on != (alarm in self.raised):
                (self.raised.add if on else self.raised.discard)(alarm)
                changes.append((alarm, on))
        return changes
