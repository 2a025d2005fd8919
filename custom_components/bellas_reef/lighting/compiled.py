"""Compiled days: a channel's program and layers worked out once a day, so a tick is a table lookup.

``engine.evaluate`` (the reference, kept as the oracle) works out the wall clock, the sun's window, the moon and
the schedule from the plan every tick, though they only change with the day. ``Evaluator`` compiles a channel's
program and layers for one local day (again whenever they, the place or the weather change) into levels at knots
on the timestamp axis, joined by straight lines; a tick is then one bisect and a few multiplications, with no
datetime arithmetic and no astronomy. Running events, the override and safety are applied live exactly as the
reference applies them, and a tick on a flat stretch with nothing running returns the previous result.

Knots sit every ten minutes, at every transition of the program and layers (with the level on each side, so a
moonlight window or a moonrise switches exactly), at clock changes and at the forecast's hours for ``mimic``;
between them the table is refined until a straight line is within ``TOLERANCE`` of every curve.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
import datetime as dt
import itertools
import math
from typing import NamedTuple

from .context import LightingContext, Moment, Place, WeatherData
from .engine import Breakdown, ChannelPlan, Evaluation, day_transitions
from .layers import FLOOR_STAGE, Layer
from .programs import Mimic, Program

# Largest gap between a straight line through the table and the reference, per curve (program, scale, floor).
TOLERANCE = 1e-4
_GRID_SECONDS = 600.0
_NARROWEST_SECONDS = 1e-3
_LEFT_SECONDS = 1e-3
_LOOKAHEAD_DAYS = 3
# A channel unseen for this long (its plan replaced) is forgotten.
_FORGET_SECONDS = 3600.0
_DAYS_KEPT = 64

type _Levels = tuple[float, float, float]
# What a compiled day is shared by: program, layers, place, local date and the weather it followed.
type DayKey = tuple[object, ...]
# What compiling a day needs beside the context: program, layers and the local date.
type DayRequest = tuple[Program, tuple[Layer, ...], dt.date]

# Build the tuples returned every tick without the keyword-handling constructor NamedTuple generates.
_new = tuple.__new__


class Segment(NamedTuple):
    """One stretch of a compiled day: each curve is ``value + slope × (t − start)`` from ``start`` to ``end``.

    ``flat`` when no curve moves; ``next_transition`` is the program's or layers' next phase change after any
    moment of the stretch (transitions are knots, so it holds for the whole stretch).
    """

    start: float
    program: float
    program_slope: float
    scale: float
    scale_slope: float
    floor: float
    floor_slope: float
    flat: bool
    end: float
    next_transition: float


@dataclass(frozen=True, slots=True)
class CompiledDay:
    """A channel's program, scale (acclimation) and floor (lunar, moonlight) through one local day.

    ``times`` are the segments' starts; a step is a segment of no length (the level before, then after), which a
    look-up never lands on. ``storm`` is a ``mimic`` program whose weather storms: that part runs live.
    """

    start: float
    end: float
    times: tuple[float, ...]
    segments: tuple[Segment, ...]
    place: Place
    follows_weather: bool
    weather: WeatherData | None
    storm: Mimic | None


def _moment(timestamp: float, place: Place) -> Moment:
    """The instant exactly at ``timestamp``, with our wall clock (to the microsecond) beside it."""
    local = dt.datetime.fromtimestamp(timestamp, place.tzinfo)
    seconds = local.hour * 3600.0 + local.minute * 60.0 + local.second + local.microsecond / 1e6
    return Moment(timestamp, local, seconds)


def _sampler(
    program: Program, layers: Sequence[Layer], context: LightingContext
) -> Callable[[float], _Levels]:
    """The reference's program and layer stages at a timestamp, split into program, scale and floor.

    Scaling layers multiply the program and floors raise the result, so the reference's layer stage is
    max(program × scale, floor); a storm from the weather is left out here and run live.
    """
    scaling = [layer for layer in layers if layer.stage < FLOOR_STAGE]
    floors = [layer for layer in layers if layer.stage >= FLOOR_STAGE]
    place = context.place

    def sample(timestamp: float) -> _Levels:
        moment = _moment(timestamp, place)
        if isinstance(program, Mimic):
            level = program.calm_level(moment, context)
        else:
            level = program.sample(moment, context).level
        scale = 1.0
        for layer in scaling:
            scale = layer.apply(scale, moment, context)
        floor = 0.0
        for layer in floors:
            floor = layer.apply(floor, moment, context)
        return level, scale, floor

    return sample


def _clock_changes(start: float, end: float, place: Place) -> list[float]:
    """The instants in (start, end) when the place's clocks change (they change on a whole second)."""
    tz = place.tzinfo

    def offset(moment: float) -> dt.timedelta | None:
        return dt.datetime.fromtimestamp(moment, tz).utcoffset()

    changes: list[float] = []
    hours = math.ceil((end - start) / 3600.0)
    probes = [start + hour * 3600.0 for hour in range(hours)] + [end]
    for low, high in itertools.pairwise(probes):
        before = offset(low)
        if before == offset(high):
            continue
        low_second, high_second = math.floor(low), math.ceil(high)
        while high_second - low_second > 1:
            middle = (low_second + high_second) // 2
            if offset(middle) == before:
                low_second = middle
            else:
                high_second = middle
        changes.append(float(high_second))
    return changes


def _far(first: Sequence[float], second: Sequence[float]) -> bool:
    return any(abs(a - b) > TOLERANCE for a, b in zip(first, second, strict=True))


def _knots(sample: Callable[[float], _Levels], edges: list[float]) -> tuple[list[float], list[_Levels]]:
    """Knots through [edges[0], edges[-1]]: every edge (doubled where the level steps), refined between them."""
    times: list[float] = []
    values: list[_Levels] = []
    right = sample(edges[0])
    for before, after in itertools.pairwise(edges):
        left = sample(after - _LEFT_SECONDS) if after - before > 2 * _LEFT_SECONDS else right
        times.append(before)
        values.append(right)
        _refine(sample, before, right, after, left, times, values)
        right = sample(after)
        if _far(left, right):
            times.append(after)
            values.append(left)
    times.append(edges[-1])
    values.append(right)
    return times, values


def _refine(
    sample: Callable[[float], _Levels],
    start: float,
    first: _Levels,
    end: float,
    last: _Levels,
    times: list[float],
    values: list[_Levels],
) -> None:
    """Add knots inside (start, end) until a straight line is within TOLERANCE; a hidden step ends as a knot pair."""
    middle = (start + end) / 2.0
    value = sample(middle)
    line = tuple((a + b) / 2.0 for a, b in zip(first, last, strict=True))
    if not _far(value, line) and not _bent(sample, start, first, end, last):
        return
    if end - start <= _NARROWEST_SECONDS:
        # A step that no transition announced: put it at the end of this sliver.
        times.append(end)
        values.append(first)
        return
    _refine(sample, start, first, middle, value, times, values)
    times.append(middle)
    values.append(value)
    _refine(sample, middle, value, end, last, times, values)


def _bent(
    sample: Callable[[float], _Levels], start: float, first: _Levels, end: float, last: _Levels
) -> bool:
    """Whether the curve leaves the straight line at a quarter or three quarters of the way.

    A symmetric S-curve (a smooth step) crosses the line exactly at its middle, so the middle alone cannot tell.
    """
    for share in (0.25, 0.75):
        line = tuple(a + (b - a) * share for a, b in zip(first, last, strict=True))
        if _far(sample(start + (end - start) * share), line):
            return True
    return False


def _collinear(before: float, middle: float, after: float, values: tuple[_Levels, _Levels, _Levels]) -> bool:
    first, second, third = values
    share = (middle - before) / (after - before)
    return all(abs(a + (c - a) * share - b) <= 1e-12 for a, b, c in zip(first, second, third, strict=True))


def _simplify(
    times: list[float], values: list[_Levels], transitions: set[float]
) -> tuple[list[float], list[_Levels]]:
    """Drop knots on the straight line between their neighbours (a flat night, a static program).

    Transitions stay: each segment knows the next one, which holds only if none falls inside it.
    """
    kept_times, kept_values = [times[0]], [values[0]]
    for index in range(1, len(times) - 1):
        before, middle, after = kept_times[-1], times[index], times[index + 1]
        if (
            middle not in transitions
            and before < middle < after
            and _collinear(before, middle, after, (kept_values[-1], values[index], values[index + 1]))
        ):
            continue
        kept_times.append(middle)
        kept_values.append(values[index])
    kept_times.append(times[-1])
    kept_values.append(values[-1])
    return kept_times, kept_values


def compile_day(
    program: Program, layers: tuple[Layer, ...], day: dt.date, context: LightingContext
) -> CompiledDay:
    """Compile ``program`` with ``layers`` for the local date ``day`` at the context's place and weather."""
    place = context.place
    tz = place.tzinfo
    start = dt.datetime.combine(day, dt.time(0), tz).timestamp()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz).timestamp()
    sources: tuple[Program | Layer, ...] = (program, *layers)
    transitions = sorted(
        {
            edge
            for source in sources
            for offset in range(_LOOKAHEAD_DAYS)
            for edge in day_transitions(source, day + dt.timedelta(days=offset), place)
        }
    )
    inside = [edge for edge in transitions if start < edge < end]
    inside += _clock_changes(start, end, place)
    if isinstance(program, Mimic):
        inside += [edge for edge in program.cloud_edges(context) if start < edge < end]
    grid = [start + index * _GRID_SECONDS for index in range(1, math.ceil((end - start) / _GRID_SECONDS))]
    edges = sorted({start, end, *inside, *(moment for moment in grid if moment < end)})
    times, values = _simplify(*_knots(_sampler(program, layers, context), edges), set(transitions))

    segments: list[Segment] = []
    for index, (before, after) in enumerate(itertools.pairwise(times)):
        length = after - before
        first, last = values[index], values[index + 1]
        program_slope, scale_slope, floor_slope = (
            (b - a) / length if length > 0.0 else 0.0 for a, b in zip(first, last, strict=True)
        )
        position = bisect_right(transitions, before)
        segments.append(
            Segment(
                before,
                first[0],
                program_slope,
                first[1],
                scale_slope,
                first[2],
                floor_slope,
                program_slope == scale_slope == floor_slope == 0.0,
                after,
                transitions[position] if position < len(transitions) else math.inf,
            )
        )
    return CompiledDay(
        start=start,
        end=end,
        times=tuple(segment.start for segment in segments),
        segments=tuple(segments),
        place=place,
        follows_weather=isinstance(program, Mimic) and program.weather_entity is not None,
        weather=_weather(program, context),
        storm=program if isinstance(program, Mimic) and program.stormy(context) else None,
    )


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
            or (day.follows_weather and day.weather is not _weather(plan.program, context))
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
    return (plan.program, plan.layers, place, day, _weather(plan.program, context)), day


def _weather(program: Program, context: LightingContext) -> WeatherData | None:
    if isinstance(program, Mimic) and program.weather_entity:
        return context.weather.get(program.weather_entity)
    return None
