"""The rules a new controller starts with, and temperature rules moved between °C and °F.

Rules are stored in the probe's native unit (°C for the integration's temperature probes). Keepers who work in
°F see and enter them in °F: the options flow converts with ``convert_temperature_rule`` both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from . import validation as v
from .actions import Actions, Derate
from .conditions import Above, IsOn, Outside
from .rules import Rule

CELSIUS = "°C"
FAHRENHEIT = "°F"
TEMPERATURE_UNITS = (CELSIUS, FAHRENHEIT)

TEMPERATURE_RULE_ID = "temperature_high"
PH_RULE_ID = "ph_out_of_range"

# Round figures in each unit: 82 °F is what keepers quote, 27.8 °C its rounded equivalent.
_TEMPERATURE_LIMIT = {CELSIUS: 27.8, FAHRENHEIT: 82.0}
_TEMPERATURE_HYSTERESIS = {CELSIUS: 0.3, FAHRENHEIT: 0.5}
_PH_LOW = 7.8
_PH_HIGH = 8.5
_PH_HYSTERESIS = 0.05


def _check_unit(unit: str) -> None:
    """Reject anything but °C and °F."""
    if unit not in TEMPERATURE_UNITS:
        raise v.RuleError("invalid_unit", value=unit)


def _converters(from_unit: str, to_unit: str) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """Converters for temperatures and for temperature differences."""
    if from_unit == to_unit:
        return float, float
    if from_unit == FAHRENHEIT:
        return (lambda value: (value - 32.0) * 5.0 / 9.0), (lambda value: value * 5.0 / 9.0)
    return (lambda value: value * 9.0 / 5.0 + 32.0), (lambda value: value * 9.0 / 5.0)


def convert_temperature_rule(rule: Rule, from_unit: str, to_unit: str) -> Rule:
    """``rule`` with its limits, hysteresis, rate, noise and derate span moved from one unit to the other."""
    _check_unit(from_unit)
    _check_unit(to_unit)
    point, step = _converters(from_unit, to_unit)
    derate = rule.actions.derate_lights
    actions = replace(
        rule.actions, derate_lights=None if derate is None else Derate(step(derate.span), derate.floor)
    )
    return replace(
        rule,
        condition=rule.condition.converted(point, step),
        hysteresis=step(rule.hysteresis),
        actions=actions,
    )


def leak_rule(rule_id: str, name: str, sensor: str) -> Rule:
    """The rule suggested for a leak sensor: while it is wet, the return pump and the top-off are off, with an alert.

    Water on the floor is the return pump emptying the tank into the room, or the top-off emptying the reservoir;
    both stop until the sensor is dry again.
    """
    return Rule(
        id=rule_id,
        name=name,
        probe=sensor,
        condition=IsOn(),
        actions=Actions(outlets={"return_pump": False, "ato": False}, notify=True),
    )


def default_rules(
    *, temperature_probe: str | None, ph_probe: str | None, unit: str = CELSIUS, probe_unit: str = CELSIUS
) -> tuple[Rule, ...]:
    """The rules of a new controller, for the probes it has.

    Water temperature above 82 °F (27.8 °C when the keeper works in ``unit`` °C) → notification and lights
    off; pH outside 7.8–8.5 → safety mode. The temperature rule is written in the keeper's ``unit`` and stored
    in the probe's ``probe_unit``.
    """
    rules: list[Rule] = []
    if temperature_probe is not None:
        _check_unit(unit)
        temperature = Rule(
            id=TEMPERATURE_RULE_ID,
            name="Water temperature high",
            probe=temperature_probe,
            condition=Above(_TEMPERATURE_LIMIT[unit]),
            actions=Actions(lights_off=True, notify=True),
            hysteresis=_TEMPERATURE_HYSTERESIS[unit],
        )
        rules.append(convert_temperature_rule(temperature, unit, probe_unit))
    if ph_probe is not None:
        rules.append(
            Rule(
                id=PH_RULE_ID,
                name="pH out of range",
                probe=ph_probe,
                condition=Outside(_PH_LOW, _PH_HIGH),
                actions=Actions(safety_mode=True),
                hysteresis=_PH_HYSTERESIS,
            )
        )
    return tuple(rules)
