"""Rules on binary sensors: on, off, on for a time, the leak default, and sensors that drop out."""

from __future__ import annotations

import pytest

from custom_components.bellas_reef.safety import (
    BINARY_CONDITIONS,
    Actions,
    Derate,
    IsOff,
    IsOn,
    OnFor,
    Rule,
    RuleError,
    SafetyEngine,
    condition_from_dict,
    convert_temperature_rule,
    leak_rule,
    rules_from_list,
)
from custom_components.bellas_reef.safety.defaults import CELSIUS, FAHRENHEIT

from .helpers import START, at, feed

LEAK = "binary_sensor.sump_leak"


def watch(*rules: Rule) -> SafetyEngine:
    return SafetyEngine(rules, probes={LEAK}, now=START)


def raised(engine: SafetyEngine, rule_id: str = "r") -> bool:
    return engine.states[rule_id].raised


def test_on_raises_while_the_sensor_is_on_and_clears_the_moment_it_is_off() -> None:
    engine = watch(Rule("r", "Leak", LEAK, IsOn()))
    flags = []
    for minute, value in enumerate([0.0, 1.0, 1.0, 0.0, 1.0]):
        feed(engine, [(minute, value)], LEAK)
        flags.append(raised(engine))
    assert flags == [False, True, True, False, True]


def test_off_mirrors_on() -> None:
    engine = watch(Rule("r", "Lid open", LEAK, IsOff()))
    flags = []
    for minute, value in enumerate([1.0, 0.0, 1.0]):
        feed(engine, [(minute, value)], LEAK)
        flags.append(raised(engine))
    assert flags == [False, True, False]


def test_an_unavailable_sensor_neither_raises_nor_clears() -> None:
    engine = watch(Rule("r", "Leak", LEAK, IsOn()), Rule("o", "Lid", LEAK, IsOff()))
    feed(engine, [(0, None)], LEAK)
    assert not raised(engine)
    assert not raised(engine, "o")
    feed(engine, [(1, 1.0), (2, None)], LEAK)
    assert raised(engine), "a wet sensor that drops out keeps the pump off"
    feed(engine, [(3, 0.0)], LEAK)
    assert not raised(engine)


def test_on_for_waits_the_whole_period_and_any_break_restarts_it() -> None:
    engine = watch(Rule("r", "Float stuck", LEAK, OnFor(120)))
    feed(engine, [(0, 0.0), (1, 1.0)], LEAK)
    for seconds, expected in ((60, False), (119, False), (120, True), (600, True)):
        engine.tick(at(1 + seconds / 60))
        assert raised(engine) is expected, seconds
    assert engine.states["r"].value == pytest.approx(600)
    feed(engine, [(12, 0.0)], LEAK)
    assert not raised(engine)
    feed(engine, [(13, 1.0), (14, 1.0)], LEAK)
    assert not raised(engine), "a repeat of on does not restart the count, but two minutes have not passed"
    engine.tick(at(15))
    assert raised(engine)


def test_on_for_counts_a_sensor_already_on_from_when_watching_began() -> None:
    engine = SafetyEngine([Rule("r", "Float stuck", LEAK, OnFor(300))], probes={LEAK}, now=START)
    engine.record(LEAK, at(0), 1.0)
    engine.tick(at(4))
    assert not raised(engine)
    engine.tick(at(5))
    assert raised(engine)


def test_on_for_keeps_counting_a_long_run_of_repeats() -> None:
    """Reports older than the period are dropped; a run that began before them is still a whole period on."""
    engine = watch(Rule("r", "Float stuck", LEAK, OnFor(60)))
    feed(engine, [(minute, 1.0) for minute in range(10)], LEAK)
    assert raised(engine)
    assert engine.states["r"].value >= 60


def test_on_for_keeps_its_verdict_while_the_sensor_is_unavailable() -> None:
    engine = watch(Rule("r", "Float stuck", LEAK, OnFor(60)))
    feed(engine, [(0, 1.0)], LEAK)
    engine.tick(at(1.5))
    feed(engine, [(2, None)], LEAK)
    engine.tick(at(30))
    assert raised(engine)
    feed(engine, [(31, 0.0)], LEAK)
    assert not raised(engine)


def test_binary_conditions_round_trip_and_reject_bad_periods() -> None:
    for condition in (IsOn(), IsOff(), OnFor(30)):
        assert condition_from_dict(condition.to_dict()) == condition
        assert condition.kind in BINARY_CONDITIONS
        assert condition.converted(float, float) is condition
    for seconds, key in ((0, "out_of_range"), (86401, "out_of_range"), (1.5, "invalid_integer")):
        with pytest.raises(RuleError) as caught:
            OnFor(seconds)  # type: ignore[arg-type]
        assert caught.value.translation_key == key
    with pytest.raises(RuleError) as caught:
        condition_from_dict({"kind": "on_for", "seconds": True})
    assert caught.value.translation_key == "invalid_integer"


@pytest.mark.parametrize("condition", [IsOn(), IsOff(), OnFor(30)])
def test_binary_rules_take_no_hysteresis_and_no_derate(condition: IsOn | IsOff | OnFor) -> None:
    with pytest.raises(RuleError) as caught:
        Rule("r", "Leak", LEAK, condition, hysteresis=0.5)
    assert caught.value.translation_key == "hysteresis_not_used"
    with pytest.raises(RuleError) as caught:
        Rule("r", "Leak", LEAK, condition, Actions(derate_lights=Derate(1.0, 0.5)))
    assert caught.value.translation_key == "derate_needs_limit"


def test_a_binary_rule_is_not_converted_between_temperature_units() -> None:
    rule = Rule("r", "Leak", LEAK, OnFor(30))
    assert convert_temperature_rule(rule, FAHRENHEIT, CELSIUS) == rule


def test_the_leak_default_stops_the_return_pump_and_the_top_off_with_an_alert() -> None:
    rule = leak_rule("sump_leak", "Sump leak", LEAK)
    assert rules_from_list([rule.to_dict()]) == (rule,)
    engine = watch(rule)
    feed(engine, [(0, 1.0)], LEAK)
    outcome = engine.outcome
    assert dict(outcome.outlets) == {"ato": False, "return_pump": False}
    assert outcome.notify == ("sump_leak",)
    assert not outcome.forced_off
    assert not outcome.safety_mode
    feed(engine, [(1, 0.0)], LEAK)
    assert dict(engine.outcome.outlets) == {}
