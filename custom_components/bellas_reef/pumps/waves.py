"""What speed a DC pump runs at, at a given instant, for each mode.

Speeds are shares of full speed (0..1). Time is seconds since the epoch, so two pumps of a gyre share one clock
and a restart does not shift any wave.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import math
import random


class PumpMode(StrEnum):
    """The keeper's choice of flow."""

    CONSTANT = "constant"
    PULSE = "pulse"
    RANDOM = "random"
    GYRE = "gyre"
    TIDAL = "tidal"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class PumpSettings:
    """How one pump's modes behave.

    `speed` is the set (high) speed and `low` the low one of pulse, random, gyre and tidal; `on_seconds` and
    `off_seconds` the two halves of a pulse; `random_seconds` how often a random speed is drawn (the pump glides
    between draws); `gyre_seconds` how long each pump of a gyre leads; `second_of_gyre` which side this pump is;
    `tide_hours` a full swell; `min_speed` the speed below which the pump stalls (any slower speed runs at it);
    `feed_speed` its speed in feed mode.
    """

    speed: float = 1.0
    low: float = 0.3
    on_seconds: float = 5.0
    off_seconds: float = 5.0
    random_seconds: float = 10.0
    gyre_seconds: float = 300.0
    second_of_gyre: bool = False
    tide_hours: float = 6.0
    min_speed: float = 0.0
    feed_speed: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        """Refuse settings no wave can be made of."""
        for name in ("speed", "low", "min_speed", "feed_speed"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be from 0 to 1, not {getattr(self, name)!r}")
        for name in ("on_seconds", "off_seconds", "random_seconds", "gyre_seconds", "tide_hours"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be above 0, not {getattr(self, name)!r}")


def _draw(settings: PumpSettings, slot: int) -> float:
    """The random speed of one slot: the same for the same seed and slot, whenever it is asked."""
    low, high = sorted((settings.low, settings.speed))
    return random.Random(f"{settings.seed}:{slot}").uniform(low, high)  # noqa: S311 - a wave, not a secret


def _wave(mode: PumpMode, settings: PumpSettings, now: float) -> float:
    high, low = settings.speed, settings.low
    match mode:
        case PumpMode.PULSE:
            period = settings.on_seconds + settings.off_seconds
            return high if now % period < settings.on_seconds else low
        case PumpMode.RANDOM:
            slot, into = divmod(now, settings.random_seconds)
            start, end = _draw(settings, int(slot)), _draw(settings, int(slot) + 1)
            return start + (end - start) * into / settings.random_seconds
        case PumpMode.GYRE:
            leading = int(now // settings.gyre_seconds) % 2 == 0
            return high if leading != settings.second_of_gyre else low
        case PumpMode.TIDAL:
            phase = now / (settings.tide_hours * 3600) * 2 * math.pi
            return low + (high - low) * (1 - math.cos(phase)) / 2
        case PumpMode.FEED:
            return settings.feed_speed
    return high


def pump_speed(mode: PumpMode, settings: PumpSettings, now: float) -> float:
    """The speed of `mode` at `now` (seconds since the epoch); never between 0 and the stall speed."""
    speed = _wave(mode, settings, now)
    if speed <= 0.0:
        return 0.0
    return max(speed, settings.min_speed)
