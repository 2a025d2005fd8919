"""The engine's combined outcome: derating, lights off, outlet conflicts, restore, orphans and event data."""

from __future__ import annotations

import datetime as dt

import pytest

from custom_components.bellas_reef.safety import (
    Above,
    Actions,
    Below,
    Derate,
    HeaterFailsafe,
    Outside,
    Rate,
    Rule,
    RuleError,
    SafetyEngine,
    SafetyOutcome,
    Stale,
    combine_outlets,
)

from .helpers import PROBE, START, at, feed, watch

PH_PROBE = "probe_ph"


def derating(limit: float = 27.8, span: float = 1.0, floor: float = 0.3, rule_id: str = "hot") -> Rule:
    return Rule(
        rule_id, "Hot", PROBE, Above(limit), Actions(derate_lights=Derate(span, floor)), hysteresis=0.3
    )


@pytest.mark.parametrize(
    ("value", "derate"),
    [
        (27.7, 1.0),  # not raised
        (27.8, 1.0),  # at the limit: not raised, full output
        (27.9, 0.93),  # a tenth of the span: a tenth of the way to the floor
        (28.3, 0.65),  # half the span
        (28.8, 0.3),  # the whole span: the floor
        (30.0, 0.3),  # beyond: still the floor
    ],
)
def test_derate_falls_linearly_from_the_limit_to_the_floor(value: float, derate: float) -> None:
    engine = watch(derating())
    feed(engine, [(0, value)])
    assert engine.outcome.derate == pytest.approx(derate)
    assert not engine.outcome.forced_off


def test_derate_follows_the_value_while_raised_and_is_full_within_the_hysteresis() -> None:
    engine = watch(derating())
    derates = []
    for minute, value in enumerate([28.8, 28.3, 27.9, 27.6, 27.4]):
        feed(engine, [(minute, value)])
        derates.append(engine.outcome.derate)
    assert derates == pytest.approx([0.3, 0.65, 0.93, 1.0, 1.0])
    assert engine.outcome.raised == ()


def test_the_deepest_derate_wins() -> None:
    gentle = derating(span=2.0, floor=0.5, rule_id="gentle")
    steep = derating(span=0.5, floor=0.2, rule_id="steep")
    engine = watch(gentle, steep)
    feed(engine, [(0, 28.3)])
    assert engine.outcome.derate == pytest.approx(0.2)
    assert engine.outcome.raised == ("gentle", "steep")


def test_a_rate_rule_derates_on_its_excess_per_hour() -> None:
    rule = Rule("fast", "Fast", PROBE, Rate(1.0, 60), Actions(derate_lights=Derate(2.0, 0.0)))
    engine = watch(rule)
    feed(engine, [(0, 25.0), (60, 27.0)])  # 2 °/h: 1 °/h past the limit, half the span
    assert engine.outcome.derate == pytest.approx(0.5)


def test_lights_off_safety_mode_and_notifications_while_raised() -> None:
    hot = Rule("hot", "Hot", PROBE, Above(27.8), Actions(lights_off=True, notify=True), hysteresis=0.3)
    ph = Rule("ph", "pH", PH_PROBE, Outside(7.8, 8.5), Actions(safety_mode=True), hysteresis=0.05)
    engine = watch(hot, ph)
    assert engine.outcome == SafetyOutcome()
    feed(engine, [(0, 28.0)])
    feed(engine, [(0, 8.6)], PH_PROBE)
    outcome = engine.outcome
    assert (outcome.forced_off, outcome.safety_mode, outcome.notify, outcome.raised) == (
        True,
        True,
        ("hot",),
        ("hot", "ph"),
    )
    feed(engine, [(1, 27.0)])
    assert (engine.outcome.forced_off, engine.outcome.safety_mode) == (False, True)


def test_conflicting_outlet_commands_resolve_to_off() -> None:
    cold = Rule("cold", "Cold", PROBE, Below(24.0), Actions(outlets={"heater": True, "return_pump": True}))
    ph = Rule("ph", "pH", PH_PROBE, Outside(7.8, 8.5), Actions(outlets={"heater": False, "skimmer": True}))
    engine = watch(cold, ph)
    feed(engine, [(0, 23.0)])
    assert dict(engine.outcome.outlets) == {"heater": True, "return_pump": True}
    feed(engine, [(0, 9.0)], PH_PROBE)
    assert dict(engine.outcome.outlets) == {"heater": False, "return_pump": True, "skimmer": True}


def test_outlet_commands_combine_with_off_winning_in_any_order() -> None:
    assert combine_outlets({"heater": True}, {"heater": False}) == {"heater": False}
    assert combine_outlets({"heater": False}, {"heater": True}) == {"heater": False}
    assert combine_outlets({"chiller": True}, {}) == {"chiller": True}
    assert combine_outlets() == {}


def test_the_heater_failsafe_merges_into_the_outcome_and_wins() -> None:
    cold = Rule("cold", "Cold", PROBE, Below(24.0), Actions(outlets={"heater": True}))
    engine = watch(cold)
    feed(engine, [(0, 23.0)])
    commands = HeaterFailsafe().outlets(at(10), available=False, last_good=at(0), watching_since=START)
    merged = engine.outcome.with_outlets(commands)
    assert dict(merged.outlets) == {"heater": False}
    assert merged.raised == ("cold",)
    assert dict(engine.outcome.outlets) == {"heater": True}


def test_rules_raised_before_a_restart_start_raised_and_clear_normally() -> None:
    hot = Rule("hot", "Hot", PROBE, Above(27.8), Actions(lights_off=True), hysteresis=0.3)
    engine = SafetyEngine([hot], probes={PROBE}, now=START, raised=["hot", "gone"])
    assert engine.outcome.forced_off  # safe before the first reading
    assert engine.states["hot"].raised
    assert feed(engine, [(0, 28.0)]) == []  # still hot: not announced again
    assert [t.raised for t in feed(engine, [(1, 27.0)])] == [False]


def test_a_restored_derate_rule_holds_the_floor_until_its_first_value() -> None:
    engine = SafetyEngine([derating()], probes={PROBE}, now=START, raised=["hot"])
    assert engine.outcome.derate == 0.3
    feed(engine, [(0, 28.3)])
    assert engine.outcome.derate == pytest.approx(0.65)


def test_rules_whose_probe_is_gone_are_reported_and_not_evaluated() -> None:
    kept = Rule("kept", "Kept", PROBE, Stale(5))
    orphan = Rule("orphan", "Orphan", "removed_probe", Stale(5), Actions(lights_off=True))
    engine = SafetyEngine([kept, orphan], probes={PROBE, PH_PROBE}, now=START)
    assert engine.orphaned == (orphan,)
    assert engine.rules == (kept,)
    assert set(engine.states) == {"kept"}
    update = engine.tick(at(60))
    assert [t.rule.id for t in update.transitions] == ["kept"]
    assert not update.outcome.forced_off


def test_two_rules_with_one_id_are_refused() -> None:
    with pytest.raises(RuleError) as caught:
        watch(Rule("same", "A", PROBE, Stale(5)), Rule("same", "B", PROBE, Stale(9)))
    assert caught.value.translation_key == "duplicate_rule"


def test_naive_times_are_refused() -> None:
    naive = dt.datetime(2026, 3, 1, 12, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        SafetyEngine([], probes=(), now=naive)
    engine = watch(derating())
    with pytest.raises(ValueError, match="timezone-aware"):
        engine.record(PROBE, naive, 25.0)
    with pytest.raises(ValueError, match="timezone-aware"):
        engine.tick(naive)


def test_a_transition_carries_the_alert_event_data() -> None:
    engine = watch(Rule("hot", "Water too warm", PROBE, Above(27.8), hysteresis=0.3))
    update = engine.tick(START)
    assert update.transitions == ()
    (raised,) = feed(engine, [(5, 28.1)])
    (cleared,) = feed(engine, [(9, 27.4)])
    assert raised.as_dict() == {
        "rule_id": "hot",
        "name": "Water too warm",
        "probe": PROBE,
        "condition": "above",
        "state": "raised",
        "value": 28.1,
        "limit": 27.8,
        "time": "2026-03-01T12:05:00+00:00",
    }
    assert cleared.as_dict()["state"] == "cleared"
    assert engine.states["hot"].since == at(9)
    assert engine.states["hot"].value == 27.4


class _Exploding(Above):
    """A condition whose check fails the way a bug would."""

    def check(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        raise ZeroDivisionError("a bug in one condition")


def test_a_rule_that_fails_to_judge_keeps_its_state_and_the_others_go_on() -> None:
    broken = Rule("broken", "Broken", PROBE, _Exploding(20.0), Actions(safety_mode=True))
    hot = Rule("hot", "Hot", PROBE, Above(27.8), Actions(lights_off=True))
    engine = watch(broken, hot)
    engine.record(PROBE, at(0), 30.0)
    update = engine.tick(at(0))
    assert [rule.id for rule, _ in update.failed] == ["broken"]
    assert isinstance(update.failed[0][1], ZeroDivisionError)
    assert [t.rule.id for t in update.transitions] == ["hot"]
    assert update.outcome.forced_off
    assert not engine.states["broken"].raised
