"""Each condition over a stream of readings: raising, clearing, hysteresis, windows and unavailable probes."""

from __future__ import annotations

import itertools
import random

import pytest

from custom_components.bellas_reef.safety import Above, Below, Flatline, Outside, Rate, Rule, Stale

from .helpers import PROBE, at, feed, raised_after_each, watch


def rule(condition: Above | Below | Outside | Rate | Stale | Flatline, hysteresis: float = 0.0) -> Rule:
    return Rule("rule", "Test rule", PROBE, condition, hysteresis=hysteresis)


def test_above_raises_past_the_limit_and_clears_only_past_the_hysteresis() -> None:
    values = [27.7, 27.8, 27.85, 27.75, 27.81, 27.6, 27.5, 27.9]
    assert raised_after_each(rule(Above(27.8), 0.3), values) == [
        False,  # below
        False,  # at the limit is not above it
        True,
        True,  # back under the limit but within the hysteresis
        True,
        True,
        False,  # 27.8 − 0.3
        True,
    ]


def flips(flags: list[bool]) -> int:
    """How many times a rule changed state."""
    return sum(1 for before, after in itertools.pairwise(flags) if before != after)


def test_above_does_not_flap_on_a_noisy_value_at_the_limit() -> None:
    noise = random.Random(7)
    values = [27.8 + noise.uniform(-0.1, 0.1) for _ in range(200)]
    assert flips(raised_after_each(rule(Above(27.8), 0.3), values)) == 1
    assert flips(raised_after_each(rule(Above(27.8)), values)) > 20


def test_below_mirrors_above() -> None:
    values = [24.5, 24.0, 23.9, 24.1, 24.29, 24.3, 23.0]
    assert raised_after_each(rule(Below(24.0), 0.3), values) == [False, False, True, True, True, False, True]


def test_outside_raises_on_either_side_and_clears_inside_the_hysteresis_band() -> None:
    values = [8.0, 8.51, 8.47, 8.44, 7.79, 7.84, 7.86, 8.2]
    assert raised_after_each(rule(Outside(7.8, 8.5), 0.05), values) == [
        False,
        True,
        True,
        False,
        True,
        True,
        False,
        False,
    ]


def test_outside_reports_the_nearer_end_of_the_range() -> None:
    engine = watch(rule(Outside(7.8, 8.5), 0.05))
    raised_high = feed(engine, [(0, 8.6)])
    cleared = feed(engine, [(1, 8.2)])
    raised_low = feed(engine, [(2, 7.6)])
    assert [(t.raised, t.value, t.limit) for t in raised_high + cleared + raised_low] == [
        (True, 8.6, 8.5),
        (False, 8.2, 8.5),
        (True, 7.6, 7.8),
    ]


def test_an_unavailable_probe_neither_raises_nor_clears_a_limit_rule() -> None:
    assert raised_after_each(rule(Above(27.8), 0.3), [None, 28.0, None, None, 27.0, None]) == [
        False,
        True,
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("condition", "breach"),
    [(Below(24.0), 23.0), (Rate(1.0, 10), 30.0)],
    ids=["below", "rate"],
)
def test_other_limit_rules_hold_while_the_probe_is_unavailable(
    condition: Below | Rate, breach: float
) -> None:
    engine = watch(rule(condition))
    assert feed(engine, [(0, None)]) == []  # nothing known yet
    raised = feed(engine, [(minute, 25.0) for minute in range(1, 12)] + [(12, breach)])
    assert [t.raised for t in raised] == [True]
    assert feed(engine, [(minute, None) for minute in range(13, 60)]) == []
    assert engine.states["rule"].raised


def test_rate_is_the_change_over_the_window_and_clears_past_the_hysteresis() -> None:
    """Flat for 30 min, rising 3.75 °/h for 16 min, then flat: raised while the 30-min change is too fast."""
    minutes = range(100)
    values = [25.0 + 0.0625 * min(max(minute - 30, 0), 16) for minute in minutes]
    engine = watch(rule(Rate(1.0, 30), 0.25))
    transitions = feed(engine, zip(minutes, values, strict=True))
    assert [(t.raised, t.time, t.value) for t in transitions] == [
        (True, at(39), 1.125),  # 9 × 0.0625 over half an hour
        (False, at(70), 0.75),  # back to the limit 1.0 less the hysteresis 0.25
    ]


def test_rate_without_hysteresis_clears_as_soon_as_it_is_back_at_the_limit() -> None:
    minutes = range(100)
    values = [25.0 + 0.0625 * min(max(minute - 30, 0), 16) for minute in minutes]
    transitions = feed(watch(rule(Rate(1.0, 30))), zip(minutes, values, strict=True))
    assert [(t.raised, t.time) for t in transitions] == [(True, at(39)), (False, at(68))]


def test_rate_counts_falls_too() -> None:
    engine = watch(rule(Rate(1.0, 30)))
    transitions = feed(engine, [(minute, 25.0) for minute in range(31)] + [(31, 24.0)])
    assert [(t.raised, t.value, t.limit) for t in transitions] == [(True, -2.0, 1.0)]


def test_rate_interpolates_the_value_at_the_start_of_the_window() -> None:
    engine = watch(rule(Rate(5.0, 15)))
    transitions = feed(engine, [(0, 24.0), (20, 26.0), (30, 26.0)])
    assert [(t.raised, t.time) for t in transitions] == [(True, at(20)), (False, at(30))]
    assert transitions[0].value == pytest.approx(6.0)  # 26 − (24 + 2 × 5/20), over a quarter hour
    assert transitions[1].value == pytest.approx(2.0)  # 26 − (24 + 2 × 15/20)


def test_rate_waits_until_the_readings_cover_a_whole_window() -> None:
    engine = watch(rule(Rate(1.0, 30)))
    assert feed(engine, [(0, 25.0), (5, 30.0), (29, 30.0)]) == []
    assert engine.states["rule"].value is None
    assert [t.raised for t in feed(engine, [(31, 30.0)])] == [True]


def test_stale_raises_after_the_minutes_without_a_value_and_a_fresh_value_clears_it() -> None:
    engine = watch(rule(Stale(10)))
    assert engine.tick(at(9.9)).transitions == ()  # silence counts from the start before any value
    raised = list(engine.tick(at(10)).transitions)
    cleared = feed(engine, [(12, 25.0)])
    unavailable = feed(engine, [(minute, None) for minute in range(13, 22)])
    raised_again = feed(engine, [(22, None)])
    assert [(t.raised, t.time, t.value, t.limit) for t in raised + cleared + unavailable + raised_again] == [
        (True, at(10), 10.0, 10.0),
        (False, at(12), 0.0, 10.0),
        (True, at(22), 10.0, 10.0),  # unavailable reports are no values
    ]


def test_stale_is_kept_off_by_repeated_values() -> None:
    engine = watch(rule(Stale(10)))
    assert feed(engine, [(minute, 25.0) for minute in range(0, 60, 5)]) == []


def wobble(minute: int) -> float:
    """A live probe: 0.01 of noise on a slow swing of ±0.1."""
    return 25.0 + 0.1 * ((minute // 10) % 2) + 0.01 * (minute % 2)


def test_flatline_raises_after_the_minutes_within_the_noise_band() -> None:
    engine = watch(rule(Flatline(30, 0.02)))
    assert feed(engine, [(minute, 25.0 + 0.01 * (minute % 2)) for minute in range(30)]) == []
    transitions = feed(engine, [(30, 25.0)])
    assert [(t.raised, t.time, t.limit) for t in transitions] == [(True, at(30), 0.02)]
    assert transitions[0].value == pytest.approx(0.01)


def test_flatline_stays_off_for_a_live_probe() -> None:
    assert feed(watch(rule(Flatline(30, 0.02))), [(minute, wobble(minute)) for minute in range(180)]) == []


def test_flatline_clears_on_movement_and_needs_a_whole_window_to_raise_again() -> None:
    engine = watch(rule(Flatline(30, 0.02)))
    stuck = feed(engine, [(minute, 25.0) for minute in range(40)])
    moved = feed(engine, [(40, 25.05)])
    still_after = feed(engine, [(minute, 25.05) for minute in range(41, 70)])
    raised_again = feed(engine, [(70, 25.05)])
    assert [(t.raised, t.time) for t in stuck + moved + still_after + raised_again] == [
        (True, at(30)),
        (False, at(40)),
        (True, at(70)),
    ]


def test_flatline_catches_a_probe_that_stops_sending_new_values() -> None:
    engine = watch(rule(Flatline(30, 0.0)))
    feed(engine, [(0, 25.0)])
    assert engine.tick(at(29)).transitions == ()
    assert [t.raised for t in engine.tick(at(30)).transitions] == [True]


def test_flatline_holds_while_the_probe_is_unavailable() -> None:
    engine = watch(rule(Flatline(30, 0.02)))
    feed(engine, [(minute, 25.0) for minute in range(31)])
    assert engine.states["rule"].raised
    assert feed(engine, [(minute, None) for minute in range(31, 100)]) == []
    assert engine.states["rule"].raised


def test_reports_out_of_order_from_unknown_sources_or_not_numbers_are_handled() -> None:
    engine = watch(rule(Above(27.8)))
    assert engine.record(PROBE, at(5), 28.0)
    assert not engine.record(PROBE, at(4), 25.0)  # older than the last report: ignored
    assert not engine.record("another_probe", at(5), 30.0)
    assert [t.raised for t in engine.tick(at(5)).transitions] == [True]
    assert engine.record(PROBE, at(6), float("nan"))  # taken, as unavailable
    assert engine.tick(at(6)).transitions == ()
    assert engine.states["rule"].raised
