"""The simulated tank's physics, without Home Assistant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.bellas_reef.hardware.tank import ProbeKind, TankModel

START = datetime(2026, 6, 1, tzinfo=UTC)


def _run(tank: TankModel, hours: float, light: float) -> None:
    now = tank.last_update or START
    tank.advance(now, light)
    tank.advance(now + timedelta(hours=hours), light)


def test_heater_holds_the_set_point_in_the_dark() -> None:
    """In a cold room the heater cycles and keeps the water within a few tenths of its set point."""
    tank = TankModel(room_c=20.0, temperature_c=23.0)
    _run(tank, 24, 0.0)
    assert tank.temperature_c == pytest.approx(tank.heater_set_point_c, abs=0.3)


def test_lights_warm_the_water_above_the_set_point_in_a_warm_room() -> None:
    """With the heater off (room at the set point) the lights alone push the water above it."""
    tank = TankModel(room_c=25.5, temperature_c=25.5)
    _run(tank, 12, 1.0)
    assert tank.temperature_c > 26.5
    assert not tank.heater_on


def test_ph_follows_the_photoperiod() -> None:
    """pH climbs toward its day value under light and falls back in the dark."""
    tank = TankModel(ph=7.95)
    _run(tank, 8, 1.0)
    day = tank.ph
    assert day > 8.15
    _run(tank, 10, 0.0)
    assert tank.ph < day - 0.15


def test_time_going_backwards_changes_nothing() -> None:
    """A clock step back (or the same instant twice) leaves the water as it was."""
    tank = TankModel()
    tank.advance(START, 1.0)
    tank.advance(START + timedelta(hours=1), 1.0)
    before = (tank.temperature_c, tank.ph)
    tank.advance(START, 1.0)
    assert (tank.temperature_c, tank.ph) == before


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [
        (ProbeKind.TEMPERATURE, 24.0, 27.0),
        (ProbeKind.PH, 7.8, 8.4),
        (ProbeKind.ORP, 300.0, 420.0),
        (ProbeKind.SALINITY, 34.0, 36.0),
        (ProbeKind.CONDUCTIVITY, 50_000.0, 56_000.0),
        (ProbeKind.DISSOLVED_OXYGEN, 6.0, 8.0),
    ],
)
def test_probe_values_are_plausible_and_repeatable(kind: ProbeKind, low: float, high: float) -> None:
    """Every kind reads a value a real reef shows, and the same history gives the same value."""
    first, second = TankModel(), TankModel()
    for tank in (first, second):
        _run(tank, 3, 0.6)
    assert low < first.value(kind) < high
    assert first.value(kind) == second.value(kind)
    assert TankModel().value(kind) == pytest.approx(first.value(kind), rel=0.05)
