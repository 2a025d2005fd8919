"""A new controller's rules, and temperature rules moved between °C and °F."""

from __future__ import annotations

import pytest

from custom_components.bellas_reef.safety import (
    CELSIUS,
    FAHRENHEIT,
    PH_RULE_ID,
    TEMPERATURE_RULE_ID,
    Above,
    Actions,
    Below,
    Derate,
    Flatline,
    Outside,
    Rate,
    Rule,
    RuleError,
    SafetyEngine,
    Stale,
    convert_temperature_rule,
    default_rules,
)

from .helpers import START, feed


def test_a_new_controller_watches_temperature_and_ph() -> None:
    temperature, ph = default_rules(temperature_probe="temp", ph_probe="ph")
    assert temperature == Rule(
        TEMPERATURE_RULE_ID,
        "Water temperature high",
        "temp",
        Above(27.8),
        Actions(lights_off=True, notify=True),
        hysteresis=0.3,
    )
    assert ph == Rule(
        PH_RULE_ID, "pH out of range", "ph", Outside(7.8, 8.5), Actions(safety_mode=True), hysteresis=0.05
    )


def test_a_keeper_in_fahrenheit_gets_82_degrees_stored_in_celsius() -> None:
    (temperature,) = default_rules(temperature_probe="temp", ph_probe=None, unit=FAHRENHEIT)
    assert isinstance(temperature.condition, Above)
    assert temperature.condition.limit == pytest.approx(27.7778, abs=1e-4)
    assert temperature.hysteresis == pytest.approx(0.2778, abs=1e-4)
    shown = convert_temperature_rule(temperature, CELSIUS, FAHRENHEIT)
    assert shown.condition == Above(82.0)
    assert shown.hysteresis == pytest.approx(0.5)


def test_defaults_skip_a_probe_the_controller_lacks() -> None:
    assert [rule.id for rule in default_rules(temperature_probe=None, ph_probe="ph")] == [PH_RULE_ID]
    assert default_rules(temperature_probe=None, ph_probe=None) == ()


def test_the_defaults_act_as_the_design_says() -> None:
    engine = SafetyEngine(
        default_rules(temperature_probe="temp", ph_probe="ph"), probes={"temp", "ph"}, now=START
    )
    feed(engine, [(0, 27.9)], "temp")
    feed(engine, [(0, 8.2)], "ph")
    assert (engine.outcome.forced_off, engine.outcome.notify, engine.outcome.safety_mode) == (
        True,
        (TEMPERATURE_RULE_ID,),
        False,
    )
    feed(engine, [(1, 7.7)], "ph")
    feed(engine, [(1, 27.4)], "temp")
    assert (engine.outcome.forced_off, engine.outcome.safety_mode) == (False, True)


@pytest.mark.parametrize(
    ("fahrenheit", "celsius"),
    [
        (Rule("a", "A", "t", Above(82.4), hysteresis=0.9), Rule("a", "A", "t", Above(28.0), hysteresis=0.5)),
        (Rule("b", "B", "t", Below(75.2), hysteresis=1.8), Rule("b", "B", "t", Below(24.0), hysteresis=1.0)),
        (Rule("o", "O", "t", Outside(75.2, 82.4)), Rule("o", "O", "t", Outside(24.0, 28.0))),
        (
            Rule("r", "R", "t", Rate(1.8, 30), hysteresis=0.9),
            Rule("r", "R", "t", Rate(1.0, 30), hysteresis=0.5),
        ),
        (Rule("s", "S", "t", Stale(10)), Rule("s", "S", "t", Stale(10))),
        (Rule("f", "F", "t", Flatline(60, 0.18)), Rule("f", "F", "t", Flatline(60, 0.1))),
        (
            Rule(
                "d", "D", "t", Above(82.4), Actions(derate_lights=Derate(3.6, 0.4), outlets={"heater": False})
            ),
            Rule(
                "d", "D", "t", Above(28.0), Actions(derate_lights=Derate(2.0, 0.4), outlets={"heater": False})
            ),
        ),
    ],
)
def test_temperature_rules_convert_values_and_differences(fahrenheit: Rule, celsius: Rule) -> None:
    converted = convert_temperature_rule(fahrenheit, FAHRENHEIT, CELSIUS)
    assert leaves(converted.to_dict()) == pytest.approx(leaves(celsius.to_dict()))
    back = convert_temperature_rule(converted, CELSIUS, FAHRENHEIT)
    assert leaves(back.to_dict()) == pytest.approx(leaves(fahrenheit.to_dict()))
    assert convert_temperature_rule(celsius, CELSIUS, CELSIUS) == celsius


def leaves(data: object, path: str = "") -> dict[str, object]:
    """A nested JSON object flattened to path → value, so numbers compare approximately."""
    if isinstance(data, dict):
        return {
            key: value for name, item in data.items() for key, value in leaves(item, f"{path}/{name}").items()
        }
    return {path: data}


def test_unknown_units_are_rejected() -> None:
    with pytest.raises(RuleError) as caught:
        default_rules(temperature_probe="temp", ph_probe=None, unit="K")
    assert caught.value.translation_key == "invalid_unit"
    with pytest.raises(RuleError):
        convert_temperature_rule(Rule("a", "A", "t", Above(1)), CELSIUS, "kelvin")
