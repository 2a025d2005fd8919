"""A channel's program and layers compiled for one local day: levels at knots joined by straight lines.

Knots sit every ten minutes, at every transition of the program and layers (with the level on each side, so a
moonlight window or a moonrise switches exactly), at clock changes and at the forecast's hours for ``mimic``;
between them the table is refined until a straight line is within ``TOLERANCE`` of every curve.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
import datetime as dt
import itertools
import math
from typing import NamedTuple

from .context import LightingContext, Moment, Place, WeatherData
from .engine import day_transitions
from .layers import FLOOR_STAGE, Layer
from .programs import Mimic, Program

# Largest gap between a straight line through the table and the reference, per curve (program, scale, floor).
TOLERANCE = 1e-4
_GRID_SECONDS = 600.0
_NARROWEST_SECONDS = 1e-3
_LEFT_SECONDS = 1e-3
_LOOKAHEAD_DAYS = 3

type _Levels = tuple[float, float, float]


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
        weather=day_weather(program, context),
        storm=program if isinstance(program, Mimic) and program.stormy(context) else None,
    )


def day_weather(program: Program, context: LightingContext) -> WeatherData | None:
    """The weather a ``mimic`` program follows, which its compiled day depends on."""
    if isinstance(program, Mimic) and program.weather_entity:
        return context.weather.get(program.weather_entity)
    return None
