"""A safety rule: a probe, a condition on it, a hysteresis and the actions taken while it is raised."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

from . import validation as v
from .actions import Actions
from .conditions import CONDITIONS, Condition, condition_from_dict


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a controller, as the options flow stores it.

    ``probe`` is the probe's source id, opaque here: the HA layer feeds readings under the same id (for a rule
    on a binary sensor, the sensor's entity id, reported as 1.0 on and 0.0 off). Limits,
    hysteresis, noise and derate span are in the probe's native unit (°C for temperature probes; convert with
    ``convert_temperature_rule`` for keepers who work in °F). The hysteresis is in the condition's own unit:
    the probe's unit, or the probe's unit per hour for a rate rule; stale and flatline rules take none.
    """

    id: str
    name: str
    probe: str
    condition: Condition
    actions: Actions = field(default_factory=Actions)
    hysteresis: float = 0.0

    def __post_init__(self) -> None:
        """Reject empty names, a hysteresis the condition cannot use and a derate with no limit to scale on."""
        v.check_text("id", self.id)
        v.check_text("name", self.name)
        v.check_text("probe", self.probe)
        if not isinstance(self.condition, tuple(CONDITIONS.values())):
            raise v.RuleError("invalid_object", name="condition")
        if not isinstance(self.actions, Actions):
            raise v.RuleError("invalid_object", name="actions")
        v.check_not_negative("hysteresis", self.hysteresis)
        self.condition.check_hysteresis(self.hysteresis)
        if self.actions.derate_lights is not None and not self.condition.has_limit:
            raise v.RuleError("derate_needs_limit", kind=self.condition.kind)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "name": self.name,
            "probe": self.probe,
            "condition": self.condition.to_dict(),
            "hysteresis": self.hysteresis,
            "actions": self.actions.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Read and validate the JSON form; absent hysteresis is 0 and absent actions are none."""
        body = v.mapping(data, "rule")
        return cls(
            id=v.text(body, "id"),
            name=v.text(body, "name"),
            probe=v.text(body, "probe"),
            condition=condition_from_dict(v.field(body, "condition")),
            actions=Actions.from_dict(body.get("actions", {})),
            hysteresis=v.number(body, "hysteresis", 0.0),
        )


def check_unique(rules: Iterable[Rule]) -> None:
    """Reject two rules with one id: the id names the rule's entity and its alerts."""
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise v.RuleError("duplicate_rule", value=rule.id)
        seen.add(rule.id)


def rules_from_list(data: object) -> tuple[Rule, ...]:
    """A controller's rules from their stored JSON list."""
    if not isinstance(data, list | tuple):
        raise v.RuleError("invalid_list", name="rules")
    rules = tuple(Rule.from_dict(item) for item in data)
    check_unique(rules)
    return rules


@dataclass(frozen=True, slots=True)
class RejectedRule:
    """A stored rule that cannot be used: where it sits in the list, what it was called, and why."""

    index: int
    name: str
    error: v.RuleError


def usable_rules(data: object) -> tuple[tuple[Rule, ...], tuple[RejectedRule, ...]]:
    """The rules that validate, and the ones that do not; one bad rule never costs the tank the others.

    A second rule with an id already taken is rejected too (the first keeps its entity and alerts).
    """
    if not isinstance(data, list | tuple):
        return (), (RejectedRule(0, "rules", v.RuleError("invalid_list", name="rules")),)
    good: list[Rule] = []
    rejected: list[RejectedRule] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        name = (
            str(item.get("name") or item.get("id") or index + 1) if isinstance(item, dict) else str(index + 1)
        )
        try:
            rule = Rule.from_dict(item)
        except v.RuleError as err:
            rejected.append(RejectedRule(index, name, err))
            continue
        except Exception:  # noqa: BLE001 - a shape the validators did not foresee is still just a bad rule
            rejected.append(RejectedRule(index, name, v.RuleError("invalid_object", name="rule")))
            continue
        if rule.id in seen:
            rejected.append(RejectedRule(index, name, v.RuleError("duplicate_rule", value=rule.id)))
            continue
        seen.add(rule.id)
        good.append(rule)
    return tuple(good), tuple(rejected)


def rules_to_list(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """The stored JSON list of a controller's rules."""
    return [rule.to_dict() for rule in rules]


def orphaned_rules(rules: Iterable[Rule], probes: Collection[str]) -> tuple[Rule, ...]:
    """Rules whose probe is not among ``probes`` (it was removed): they cannot be evaluated."""
    return tuple(rule for rule in rules if rule.probe not in probes)
