"""The thermostat without Home Assistant: hysteresis, minimum times, cooling, ranges, and the heater watch."""

from __future__ import annotations

import pytest

from custom_components.bellas_reef.thermostat import (
    Action,
    Alarm,
    HeaterWatch,
    Mode,
    Settings,
    Thermostat,
    ThermostatError,
)


def run(thermostat: Thermostat, series: list[tuple[float, float | None]]) -> list[tuple[bool, bool]]:
    """(heater, chiller) after each (second, temperature)."""
    states = []
    for second, temperature in series:
        thermostat.update(second, temperature)
        outlets = thermostat.outlets
        states.append((outlets["heater"], outlets["chiller"]))
    return states


def test_heat_cycles_around_the_target_with_hysteresis() -> None:
    thermostat = Thermostat(Settings(hysteresis=0.2, min_on=0, min_off=0))
    thermostat.mode = Mode.HEAT
    thermostat.set_target(25.0)
    temps = [25.0, 24.9, 24.8, 24.9, 25.1, 25.2, 25.1, 24.9, 24.8]
    heater = [state[0] for state in run(thermostat, list(enumerate(temps)))]
    assert heater == [False, False, True, True, True, False, False, False, True]
    assert thermostat.action is Action.HEATING


def test_minimum_times_hold_the_relay() -> None:
    thermostat = Thermostat(Settings(hysteresis=0.2, min_on=60, min_off=120))
    thermostat.mode = Mode.HEAT
    thermostat.set_target(25.0)
    series = [(0, 24.0), (30, 26.0), (59, 26.0), (60, 26.0), (100, 24.0), (179, 24.0), (180, 24.0)]
    assert [state[0] for state in run(thermostat, series)] == [True, True, True, False, False, False, True]


def test_cool_mirrors_heat_and_off_holds_both_off() -> None:
    thermostat = Thermostat(Settings(hysteresis=0.2, min_on=0, min_off=0))
    thermostat.mode = Mode.COOL
    thermostat.set_target(26.0)
    chiller = [state[1] for state in run(thermostat, list(enumerate([26.1, 26.2, 26.0, 25.8, 25.7])))]
    assert chiller == [False, True, True, False, False]
    run(thermostat, [(10, 27.0)])
    assert thermostat.action is Action.COOLING
    thermostat.mode = Mode.OFF
    assert run(thermostat, [(11, 27.0)]) == [(False, False)]
    assert thermostat.action is Action.OFF


def test_heat_cool_keeps_a_range_and_never_runs_both() -> None:
    thermostat = Thermostat(Settings(hysteresis=0.2, min_on=0, min_off=0))
    thermostat.mode = Mode.HEAT_COOL
    thermostat.set_range(25.0, 26.0)
    states = run(thermostat, list(enumerate([24.7, 25.1, 25.3, 26.3, 25.9, 25.7])))
    assert [heater for heater, _ in states] == [True, True, False, False, False, False]
    assert [chiller for _, chiller in states] == [False, False, False, True, True, False]
    assert thermostat.action is Action.IDLE


def test_an_unreadable_probe_changes_nothing() -> None:
    thermostat = Thermostat(Settings(min_on=0, min_off=0))
    thermostat.mode = Mode.HEAT
    thermostat.set_target(25.0)
    assert run(thermostat, [(0, 24.0), (1, None)]) == [(True, False), (True, False)]


def test_bad_settings_are_refused() -> None:
    for make, key in (
        (lambda: Settings(hysteresis=0), "thermostat_out_of_range"),
        (lambda: Settings(min_on=float("nan")), "thermostat_not_a_number"),
        (lambda: Thermostat(Settings()).set_target(50), "thermostat_out_of_range"),
        (lambda: Thermostat(Settings(hysteresis=0.5)).set_range(25.0, 25.9), "thermostat_range_too_narrow"),
        (lambda: HeaterWatch(0, 0.3), "thermostat_out_of_range"),
    ):
        with pytest.raises(ThermostatError) as caught:
            make()
        assert caught.value.translation_key == key


def test_not_heating_fires_once_and_clears_when_the_water_warms() -> None:
    watch = HeaterWatch(30, 0.3)
    changes = []
    for minute, temperature in [(0, 24.0), (20, 24.1), (30, 24.1), (40, 24.1), (50, 24.35)]:
        changes.append(watch.update(minute * 60, temperature, heater_on=True))
    assert changes == [[], [], [(Alarm.NOT_HEATING, True)], [], [(Alarm.NOT_HEATING, False)]]


def test_not_heating_clears_when_the_heater_goes_off() -> None:
    watch = HeaterWatch(10, 0.3)
    watch.update(0, 24.0, heater_on=True)
    assert watch.update(600, 24.0, heater_on=True) == [(Alarm.NOT_HEATING, True)]
    assert watch.update(601, None, heater_on=False) == []
    assert watch.update(602, 24.0, heater_on=False) == [(Alarm.NOT_HEATING, False)]


def test_stuck_on_fires_once_while_the_water_rises_and_clears_when_it_stops() -> None:
    watch = HeaterWatch(10, 0.3)
    series = [(0, 25.0), (5, 25.2), (10, 25.35), (12, 25.4), (15, 25.5), (20, 25.5), (32, 25.5)]
    changes = [watch.update(minute * 60, temperature, heater_on=False) for minute, temperature in series]
    assert changes == [[], [], [(Alarm.STUCK_ON, True)], [], [], [], [(Alarm.STUCK_ON, False)]]


def test_water_warming_with_the_heater_on_is_no_fault() -> None:
    watch = HeaterWatch(10, 0.3)
    series = [(0, 25.0), (5, 25.2), (10, 25.4), (20, 25.8)]
    assert [watch.update(minute * 60, temperature, heater_on=True) for minute, temperature in series] == [
        []
    ] * 4
