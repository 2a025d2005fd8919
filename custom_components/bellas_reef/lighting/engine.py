"""A channel's plan and the function that turns it into a level: program → layers → events → override → safety.

The HA layer keeps one ``ChannelPlan`` per channel (persisted with ``to_dict``/``from_dict``), calls
``evaluate`` every second (every 50 ms while ``needs_fast_tick``), feeds the result through a ``Ramp`` so the
output never steps visibly except for flashes, and calls ``prune`` to drop finished events and overrides.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
import datetime as dt
from functools import lru_cache
from typing import Any, NamedTuple, Self

from . import validation as v
from .context import LightingContext, Moment, Place
from .effects import Sample
from .events import Event, event_from_dict
from .layers import Layer, layer_from_dict
from .programs import Mimic, Program, Static, program_from_dict

# How many days ahead to look for a program's or layer's next transition (the moon skips a day now and then).
_TRANSITION_LOOKAHEAD_DAYS = 3


@dataclass(frozen=True, slots=True)
class Override:
    """A manual level that holds until ``until``; then the plan resumes on its own."""

    level: float
    until: dt.datetime
    until_timestamp: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Reject a level outside 0..1 and a naive end time."""
        v.check_number("level", self.level, 0.0, 1.0)
        v.check_aware("until", self.until)
        object.__setattr__(self, "until_timestamp", self.until.timestamp())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"level": self.level, "until": self.until.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.number(data, "level"), v.aware_datetime(v.field(data, "until"), "until"))


@dataclass(frozen=True, slots=True)
class ChannelPlan:
    """Everything one channel follows: its program, layers, events and override, and where it sits.

    ``position`` (0..1) is the channel's place across the tank, used to delay passing clouds. Layers are kept in
    the order they apply (acclimation before the floors), events in start order; at most one layer of a kind.
    """

    program: Program = field(default_factory=lambda: Static(0.0))
    layers: tuple[Layer, ...] = ()
    events: tuple[Event, ...] = ()
    override: Override | None = None
    position: float = 0.0
    name: str = ""

    def __post_init__(self) -> None:
        """Reject a position outside 0..1 and two layers of one kind; put layers and events in order."""
        v.check_number("position", self.position, 0.0, 1.0)
        kinds = [layer.kind for layer in self.layers]
        for kind in kinds:
            if kinds.count(kind) > 1:
                raise v.PlanError("duplicate_kind", name="layers", value=kind)
        object.__setattr__(self, "layers", tuple(sorted(self.layers, key=lambda layer: layer.stage)))
        object.__setattr__(
            self, "events", tuple(sorted(self.events, key=lambda event: event.start_timestamp))
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for HA's storage."""
        return {
            "name": self.name,
            "position": self.position,
            "program": self.program.to_dict(),
            "layers": [layer.to_dict() for layer in self.layers],
            "events": [event.to_dict() for event in self.events],
            "override": None if self.override is None else self.override.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        data = v.mapping(data, "plan")
        override = data.get("override")
        name = data.get("name", "")
        if not isinstance(name, str):
            raise v.PlanError("invalid_text", name="name", value=name)
        return cls(
            program=program_from_dict(v.field(data, "program")),
            layers=tuple(layer_from_dict(item) for item in v.sequence(data.get("layers", []), "layers")),
            events=tuple(event_from_dict(item) for item in v.sequence(data.get("events", []), "events")),
            override=None if override is None else Override.from_dict(v.mapping(override, "override")),
            position=v.number(data, "position", 0.0),
            name=name,
        )


class Breakdown(NamedTuple):
    """The level after each stage, for the light entity's attributes and for understanding a result.

    A tuple, like ``Evaluation``: the cheapest immutable record to build on every tick of every channel.
    """

    program: float
    layers: float
    events: float
    override: float
    safety: float

    def as_dict(self) -> dict[str, float]:
        """Stage name → level."""
        return {
            "program": self.program,
            "layers": self.layers,
            "events": self.events,
            "override": self.override,
            "safety": self.safety,
        }


class Evaluation(NamedTuple):
    """A channel's level at one moment and what the HA layer needs around it.

    ``is_flash`` marks a step the output must take at once (a lightning flash or its end), not ramp to.
    ``next_transition`` is when the plan next changes phase (sunrise, a schedule point, an event's end, the
    override's end...), for the entity's attributes.
    """

    level: float
    is_flash: bool
    breakdown: Breakdown
    next_transition: dt.datetime | None
    active_event: str | None


def _active_events(plan: ChannelPlan, timestamp: float) -> list[Event]:
    return [event for event in plan.events if event.start_timestamp <= timestamp < event.end_timestamp]


def _compose(plan: ChannelPlan, moment: Moment, context: LightingContext) -> tuple[Sample, Breakdown]:
    """Run the five stages in their fixed priority order."""
    program = plan.program.sample(moment, context)
    level = program.level
    is_flash = program.is_flash
    for layer in plan.layers:
        level = layer.apply(level, moment, context)
    after_layers = level
    for event in _active_events(plan, moment.timestamp):
        sample = event.apply(level, moment.timestamp, plan.position)
        level = sample.level
        is_flash = is_flash or sample.is_flash
    after_events = level
    if plan.override is not None and moment.timestamp < plan.override.until_timestamp:
        level = plan.override.level
        is_flash = False
    after_override = level
    if context.forced_off:
        level = 0.0
        is_flash = False
    else:
        level *= context.derate
    level = min(max(level, 0.0), 1.0)
    breakdown = Breakdown(program.level, after_layers, after_events, after_override, level)
    return Sample(level, is_flash), breakdown


@lru_cache(maxsize=256)
def day_transitions(source: Program | Layer, day: dt.date, place: Place) -> tuple[float, ...]:
    """A program's or layer's transitions on a local day, computed once per day rather than per tick."""
    return source.transitions(day, place)


def _next_transition(plan: ChannelPlan, moment: Moment, context: LightingContext) -> float | None:
    """The earliest upcoming transition of the program, layers and events (the override's end hides them)."""
    timestamp = moment.timestamp
    if plan.override is not None and timestamp < plan.override.until_timestamp:
        return plan.override.until_timestamp
    candidates = [
        edge
        for event in plan.events
        for edge in (event.start_timestamp, event.end_timestamp)
        if edge > timestamp
    ]
    today = moment.local.date()
    for source in (plan.program, *plan.layers):
        for offset in range(_TRANSITION_LOOKAHEAD_DAYS):
            edges = day_transitions(source, today + dt.timedelta(days=offset), context.place)
            index = bisect.bisect_right(edges, timestamp)
            if index < len(edges):
                candidates.append(edges[index])
                break
    return min(candidates) if candidates else None


def evaluate(plan: ChannelPlan, now: dt.datetime, context: LightingContext) -> Evaluation:
    """The channel's level at ``now`` (aware) with the flash flag, stage breakdown and next transition."""
    moment = Moment.at(now, context.place)
    sample, breakdown = _compose(plan, moment, context)
    events = _active_events(plan, moment.timestamp)
    overridden = plan.override is not None and moment.timestamp < plan.override.until_timestamp
    transition = _next_transition(plan, moment, context)
    return Evaluation(
        level=sample.level,
        is_flash=sample.is_flash,
        breakdown=breakdown,
        next_transition=None
        if transition is None
        else dt.datetime.fromtimestamp(transition, moment.local.tzinfo),
        active_event=events[-1].kind if events and not overridden else None,
    )


def needs_fast_tick(plan: ChannelPlan, now: dt.datetime, context: LightingContext | None = None) -> bool:
    """Whether the channel should update at 20 Hz: an event is running, or (given the context) a mimic storm."""
    timestamp = now.timestamp()
    if plan.override is not None and timestamp < plan.override.until_timestamp:
        return False
    if _active_events(plan, timestamp):
        return True
    return context is not None and isinstance(plan.program, Mimic) and plan.program.stormy(context)


def prune(plan: ChannelPlan, now: dt.datetime) -> ChannelPlan:
    """The plan without events that have ended and without an override that has expired."""
    timestamp = now.timestamp()
    events = tuple(event for event in plan.events if event.end_timestamp > timestamp)
    override = plan.override
    if override is not None and override.until_timestamp <= timestamp:
        override = None
    if events == plan.events and override is plan.override:
        return plan
    return ChannelPlan(plan.program, plan.layers, events, override, plan.position, plan.name)


def preview(
    plan: ChannelPlan, day: dt.date, context: LightingContext, step_minutes: int = 1
) -> list[tuple[dt.datetime, float]]:
    """The channel's level through the local day ``day``, one point every ``step_minutes`` (at least 1).

    Runs every stage as ``evaluate`` would, so events and overrides on that day show too.
    """
    v.check_integer("step_minutes", step_minutes, 1, 1440)
    tz = context.place.tzinfo
    start = dt.datetime.combine(day, dt.time(0), tz).timestamp()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz).timestamp()
    points: list[tuple[dt.datetime, float]] = []
    timestamp = start
    while timestamp < end:
        now = dt.datetime.fromtimestamp(timestamp, tz)
        sample, _ = _compose(plan, Moment.at(now, context.place), context)
        points.append((now, sample.level))
        timestamp += step_minutes * 60.0
    return points


@dataclass(frozen=True, slots=True)
class Ramp:
    """Slew limiter between ticks: the output moves at most a full swing per ``full_swing_seconds``.

    Flashes (and the drop after them) pass straight through; everything else glides, so a program change, an
    override or a resume never shows as a visible step.
    """

    full_swing_seconds: float = 2.0

    def __post_init__(self) -> None:
        """Reject a non-positive or absurd swing time."""
        v.check_number("full_swing_seconds", self.full_swing_seconds, 0.01, 3600.0)

    def step(self, current: float, target: float, dt_seconds: float, is_flash: bool) -> float:
        """The output after ``dt_seconds`` heading from ``current`` toward ``target``."""
        if is_flash:
            return target
        limit = max(dt_seconds, 0.0) / self.full_swing_seconds
        return current + min(max(target - current, -limit), limit)
