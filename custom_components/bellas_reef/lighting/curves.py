"""Dimming curves: how a perceived level becomes a PWM duty on a channel.

LEDs look far brighter at low duty than the duty suggests, so a linear slider spends most of its travel in the
bright end. The CIE 1931 lightness curve spreads perceived steps evenly and keeps the lowest levels (moonlight) at
fractions of a percent of output.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DimmingCurve(StrEnum):
    """The shape that maps a perceived level to light output."""

    LINEAR = "linear"
    CIE1931 = "cie1931"
    GAMMA22 = "gamma22"


def _cie1931_output(level: float) -> float:
    lightness = level * 100.0
    if lightness <= 8.0:
        return lightness / 903.3
    return ((lightness + 16.0) / 116.0) ** 3


def _cie1931_level(output: float) -> float:
    if output <= 8.0 / 903.3:
        return output * 903.3 / 100.0
    return float((116.0 * output ** (1.0 / 3.0) - 16.0) / 100.0)


def curve_output(curve: DimmingCurve, level: float) -> float:
    """Return the output fraction (0..1) that looks like `level` (0..1)."""
    level = min(1.0, max(0.0, level))
    match curve:
        case DimmingCurve.LINEAR:
            return level
        case DimmingCurve.CIE1931:
            return _cie1931_output(level)
        case DimmingCurve.GAMMA22:
            return float(level**2.2)


def curve_level(curve: DimmingCurve, output: float) -> float:
    """Invert `curve_output`: the perceived level of an output fraction."""
    output = min(1.0, max(0.0, output))
    match curve:
        case DimmingCurve.LINEAR:
            return output
        case DimmingCurve.CIE1931:
            return _cie1931_level(output)
        case DimmingCurve.GAMMA22:
            return float(output ** (1.0 / 2.2))


@dataclass(frozen=True, slots=True)
class OutputMapping:
    """A channel's curve and clamps, bound to its driver's duty resolution.

    `min_output` and `max_output` are fractions of full output: the LED driver's lowest stable output and the
    keeper's cap (e.g. 0.8 to spare the LEDs). A level of exactly 0 is always fully off; any level above 0 yields
    at least one duty step so "on" is never silently dark.
    """

    max_duty: int
    curve: DimmingCurve = DimmingCurve.CIE1931
    min_output: float = 0.0
    max_output: float = 1.0

    def __post_init__(self) -> None:
        """Reject clamps that cannot describe an output range."""
        if self.max_duty < 1:
            raise ValueError("max_duty must be at least 1")
        if not 0.0 <= self.min_output < self.max_output <= 1.0:
            raise ValueError("need 0 <= min_output < max_output <= 1")

    def duty(self, level: float) -> int:
        """Return the duty that shows `level` (0..1) on this channel."""
        if level <= 0.0:
            return 0
        fraction = self.min_output + (self.max_output - self.min_output) * curve_output(self.curve, level)
        return min(self.max_duty, max(1, round(fraction * self.max_duty)))

    def level(self, duty: int) -> float:
        """Return the level a duty shows, the inverse of `duty` up to one step of resolution."""
        if duty <= 0:
            return 0.0
        fraction = duty / self.max_duty
        span = self.max_output - self.min_output
        return curve_level(self.curve, (fraction - self.min_output) / span)
