"""Pump waveforms without Home Assistant: each mode's period, bounds and phase, and the stall speed."""

from __future__ import annotations

import itertools

import pytest

from custom_components.bellas_reef.pumps import PumpMode, PumpSettings, pump_speed

SETTINGS = PumpSettings(speed=0.9, low=0.3, on_seconds=2, off_seconds=3, random_seconds=10, gyre_seconds=60)


def test_constant_and_pulse() -> None:
    """Constant holds the set speed; a pulse is `on_seconds` high then `off_seconds` low, over and over."""
    assert {pump_speed(PumpMode.CONSTANT, SETTINGS, t / 10) for t in range(100)} == {0.9}
    wave = [pump_speed(PumpMode.PULSE, SETTINGS, t / 10) for t in range(100)]
    assert wave[:20] == [0.9] * 20
    assert wave[20:50] == [0.3] * 30
    assert wave[50:100] == wave[:50]


def test_random_wanders_within_bounds_and_repeats() -> None:
    """Random speeds stay between low and set speed, glide between draws, and are the same when asked again."""
    wave = [pump_speed(PumpMode.RANDOM, SETTINGS, t) for t in range(0, 3600, 1)]
    assert min(wave) >= 0.3
    assert max(wave) <= 0.9
    assert len({round(v, 3) for v in wave}) > 100
    assert max(abs(a - b) for a, b in itertools.pairwise(wave)) <= 0.6 / 10 + 1e-9
    assert wave == [pump_speed(PumpMode.RANDOM, SETTINGS, t) for t in range(0, 3600, 1)]
    other = PumpSettings(speed=0.9, low=0.3, seed=1)
    assert pump_speed(PumpMode.RANDOM, other, 5) != pump_speed(PumpMode.RANDOM, SETTINGS, 5)


def test_gyre_alternates_two_pumps() -> None:
    """Each side of a gyre leads for `gyre_seconds`, then the other does: never both high."""
    second = PumpSettings(speed=0.9, low=0.3, gyre_seconds=60, second_of_gyre=True)
    for t in range(0, 600, 7):
        first_speed, second_speed = (
            pump_speed(PumpMode.GYRE, SETTINGS, t),
            pump_speed(PumpMode.GYRE, second, t),
        )
        assert {first_speed, second_speed} == {0.9, 0.3}
    assert pump_speed(PumpMode.GYRE, SETTINGS, 30) == 0.9
    assert pump_speed(PumpMode.GYRE, SETTINGS, 90) == 0.3


def test_tidal_swells_over_hours() -> None:
    """A tide goes from low up to the set speed and back over `tide_hours`."""
    tide = PumpSettings(speed=1.0, low=0.2, tide_hours=6)
    assert pump_speed(PumpMode.TIDAL, tide, 0) == pytest.approx(0.2)
    assert pump_speed(PumpMode.TIDAL, tide, 3 * 3600) == pytest.approx(1.0)
    assert pump_speed(PumpMode.TIDAL, tide, 6 * 3600) == pytest.approx(0.2)
    assert pump_speed(PumpMode.TIDAL, tide, 1.5 * 3600) == pytest.approx(0.6)


def test_feed_and_stall_speed() -> None:
    """Feed runs at the feed speed; anything slower than the stall speed but not off runs at it."""
    stalling = PumpSettings(speed=0.9, low=0.05, min_speed=0.25, feed_speed=0.1, on_seconds=1, off_seconds=1)
    assert pump_speed(PumpMode.FEED, stalling, 0) == 0.25
    assert pump_speed(PumpMode.PULSE, stalling, 1.5) == 0.25
    assert pump_speed(PumpMode.FEED, PumpSettings(feed_speed=0.0, min_speed=0.3), 0) == 0.0
    for bad in ({"speed": 1.5}, {"low": -0.1}, {"on_seconds": 0}, {"tide_hours": -1}):
        with pytest.raises(ValueError, match="must be"):
            PumpSettings(**bad)  # type: ignore[arg-type]
