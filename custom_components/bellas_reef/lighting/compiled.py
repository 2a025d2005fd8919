"""Compiled days at work: a tick of a channel is a table lookup in its program and layers' day (see ``days``).

``engine.evaluate`` (the reference, kept as the oracle) works out the wall clock, the sun's window, the moon and
the schedule from the plan every tick, though they only change with the day. ``Evaluator`` compiles a channel's
program and layers for one local day (again whenever they, the place or the weather change); a tick is then one
bisect and a few multiplications, with no datetime arithmetic and no astronomy. Running events, the override and
safety are applied live exactly as the reference applies them, and a tick on a flat stretch with nothing running
returns the previous result.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
import datetime as dt
import math

from .context import LightingContext, Place
from .days import CompiledDay, compile_day, day_weather
from .engine import Breakdown, ChannelPlan, Evaluation
from .layers import Layer
from .programs import Program

# A channel unseen for this long (its plan replaced) is forgotten.
_FORGET_SECONDS = 3600.0
_DAYS_KEPT = 64
# What a compiled day is shared by: program, layers, place, local date and the weather it followed.
type DayKey = tuple[object, ...]
# What compiling a day needs beside the context: program, layers and the local date.
type DayRequest = tuple[Program, tuple[Layer, ...], dt.date]

# Build the tuples returned every tick without the keyword-handling constructor NamedTuple generates.
_new = tuple.__new__


class _Channel:
    """What the evaluator remembers about one plan: its compiled day and its last result while that holds."""

    __slots__ = (
        "day",
        "derate",
        "evaluation",
        "forced_off",
        "place",
        "plan",
        "seen",
        "transition",
        "transition_at",
        "valid_from",
        "valid_until",
    )

    def __init__(self, plan: ChannelPlan) -> None:
        self.plan = plan
        self.day: CompiledDay | None = None
        self.seen = 0.0
        self.evaluation: Evaluation | None = None
        self.valid_from = math.inf
        self.valid_until = -math.inf
        self.derate = 1.0
        self.forced_off = False
        self.place: Place | None = None
        self.transition = math.inf
        self.transition_at: dt.datetime | None = None


class Evaluator:
    """``evaluate(plan, now, context)`` as the reference computes it, from compiled days.

    One evaluator serves all of a controller's channels: it follows each plan object it is handed (a changed plan
    is a new object) and shares a compiled day between channels whose program and layers are equal.
    """

    def __init__(self) -> None:
        """Start with nothing compiled."""
        self._channels: dict[int, _Channel] = {}
        self._days: dict[tuple[object, ...], CompiledDay] = {}
        self._swept = 0.0

    def evaluate(self, plan: ChannelPlan, now: dt.datetime, context: LightingContext) -> Evaluation:
        """The channel's level at ``now`` (aware) with the flash flag, stage breakdown and next transition."""
        timestamp = now.timestamp()
        channel = self._channels.get(id(plan))
        if channel is None or channel.plan is not plan:
            channel = self._follow(plan, timestamp)
        channel.seen = timestamp
        day = channel.day
        if (
            channel.valid_from <= timestamp < channel.valid_until
            and context.derate == channel.derate
            and context.forced_off == channel.forced_off
            and context.place is channel.place
        ):
            return channel.evaluation  # type: ignore[return-value]
        if (
            day is None
            or not day.start <= timestamp < day.end
            or day.place is not context.place
            or (day.follows_weather and day.weather is not day_weather(plan.program, context))
        ):
            day = channel.day = self._day(plan, timestamp, context)

        # The reference's stages, in its order, from the compiled day.
        (
            segment_start,
            program,
            program_slope,
            scale,
            scale_slope,
            floor,
            floor_slope,
            flat,
            segment_end,
            edge,
        ) = day.segments[bisect_right(day.times, timestamp) - 1]
        offset = timestamp - segment_start
        program += program_slope * offset
        is_flash = False
        if day.storm is not None:
            program, is_flash = day.storm.storm_over(program, timestamp)
        level = program * (scale + scale_slope * offset)
        level = max(level, floor + floor_slope * offset)
        after_layers = level
        active_event: str | None = None
        for event in plan.events:
            if event.start_timestamp <= timestamp < event.end_timestamp:
                level, flash = event.apply(level, timestamp, plan.position)
                is_flash = is_flash or flash
                active_event = event.kind
                edge = min(edge, event.end_timestamp)
            elif event.start_timestamp > timestamp:
                edge = min(edge, event.start_timestamp)
        after_events = level
        # An event under an override still shows in the breakdown, so it still moves.
        still = flat and active_event is None and not day.follows_weather
        override = plan.override
        transition = edge
        if override is not None and timestamp < override.until_timestamp:
            level = override.level
            is_flash = False
            active_event = None
            # The override's end hides every other transition, but not from the breakdown.
            transition = override.until_timestamp
        after_override = level
        if context.forced_off:
            level = 0.0
            is_flash = False
        else:
            level *= context.derate
        level = 0.0 if level < 0.0 else 1.0 if level > 1.0 else level
        if transition != channel.transition:
            channel.transition = transition
            channel.transition_at = (
                None if transition == math.inf else dt.datetime.fromtimestamp(transition, day.place.tzinfo)
            )
        evaluation = _new(
            Evaluation,
            (
                level,
                is_flash,
                _new(Breakdown, (program, after_layers, after_events, after_override, level)),
                channel.transition_at,
                active_event,
            ),
        )
        if still:
            # Nothing moves until the next knot or transition: later ticks reuse this result.
            channel.evaluation = evaluation
            channel.valid_from = timestamp
            channel.valid_until = min(segment_end, edge, transition)
            channel.derate = context.derate
            channel.forced_off = context.forced_off
            channel.place = day.place
        else:
            channel.valid_until = -math.inf
        return evaluation

    def _follow(self, plan: ChannelPlan, timestamp: float) -> _Channel:
        """Start following a new plan object; plans not seen for an hour are forgotten (their day stays shared)."""
        if timestamp - self._swept > _FORGET_SECONDS:
            self._swept = timestamp
            for key in [
                key for key, known in self._channels.items() if timestamp - known.seen > _FORGET_SECONDS
            ]:
                del self._channels[key]
        channel = self._channels[id(plan)] = _Channel(plan)
        return channel

    def days_to_compile(
        self, plans: Iterable[ChannelPlan], timestamp: float, context: LightingContext
    ) -> dict[DayKey, DayRequest]:
        """The days these plans need at ``timestamp`` that are not compiled yet, for ``compile_days``.

        Compiling takes milliseconds per plan; a caller with an event loop compiles them ahead (before midnight,
        before the first tick) in a worker thread, so the tick that needs them only looks them up.
        """
        wanted: dict[DayKey, DayRequest] = {}
        for plan in plans:
            key, day = _day_key(plan, timestamp, context)
            if key not in self._days:
                wanted[key] = (plan.program, plan.layers, day)
        return wanted

    def add_days(self, days: Mapping[DayKey, CompiledDay], timestamp: float) -> None:
        """Keep days compiled elsewhere (``compile_days``) for the ticks that will need them."""
        for key, compiled in days.items():
            self._keep(key, compiled, timestamp)

    def _day(self, plan: ChannelPlan, timestamp: float, context: LightingContext) -> CompiledDay:
        key, day = _day_key(plan, timestamp, context)
        compiled = self._days.get(key)
        if compiled is None:
            compiled = self._keep(key, compile_day(plan.program, plan.layers, day, context), timestamp)
        return compiled

    def _keep(self, key: DayKey, compiled: CompiledDay, timestamp: float) -> CompiledDay:
        if key not in self._days and len(self._days) >= _DAYS_KEPT:
            for stale in [known for known, value in self._days.items() if value.end <= timestamp]:
                del self._days[stale]
            if len(self._days) >= _DAYS_KEPT:
                self._days.clear()
        self._days[key] = compiled
        return compiled


def compile_days(
    requests: Mapping[DayKey, DayRequest], context: LightingContext
) -> dict[DayKey, CompiledDay]:
    """Compile what ``Evaluator.days_to_compile`` asked for; blocking, and safe in a worker thread."""
    return {
        key: compile_day(program, layers, day, context) for key, (program, layers, day) in requests.items()
    }


def _day_key(plan: ChannelPlan, timestamp: float, context: LightingContext) -> tuple[DayKey, dt.date]:
    place = context.place
    day = dt.datetime.fromtimestamp(timestamp, place.tzinfo).date()
    return (plan.program, plan.layers, place, day, day_weather(plan.program, context)), day
