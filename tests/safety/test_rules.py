"""Rules as stored JSON: round trips, defaults of absent keys and everything a rule may not be."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.bellas_reef.lighting import PLAN_ERROR_MESSAGES
from custom_components.bellas_reef.safety import (
    RULE_ERROR_MESSAGES,
    Above,
    Actions,
    Below,
    Condition,
    Derate,
    Flatline,
    Outside,
    Rate,
    Rule,
    RuleError,
    Stale,
    condition_from_dict,
    orphaned_rules,
    rules_from_list,
    rules_to_list,
    usable_rules,
)

FULL_ACTIONS = Actions(
    lights_off=True,
    derate_lights=Derate(1.5, 0.25),
    outlets={"return_pump": False, "heater": False, "chiller": True},
    safety_mode=True,
    notify=True,
)

RULES = (
    Rule("hot", "Water too warm", "temp", Above(27.8), FULL_ACTIONS, hysteresis=0.3),
    Rule("cold", "Water too cold", "temp", Below(24.0), Actions(outlets={"heater": True}), hysteresis=0.2),
    Rule("ph", "pH out of range", "ph", Outside(7.8, 8.5), Actions(safety_mode=True), hysteresis=0.05),
    Rule("swing", "Temperature swing", "temp", Rate(1.0, 30), Actions(notify=True), hysteresis=0.25),
    Rule("silent", "Probe silent", "temp", Stale(10), Actions(outlets={"heater": False})),
    Rule("stuck", "Probe stuck", "orp", Flatline(60, 0.5), Actions(notify=True)),
)


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_every_rule_survives_a_json_round_trip(rule: Rule) -> None:
    assert Rule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule


def test_a_rule_list_survives_a_json_round_trip() -> None:
    assert rules_from_list(json.loads(json.dumps(rules_to_list(RULES)))) == RULES


def test_the_stored_form_reads_in_the_keepers_words() -> None:
    assert RULES[0].to_dict() == {
        "id": "hot",
        "name": "Water too warm",
        "probe": "temp",
        "condition": {"kind": "above", "limit": 27.8},
        "hysteresis": 0.3,
        "actions": {
            "lights_off": True,
            "derate_lights": {"span": 1.5, "floor": 0.25},
            "outlets": {"chiller": "on", "heater": "off", "return_pump": "off"},
            "safety_mode": True,
            "notify": True,
        },
    }


def test_absent_hysteresis_and_actions_mean_none() -> None:
    rule = Rule.from_dict({"id": "r", "name": "R", "probe": "p", "condition": {"kind": "below", "limit": 7}})
    assert rule == Rule("r", "R", "p", Below(7.0))
    assert rule.actions.to_dict() == {
        "lights_off": False,
        "derate_lights": None,
        "outlets": {},
        "safety_mode": False,
        "notify": False,
    }


def test_the_outlet_map_cannot_be_changed_after_the_rule_is_built() -> None:
    outlets = {"heater": False}
    actions = Actions(outlets=outlets)
    outlets["heater"] = True
    assert actions.outlets == {"heater": False}
    with pytest.raises(TypeError):
        actions.outlets["heater"] = True  # type: ignore[index]


def valid() -> dict[str, Any]:
    return RULES[0].to_dict()


def with_condition(condition: dict[str, Any]) -> dict[str, Any]:
    return {**valid(), "condition": condition}


def with_actions(**actions: Any) -> dict[str, Any]:
    return {**valid(), "actions": actions}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ("not a rule", "invalid_object"),
        ({key: value for key, value in valid().items() if key != "probe"}, "missing_field"),
        ({**valid(), "id": " "}, "invalid_text"),
        ({**valid(), "name": 3}, "invalid_text"),
        ({**valid(), "hysteresis": "0.3"}, "invalid_number"),
        ({**valid(), "hysteresis": -0.1}, "negative"),
        ({**valid(), "hysteresis": float("inf")}, "invalid_number"),
        (with_condition({"kind": "between", "limit": 1}), "invalid_choice"),
        ({**valid(), "condition": [1]}, "invalid_object"),
        (with_condition({"kind": "above"}), "missing_field"),
        (with_condition({"kind": "above", "limit": True}), "invalid_number"),
        (with_condition({"kind": "outside", "low": 8.5, "high": 7.8}), "inverted_range"),
        (with_condition({"kind": "outside", "low": 8.0, "high": 8.5}), "hysteresis_too_wide"),
        (with_condition({"kind": "rate", "max_per_hour": 0, "window_minutes": 30}), "not_positive"),
        (with_condition({"kind": "rate", "max_per_hour": 0.3, "window_minutes": 30}), "hysteresis_too_wide"),
        (with_condition({"kind": "rate", "max_per_hour": 1, "window_minutes": 30.5}), "invalid_integer"),
        (with_condition({"kind": "rate", "max_per_hour": 1, "window_minutes": 0}), "out_of_range"),
        (with_condition({"kind": "stale", "minutes": 1441}), "out_of_range"),
        (with_condition({"kind": "stale", "minutes": 5}), "hysteresis_not_used"),
        (with_condition({"kind": "flatline", "minutes": 60, "noise": -1}), "negative"),
        (
            with_condition({"kind": "flatline", "minutes": 60, "noise": 0}) | {"actions": {}},
            "hysteresis_not_used",
        ),
        ({**with_condition({"kind": "stale", "minutes": 5}), "hysteresis": 0}, "derate_needs_limit"),
        (with_actions(lights_off="yes"), "invalid_boolean"),
        (with_actions(notify=1), "invalid_boolean"),
        (with_actions(outlets=["heater"]), "invalid_object"),
        (with_actions(outlets={"heater": True}), "invalid_choice"),
        (with_actions(outlets={"aquarium": "off"}), "invalid_choice"),
        (with_actions(derate_lights={"span": 0, "floor": 0.3}), "not_positive"),
        (with_actions(derate_lights={"span": 1, "floor": 1}), "out_of_range"),
        (with_actions(derate_lights=0.5), "invalid_object"),
        ({**valid(), "actions": "lights_off"}, "invalid_object"),
    ],
)
def test_invalid_rules_are_rejected_with_a_translation_key(data: object, key: str) -> None:
    with pytest.raises(RuleError) as caught:
        Rule.from_dict(data)
    assert caught.value.translation_key == key


def test_flatline_without_hysteresis_is_accepted_and_noise_may_be_zero() -> None:
    data = with_condition({"kind": "flatline", "minutes": 60, "noise": 0}) | {"hysteresis": 0, "actions": {}}
    rule = Rule.from_dict(data)
    assert rule.condition == Flatline(60, 0.0)


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: Rule("r", "R", "p", "above"), "invalid_object"),  # type: ignore[arg-type]
        (lambda: Rule("r", "R", "p", Above(1), actions={"notify": True}), "invalid_object"),  # type: ignore[arg-type]
        (lambda: Rule("r", "R", "", Above(1)), "invalid_text"),
        (lambda: Actions(derate_lights={"span": 1, "floor": 0}), "invalid_object"),  # type: ignore[arg-type]
        (lambda: Actions(outlets=[("heater", True)]), "invalid_object"),  # type: ignore[arg-type]
        (lambda: Actions(outlets={"heater": "off"}), "invalid_boolean"),  # type: ignore[dict-item]
        (lambda: Outside(float("nan"), 8.0), "invalid_number"),
        (lambda: Stale(True), "invalid_integer"),
    ],
)
def test_rules_built_in_code_are_checked_too(build: Any, key: str) -> None:
    with pytest.raises(RuleError) as caught:
        build()
    assert caught.value.translation_key == key


def test_a_rule_error_carries_its_placeholders_and_english_text() -> None:
    with pytest.raises(RuleError) as caught:
        Rule("r", "R", "p", Outside(7.8, 8.5), hysteresis=0.4)
    assert caught.value.placeholders == {"value": "0.4", "maximum": "0.3500000000000001"}
    assert str(caught.value).startswith("a hysteresis of 0.4 is too wide for this rule")


def test_shared_error_keys_read_the_same_as_the_lighting_packages() -> None:
    shared = RULE_ERROR_MESSAGES.keys() & PLAN_ERROR_MESSAGES.keys()
    assert shared >= {"missing_field", "invalid_number", "out_of_range", "invalid_choice"}
    assert {key: RULE_ERROR_MESSAGES[key] for key in shared} == {
        key: PLAN_ERROR_MESSAGES[key] for key in shared
    }


def test_a_rule_list_must_be_a_list_of_unique_ids() -> None:
    with pytest.raises(RuleError) as not_a_list:
        rules_from_list({"rules": []})
    with pytest.raises(RuleError) as duplicate:
        rules_from_list([RULES[0].to_dict(), RULES[0].to_dict()])
    assert (not_a_list.value.translation_key, duplicate.value.translation_key) == (
        "invalid_list",
        "duplicate_rule",
    )
    assert duplicate.value.placeholders == {"value": "hot"}


def test_conditions_read_alone_by_kind() -> None:
    conditions: list[Condition] = [rule.condition for rule in RULES]
    assert [condition_from_dict(condition.to_dict()) for condition in conditions] == conditions


def test_orphaned_rules_are_those_whose_probe_is_missing() -> None:
    assert orphaned_rules(RULES, {"temp", "ph"}) == (RULES[5],)
    assert orphaned_rules(RULES, ()) == RULES


def test_usable_rules_keeps_every_good_rule_and_names_the_bad_ones() -> None:
    good = {"id": "hot", "name": "Hot", "probe": "t", "condition": {"kind": "above", "limit": 28}}
    rules, rejected = usable_rules(
        [
            {"id": "x", "name": "Half typed", "probe": "t", "condition": {"kind": "above"}},
            good,
            "nonsense",
            {**good, "name": "Hot again"},
            {"id": "y", "name": "Odd", "probe": "t", "condition": {"kind": "above", "limit": object()}},
        ]
    )
    assert [rule.id for rule in rules] == ["hot"]
    assert [(r.index, r.name) for r in rejected] == [
        (0, "Half typed"),
        (2, "3"),
        (3, "Hot again"),
        (4, "Odd"),
    ]
    assert rejected[2].error.translation_key == "duplicate_rule"
    assert all(isinstance(r.error, RuleError) for r in rejected)
    assert usable_rules("not a list")[1][0].error.translation_key == "invalid_list"
