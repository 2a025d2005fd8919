"""Layers stacked on a channel's program: acclimation, lunar and moonlight.

How they combine, in this order:
1. ``acclimation`` multiplies the program (it scales the program's peak, and so the whole curve, while corals
   get used to a new light);
2. ``lunar`` and ``moonlight`` are floors: the result is the highest of the acclimated program and each of
   them, so night light never adds to daylight and a bright day is never dimmed by the moon.
Safety derating and forced off are not layers of the plan: they come from the context and are applied last
by the engine, after events and overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import datetime as dt
from typing import Any, ClassVar, Self

from . import validation as v
from .astronomy import moon_day
from .context import LightingContext, Moment, Place, wall_clock

type Layer = Acclimation | Lunar | Moonlight

# Layers that scale the program run before layers that set a floor.
SCALE_STAGE = 0
FLOOR_STAGE = 1


@dataclass(frozen=True, slots=True)
class Acclimation:
    """The program scaled from ``start_level`` (share of full, e.g. 0.3 for 30 %) to 100 % over ``days``.

    Day 0 is local midnight of ``start_date``; the scale grows smoothly through each day, not in daily steps,
    and stays at 100 % once the days have passed (before the start date it holds at ``start_level``).
    """

    kind: ClassVar[str] = "acclimation"
    stage: ClassVar[int] = SCALE_STAGE
    start_date: dt.date
    days: int
    start_level: float

    def __post_init__(self) -> None:
        """Reject a period outside 1..365 days or a start level outside 0..100 % (0 starts from dark)."""
        if not isinstance(self.start_date, dt.date) or isinstance(self.start_date, dt.datetime):
            raise v.PlanError("invalid_date", name="start_date", value=self.start_date)
        v.check_integer("days", self.days, 1, 365)
        v.check_number("start_level", self.start_level, 0.0, 1.0)

    def factor(self, moment: Moment) -> float:
        """How much of the program shows at ``moment`` (start_level..1)."""
        elapsed = (moment.local.date() - self.start_date).days + moment.seconds_of_day / 86400.0
        progress = min(max(elapsed / self.days, 0.0), 1.0)
        return self.start_level + (1.0 - self.start_level) * progress

    def apply(self, level: float, moment: Moment, context: LightingContext) -> float:
        """Scale the program's level."""
        return level * self.factor(moment)

    def transitions(self, day: dt.date, place: Place) -> tuple[float, ...]:
        """Acclimation changes the level gradually, never in a step."""
        return ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "start_date": self.start_date.isoformat(),
            "days": self.days,
            "start_level": self.start_level,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(
            v.date(v.field(data, "start_date"), "start_date"),
            v.integer(data, "days"),
            v.number(data, "start_level"),
        )


@dataclass(frozen=True, slots=True)
class Lunar:
    """The real moon: ``max_level`` × the lit fraction of the moon, only while it is above the horizon.

    Rise, set and phase are those at the controller's place, so a full moon rising at 19:40 lights the tank
    from 19:40.
    """

    kind: ClassVar[str] = "lunar"
    stage: ClassVar[int] = FLOOR_STAGE
    max_level: float

    def __post_init__(self) -> None:
        """Reject a level outside 0..1."""
        v.check_number("max_level", self.max_level, 0.0, 1.0)

    def level(self, moment: Moment, context: LightingContext) -> float:
        """The moon's own contribution at ``moment``."""
        place = context.place
        moon = moon_day(place.latitude, place.longitude, place.time_zone, moment.local.date())
        if not moon.is_up(moment.timestamp):
            return 0.0
        return self.max_level * moon.fraction_illuminated(moment.timestamp)

    def apply(self, level: float, moment: Moment, context: LightingContext) -> float:
        """Raise the level to the moon's when the moon is brighter."""
        return max(level, self.level(moment, context))

    def transitions(self, day: dt.date, place: Place) -> tuple[float, ...]:
        """Moonrises and moonsets on ``day``."""
        return tuple(moon_day(place.latitude, place.longitude, place.time_zone, day).transitions())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "max_level": self.max_level}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.number(data, "max_level"))


def _seconds(value: dt.time) -> float:
    return value.hour * 3600.0 + value.minute * 60.0 + value.second


@dataclass(frozen=True, slots=True)
class Moonlight:
    """A fixed dim level between two wall-clock times; the window may cross midnight (e.g. 21:00–06:00).

    Levels far below 1 % (e.g. 0.0005) are kept exactly: how finely the hardware can show them is up to the
    channel's dimming curve and resolution.
    """

    kind: ClassVar[str] = "moonlight"
    stage: ClassVar[int] = FLOOR_STAGE
    level: float
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        """Reject a level outside 0..1 and a window that starts when it ends."""
        v.check_number("level", self.level, 0.0, 1.0)
        for name, value in (("start", self.start), ("end", self.end)):
            if not isinstance(value, dt.time) or value.tzinfo is not None:
                raise v.PlanError("invalid_time", name=name, value=value)
        if _seconds(self.start) == _seconds(self.end):
            raise v.PlanError("empty_window", name="moonlight", value=v.format_time(self.start))

    def lit(self, moment: Moment) -> bool:
        """Whether ``moment`` falls inside the window."""
        seconds = moment.seconds_of_day
        start, end = _seconds(self.start), _seconds(self.end)
        if start < end:
            return start <= seconds < end
        return seconds >= start or seconds < end

    def apply(self, level: float, moment: Moment, context: LightingContext) -> float:
        """Raise the level to the moonlight's inside the window."""
        return max(level, self.level) if self.lit(moment) else level

    def transitions(self, day: dt.date, place: Place) -> tuple[float, ...]:
        """The window's start and end on ``day``."""
        return tuple(sorted(wall_clock(place, day, _seconds(edge)) for edge in (self.start, self.end)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "level": self.level,
            "start": v.format_time(self.start),
            "end": v.format_time(self.end),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(
            v.number(data, "level"),
            v.time_of_day(v.field(data, "start"), "start"),
            v.time_of_day(v.field(data, "end"), "end"),
        )


LAYERS: Mapping[str, type[Layer]] = {layer.kind: layer for layer in (Acclimation, Lunar, Moonlight)}


def layer_from_dict(data: Mapping[str, Any]) -> Layer:
    """Build any layer from its JSON form, chosen by its ``kind``."""
    data = v.mapping(data, "layer")
    kind = v.field(data, "kind")
    v.check_choice("kind", kind, tuple(LAYERS))
    return LAYERS[kind].from_dict(data)
