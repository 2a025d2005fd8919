"""Seeded randomness and the shapes of clouds, storms and lightning flashes.

Everything is a pure function of (seed, time): the engine keeps no random state, so a restart, a preview and
two channels given the same seed all see the same sky.
"""

from __future__ import annotations

from functools import lru_cache
import math
from typing import NamedTuple

_MASK = (1 << 64) - 1
_TWO_TO_64 = float(1 << 64)

# is_flash stays set this long after a flash so the drop back is not smoothed either.
FLASH_TAIL_SECONDS = 0.2
_SUBFLASH_ON_SECONDS = 0.08
_SUBFLASH_GAP_SECONDS = 0.07
_STORM_SLOT_SECONDS = 2.5


class Sample(NamedTuple):
    """A level and whether it is a flash (a step the output must show at once, not ramp to)."""

    level: float
    is_flash: bool


def _mix(value: int) -> int:
    """SplitMix64 finaliser: a well-spread 64-bit hash."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


@lru_cache(maxsize=4096)
def unit(seed: int, stream: int, index: int) -> float:
    """A uniform number in [0, 1) fixed by (seed, stream, index).

    Cached: at 20 Hz an effect asks for the same few numbers for seconds on end (a noise knot lasts 9–30 s, a
    storm slot 2.5 s), and a look-up costs a fifth of the hashing.
    """
    return _mix(_mix((seed & _MASK) ^ (stream << 56)) ^ (index & _MASK)) / _TWO_TO_64


def value_noise(seed: int, stream: int, time: float, period: float) -> float:
    """Smooth random curve in [0, 1): random values every ``period`` seconds joined by cosine easing."""
    position = time / period
    index = math.floor(position)
    ease = (1.0 - math.cos(math.pi * (position - index))) / 2.0
    before = unit(seed, stream, index)
    return before + (unit(seed, stream, index + 1) - before) * ease


def envelope(time: float, start: float, end: float) -> float:
    """0→1→0 fade over the first and last 20 s (or quarter) of an effect, so it eases in and out."""
    fade = min(20.0, (end - start) / 4.0)
    if fade <= 0.0:
        return 1.0 if start <= time < end else 0.0
    return max(0.0, min(1.0, (time - start) / fade, (end - time) / fade))


def cloud_cover(seed: int, time: float, strength: float) -> float:
    """How much of a passing cloud covers the light at ``time`` (0..1); ``strength`` is the sky's share covered.

    Two octaves of value noise (30 s and 9 s) give clouds of varied size; everything above the 1 − strength
    quantile is cloud, with a soft 0.2-wide edge so a cloud's shadow slides in rather than snapping.
    """
    noise = 0.7 * value_noise(seed, 1, time, 30.0) + 0.3 * value_noise(seed, 2, time, 9.0)
    edge = (noise - (1.0 - strength)) / 0.2
    if edge <= 0.0:
        return 0.0
    if edge >= 1.0:
        return 1.0
    return edge * edge * (3.0 - 2.0 * edge)


def _flash_group(time: float, group_start: float, subflashes: int, brightness: float) -> Sample | None:
    """A burst of ``subflashes`` quick flickers starting at ``group_start``, or None outside it."""
    offset = time - group_start
    period = _SUBFLASH_ON_SECONDS + _SUBFLASH_GAP_SECONDS
    length = subflashes * period - _SUBFLASH_GAP_SECONDS
    if offset < 0.0 or offset >= length + FLASH_TAIL_SECONDS:
        return None
    lit = offset < length and offset % period < _SUBFLASH_ON_SECONDS
    return Sample(brightness if lit else 0.0, True)


def _flash_over(base: float, flash: Sample | None) -> Sample:
    if flash is None:
        return Sample(base, False)
    return Sample(max(base, flash.level), True)


def storm(seed: int, time: float, *, start: float, end: float, strength: float, base: float) -> Sample:
    """``base`` darkened by a storm with random lightning, for a storm running from ``start`` to ``end``.

    Darkening reaches 30 % + 60 % × strength; time is cut into 2.5 s slots and each slot holds a burst of one
    to three flickers with a chance of 8 % + 30 % × strength, at a random moment and brightness.
    """
    fade = envelope(time, start, end)
    variation = 0.85 + 0.15 * value_noise(seed, 3, time, 20.0)
    level = base * (1.0 - (0.3 + 0.6 * strength) * fade * variation)
    slot = math.floor((time - start) / _STORM_SLOT_SECONDS)
    if unit(seed, 4, slot) >= (0.08 + 0.3 * strength) * fade:
        return Sample(level, False)
    subflashes = 1 + int(unit(seed, 5, slot) * 3)
    span = (
        _STORM_SLOT_SECONDS - subflashes * (_SUBFLASH_ON_SECONDS + _SUBFLASH_GAP_SECONDS) - FLASH_TAIL_SECONDS
    )
    group_start = start + slot * _STORM_SLOT_SECONDS + unit(seed, 6, slot) * span
    brightness = (0.6 + 0.4 * unit(seed, 7, slot)) * (0.5 + 0.5 * strength)
    return _flash_over(level, _flash_group(time, group_start, subflashes, brightness))


def lightning(
    seed: int, time: float, *, start: float, end: float, flashes: int, strength: float, base: float
) -> Sample:
    """``base`` with ``flashes`` bursts spread over ``start``..``end``, each as bright as ``strength``.

    The bursts are stratified (one per equal share of the duration, at a random point in it) so a burst of N
    is really N distinct flashes however short the event.
    """
    share = (end - start) / flashes
    index = min(max(math.floor((time - start) / share), 0), flashes - 1)
    subflashes = 1 + int(unit(seed, 8, index) * 3)
    burst = subflashes * (_SUBFLASH_ON_SECONDS + _SUBFLASH_GAP_SECONDS)
    group_start = start + index * share + unit(seed, 9, index) * max(0.0, share - burst - FLASH_TAIL_SECONDS)
    brightness = strength * (0.8 + 0.2 * unit(seed, 10, index))
    return _flash_over(base, _flash_group(time, group_start, subflashes, brightness))
