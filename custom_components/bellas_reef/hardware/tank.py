"""A small physical model of a reef tank, behind the simulated probes.

A demo or a test should see values move the way a real tank's do, so that charts, safety rules and automations
can be tried without livestock at stake: the heater and the lights warm the water toward a set point while the
room cools it, pH rises while the lights drive photosynthesis and falls back at night, and dissolved oxygen follows
temperature and light. Everything is a pure function of the elapsed time and the inputs, so runs are repeatable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import math

from .seawater import specific_gravity


class ProbeKind(StrEnum):
    """What a probe measures."""

    TEMPERATURE = "temperature"
    PH = "ph"
    ORP = "orp"
    SALINITY = "salinity"
    CONDUCTIVITY = "conductivity"
    DISSOLVED_OXYGEN = "dissolved_oxygen"
    SPECIFIC_GRAVITY = "specific_gravity"


_STEP = timedelta(seconds=60)
_ROOM_TIME_CONSTANT_H = 6.0
_PH_TIME_CONSTANT_H = 2.0


@dataclass(slots=True)
class TankModel:
    """Water that warms, cools and breathes with the photoperiod."""

    room_c: float = 23.5
    heater_set_point_c: float = 25.5
    heater_band_c: float = 0.15
    heater_rate_c_per_h: float = 1.2
    light_rate_c_per_h: float = 0.5
    ph_night: float = 7.95
    ph_day_rise: float = 0.3
    salinity_ppt: float = 35.0
    temperature_c: float = 25.4
    ph: float = 8.05
    heater_on: bool = False
    last_update: datetime | None = field(default=None)

    def advance(self, now: datetime, light_power: float) -> None:
        """Move the water forward to `now` with the lights at `light_power` (0..1) since the last call."""
        if self.last_update is None or now <= self.last_update:
            self.last_update = now if self.last_update is None else self.last_update
            return
        light_power = min(1.0, max(0.0, light_power))
        remaining = now - self.last_update
        while remaining > timedelta(0):
            step = min(_STEP, remaining)
            self._step(step.total_seconds() / 3600.0, light_power)
            remaining -= step
        self.last_update = now

    def _step(self, hours: float, light_power: float) -> None:
        if self.temperature_c < self.heater_set_point_c - self.heater_band_c:
            self.heater_on = True
        elif self.temperature_c > self.heater_set_point_c + self.heater_band_c:
            self.heater_on = False
        warming = self.light_rate_c_per_h * light_power
        if self.heater_on:
            warming += self.heater_rate_c_per_h
        cooling = (self.temperature_c - self.room_c) / _ROOM_TIME_CONSTANT_H
        self.temperature_c += (warming - cooling) * hours
        ph_target = self.ph_night + self.ph_day_rise * light_power
        self.ph += (ph_target - self.ph) * (1.0 - math.exp(-hours / _PH_TIME_CONSTANT_H))

    def conductivity_us_cm(self) -> float:
        """What a conductivity probe in the water senses: about 53 mS/cm at 35 ppt and 25 °C, 2 % more per degree."""
        return 53_000.0 * (self.salinity_ppt / 35.0) * (1.0 + 0.02 * (self.temperature_c - 25.0))

    def value(self, kind: ProbeKind) -> float:
        """Return what a probe of `kind` reads now, with the sub-resolution wobble a real probe shows."""
        wobble = _wobble(self.last_update, kind)
        match kind:
            case ProbeKind.TEMPERATURE:
                return round(self.temperature_c + 0.01 * wobble, 3)
            case ProbeKind.PH:
                return round(self.ph + 0.003 * wobble, 3)
            case ProbeKind.ORP:
                return round(330.0 + 120.0 * (self.ph - self.ph_night) + 1.5 * wobble, 1)
            case ProbeKind.SALINITY:
                return round(self.salinity_ppt + 0.02 * wobble, 2)
            case ProbeKind.CONDUCTIVITY:
                return round(self.conductivity_us_cm() + 20.0 * wobble, 0)
            case ProbeKind.SPECIFIC_GRAVITY:
                return round(specific_gravity(self.salinity_ppt + 0.02 * wobble, self.temperature_c), 3)
            case ProbeKind.DISSOLVED_OXYGEN:
                saturation = 7.9 - 0.1 * (self.temperature_c - 20.0)
                return round(saturation * (0.93 + 0.1 * (self.ph - self.ph_night)) + 0.02 * wobble, 2)


def _wobble(when: datetime | None, kind: ProbeKind) -> float:
    """Deterministic noise in -1..1 that changes every few seconds, different per kind."""
    if when is None:
        return 0.0
    tick = int(when.timestamp() // 5)
    return math.sin(tick * 12.9898 + len(kind) * 78.233) * 0.5 + math.sin(tick * 4.1414) * 0.5
