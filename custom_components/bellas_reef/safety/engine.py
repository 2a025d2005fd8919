"""The safety engine: readings in, raised and cleared rules and their combined effect out.

The HA layer records every probe report with ``record`` and calls ``tick`` on its schedule (after each probe
poll is enough); each tick judges every rule on its probe's latest value and recent history. Everything is
pure and deterministic: time is passed in as aware datetimes, nothing is read from a clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
import datetime as dt
from types import MappingProxyType
from typing import Any

from .actions import combine_outlets
from .readings import RecentReadings
from .rules import Rule, check_unique, orphaned_rules


def _check_aware(name: str, value: dt.datetime) -> None:
    """Refuse naive times: the engine compares moments from different sources."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True, slots=True)
class RuleState:
    """Where one rule stands, for its binary sensor: raised or not, since when, and what it last measured.

    ``since`` is when the rule was last raised or cleared, or when the engine started. ``value``, ``limit`` and
    ``excess`` are the condition's last verdict (see ``Verdict``); None before the first one.
    """

    raised: bool
    since: dt.datetime
    value: float | None = None
    limit: float | None = None
    excess: float | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """A rule raised or cleared: what the HA layer announces (``bellas_reef_alert`` event, logbook, notification)."""

    rule: Rule
    raised: bool
    value: float
    limit: float
    time: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready event data."""
        return {
            "rule_id": self.rule.id,
            "name": self.rule.name,
            "probe": self.rule.probe,
            "condition": self.rule.condition.kind,
            "state": "raised" if self.raised else "cleared",
            "value": self.value,
            "limit": self.limit,
            "time": self.time.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class SafetyOutcome:
    """What every raised rule asks for together.

    ``derate`` (0..1) and ``forced_off`` go into the lighting engine's context; ``outlets`` maps a role to the
    state its outlets are held in (off wins when rules disagree); ``notify`` and ``raised`` list rule ids in the
    rules' order.
    """

    derate: float = 1.0
    forced_off: bool = False
    outlets: Mapping[str, bool] = field(default_factory=dict)
    safety_mode: bool = False
    notify: tuple[str, ...] = ()
    raised: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Freeze the outlet map."""
        object.__setattr__(self, "outlets", MappingProxyType(dict(sorted(self.outlets.items()))))

    def with_outlets(self, *commands: Mapping[str, bool]) -> SafetyOutcome:
        """The same outcome with more outlet commands (the heater fail-safe's) merged in, off winning."""
        return replace(self, outlets=combine_outlets(self.outlets, *commands))


@dataclass(frozen=True, slots=True)
class SafetyUpdate:
    """One tick's result: the rules that changed, where everything stands, and rules that could not be judged.

    A rule whose check raised keeps its previous state (a raised rule stays raised) while the others go on.
    """

    transitions: tuple[Transition, ...]
    outcome: SafetyOutcome
    failed: tuple[tuple[Rule, Exception], ...] = ()


def evaluate(
    rule: Rule, state: RuleState, readings: RecentReadings, now: dt.datetime
) -> tuple[RuleState, Transition | None]:
    """Judge one rule at ``now``; a transition when it was raised or cleared."""
    verdict = rule.condition.check(readings, now.timestamp(), state.raised, rule.hysteresis)
    if verdict is None:
        return state, None
    if verdict.breached == state.raised:
        return replace(state, value=verdict.value, limit=verdict.limit, excess=verdict.excess), None
    new_state = RuleState(verdict.breached, now, verdict.value, verdict.limit, verdict.excess)
    return new_state, Transition(rule, verdict.breached, verdict.value, verdict.limit, now)


def combine(rules: Iterable[Rule], states: Mapping[str, RuleState]) -> SafetyOutcome:
    """The outcome of the raised ones among ``rules``."""
    raised = [(rule, states[rule.id]) for rule in rules if states[rule.id].raised]
    factors = [
        rule.actions.derate_lights.factor(state.excess)
        for rule, state in raised
        if rule.actions.derate_lights is not None
    ]
    return SafetyOutcome(
        derate=min(factors, default=1.0),
        forced_off=any(rule.actions.lights_off for rule, _ in raised),
        outlets=combine_outlets(*(rule.actions.outlets for rule, _ in raised)),
        safety_mode=any(rule.actions.safety_mode for rule, _ in raised),
        notify=tuple(rule.id for rule, _ in raised if rule.actions.notify),
        raised=tuple(rule.id for rule, _ in raised),
    )


class SafetyEngine:
    """A controller's rules over time.

    Only rules whose probe is in ``probes`` are evaluated; the others are listed in ``orphaned`` (their probe
    was removed) so the HA layer can raise a repair issue. Rule ids in ``raised`` start raised, so rules that
    were raised before a restart do not announce themselves again; they clear normally once their probe says
    so. Rule or probe changes mean a new engine.
    """

    def __init__(
        self, rules: Iterable[Rule], *, probes: Collection[str], now: dt.datetime, raised: Iterable[str] = ()
    ) -> None:
        """Start watching at ``now``."""
        _check_aware("now", now)
        every = tuple(rules)
        check_unique(every)
        self.orphaned: tuple[Rule, ...] = orphaned_rules(every, probes)
        self.rules: tuple[Rule, ...] = tuple(rule for rule in every if rule.probe in probes)
        keep: dict[str, float] = {}
        for rule in self.rules:
            keep[rule.probe] = max(keep.get(rule.probe, 0.0), rule.condition.window)
        self._readings = {probe: RecentReadings(seconds, now.timestamp()) for probe, seconds in keep.items()}
        restored = set(raised)
        self._states = {rule.id: RuleState(rule.id in restored, now) for rule in self.rules}
        self._outcome = combine(self.rules, self._states)

    @property
    def outcome(self) -> SafetyOutcome:
        """What the raised rules ask for, as of the last tick (or the restored state before the first)."""
        return self._outcome

    @property
    def states(self) -> Mapping[str, RuleState]:
        """Each evaluated rule's state by rule id."""
        return MappingProxyType(self._states)

    def record(self, source: str, time: dt.datetime, value: float | None) -> bool:
        """Take one probe report (None: unavailable); False when no rule watches ``source`` or it is out of order."""
        _check_aware("time", time)
        readings = self._readings.get(source)
        return readings is not None and readings.record(time.timestamp(), value)

    def tick(self, now: dt.datetime) -> SafetyUpdate:
        """Judge every rule at ``now``."""
        _check_aware("now", now)
        transitions: list[Transition] = []
        failed: list[tuple[Rule, Exception]] = []
        for rule in self.rules:
            try:
                state, transition = evaluate(rule, self._states[rule.id], self._readings[rule.probe], now)
            except Exception as err:  # noqa: BLE001 - one rule's failure must not silence the others
                failed.append((rule, err))
                continue
            self._states[rule.id] = state
            if transition is not None:
                transitions.append(transition)
        self._outcome = combine(self.rules, self._states)
        return SafetyUpdate(tuple(transitions), self._outcome, tuple(failed))
