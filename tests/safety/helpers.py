"""Clock, engine and feeding helpers shared by the safety tests."""

from __future__ import annotations

from collections.abc import Iterable
import datetime as dt

from custom_components.bellas_reef.safety import Rule, SafetyEngine, Transition

START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
PROBE = "probe_temperature"


def at(minutes: float) -> dt.datetime:
    """``minutes`` after the start of every test."""
    return START + dt.timedelta(minutes=minutes)


def feed(
    engine: SafetyEngine, series: Iterable[tuple[float, float | None]], probe: str = PROBE
) -> list[Transition]:
    """Report each (minute, value) and tick right after it; every transition in order."""
    transitions: list[Transition] = []
    for minute, value in series:
        engine.record(probe, at(minute), value)
        transitions.extend(engine.tick(at(minute)).transitions)
    return transitions


def watch(*rules: Rule) -> SafetyEngine:
    """An engine on ``rules``, every probe present, started at ``START``."""
    return SafetyEngine(rules, probes={rule.probe for rule in rules}, now=START)


def raised_after_each(rule: Rule, values: Iterable[float | None], step_minutes: float = 1.0) -> list[bool]:
    """Whether ``rule`` is raised after each of ``values``, one every ``step_minutes``."""
    engine = watch(rule)
    flags: list[bool] = []
    for index, value in enumerate(values):
        feed(engine, [(index * step_minutes, value)], rule.probe)
        flags.append(engine.states[rule.id].raised)
    return flags
