"""Safety rules: probes watched against limits, with the actions a raised rule takes, and no Home Assistant imports.

A ``Rule`` names a probe, a condition on it (above, below, outside, rate, stale, flatline), a hysteresis and its
actions; or a binary sensor and a condition on it (on, off, on for a time). A ``SafetyEngine`` takes the probes' reports and, at each tick, says which rules were raised or cleared
and what they ask for together (``SafetyOutcome``): a derate and forced off for the lighting engine, outlet
commands by role, safety mode and notifications. ``HeaterFailsafe`` turns heaters off while the temperature probe
cannot be read.
"""

from .actions import OUTLET_ROLES, Actions, Derate, combine_outlets
from .conditions import (
    BINARY_CONDITIONS,
    Above,
    Below,
    Condition,
    Flatline,
    IsOff,
    IsOn,
    OnFor,
    Outside,
    Rate,
    Stale,
    Verdict,
    condition_from_dict,
)
from .defaults import (
    CELSIUS,
    FAHRENHEIT,
    PH_RULE_ID,
    TEMPERATURE_RULE_ID,
    convert_temperature_rule,
    default_rules,
    leak_rule,
)
from .engine import RuleState, SafetyEngine, SafetyOutcome, SafetyUpdate, Transition
from .failsafe import HeaterFailsafe
from .rules import RejectedRule, Rule, orphaned_rules, rules_from_list, rules_to_list, usable_rules
from .validation import RULE_ERROR_MESSAGES, RuleError

__all__ = [
    "BINARY_CONDITIONS",
    "CELSIUS",
    "FAHRENHEIT",
    "OUTLET_ROLES",
    "PH_RULE_ID",
    "RULE_ERROR_MESSAGES",
    "TEMPERATURE_RULE_ID",
    "Above",
    "Actions",
    "Below",
    "Condition",
    "Derate",
    "Flatline",
    "HeaterFailsafe",
    "IsOff",
    "IsOn",
    "OnFor",
    "Outside",
    "Rate",
    "RejectedRule",
    "Rule",
    "RuleError",
    "RuleState",
    "SafetyEngine",
    "SafetyOutcome",
    "SafetyUpdate",
    "Stale",
    "Transition",
    "Verdict",
    "combine_outlets",
    "condition_from_dict",
    "convert_temperature_rule",
    "default_rules",
    "leak_rule",
    "orphaned_rules",
    "rules_from_list",
    "rules_to_list",
    "usable_rules",
]
