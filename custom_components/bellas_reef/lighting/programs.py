"""Programs: the one base behavior a channel follows through the day (static, schedule, daylight, mimic).

Each program is a frozen value with ``sample`` (level plus whether it is a flash, for the engine),
``level`` (just the level), ``transitions`` (when a local day's phases change, for the entity's "next
transition") and a JSON round-trip.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
import datetime as dt
from functools import lru_cache
import itertools
import math
from typing import Any, ClassVar, NamedTuple, Self
import zlib

from . import validation as v
from .astronomy import SUNRISE_ELEVATION, SunKind, solar_date, sun_curve, sun_day, sun_elevation
from .context import LightingContext, Moment, Place, WeatherData, wall_clock
from .effects import Sample, storm

_DAY_SECONDS = 86400.0
_MAX_OFFSET_MINUTES = 720.0
_MIMIC_STORM_SECONDS = 3600.0
_OFF = Sample(0.0, False)

type Program = Static | Schedule | Daylight | Mimic

SHAPES = ("sine", "bell", "plateau")
INTERPOLATIONS = ("linear", "smooth")


def _level_at(program: Program, now: dt.datetime, context: LightingContext) -> float:
    return program.sample(Moment.at(now, context.place), context).level


@dataclass(frozen=True, slots=True)
class Static:
    """One fixed level all day (``value``; its JSON key is ``level``, the reef keeper's word)."""

    kind: ClassVar[str] = "static"
    value: float

    def __post_init__(self) -> None:
        """Reject a level outside 0..1."""
        v.check_number("level", self.value, 0.0, 1.0)

    def sample(self, moment: Moment, context: LightingContext) -> Sample:
        """The fixed level."""
        return Sample(self.value, False)

    def level(self, now: dt.datetime, context: LightingContext) -> float:
        """The level (0..1) at ``now``."""
        return _level_at(self, now, context)

    def transitions(self, day: dt.date, place: Place) -> tuple[float, ...]:
        """Never changes."""
        return ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "level": self.value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.number(data, "level"))


@dataclass(frozen=True, slots=True)
class SchedulePoint:
    """A level the schedule passes through at a wall-clock time."""

    time: dt.time
    level: float

    def __post_init__(self) -> None:
        """Reject a level outside 0..1 or a time with a zone (schedule times follow the controller's clock)."""
        if not isinstance(self.time, dt.time) or self.time.tzinfo is not None:
            raise v.PlanError("invalid_time", name="time", value=self.time)
        v.check_number("level", self.level, 0.0, 1.0)

    @property
    def seconds(self) -> float:
        """Seconds since midnight."""
        return (
            self.time.hour * 3600.0 + self.time.minute * 60.0 + self.time.second + self.time.microsecond / 1e6
        )


@dataclass(frozen=True, slots=True)
class Schedule:
    """Levels at times of day joined by straight lines (``linear``) or cosine easing (``smooth``).

    The day wraps: after the last point the level heads for the first point of the next day, so a schedule can
    cross midnight (e.g. a refugium on from 22:00 to 06:00).
    """

    kind: ClassVar[str] = "schedule"
    points: tuple[SchedulePoint, ...]
    interpolation: str = "linear"
    _seconds: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Sort the points and reject fewer than two, two at the same time, or an unknown interpolation."""
        v.check_choice("interpolation", self.interpolation, INTERPOLATIONS)
        points = tuple(sorted(self.points, key=lambda point: point.seconds))
        if len(points) < 2:
            raise v.PlanError("too_few_points", name="points", minimum=2)
        seconds = tuple(point.seconds for point in points)
        for before, after in itertools.pairwise(points):
            if before.seconds == after.seconds:
                raise v.PlanError("duplicate_time", name="points", value=v.format_time(after.time))
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "_seconds", seconds)

    def sample(self, moment: Moment, context: LightingContext) -> Sample:
        """Interpolate between the points around the wall-clock time."""
        seconds = moment.seconds_of_day
        index = bisect.bisect_right(self._seconds, seconds) - 1
        count = len(self.points)
        before_time = self._seconds[index] - (_DAY_SECONDS if index < 0 else 0.0)
        after_index = (index + 1) % count
        after_time = self._seconds[after_index] + (_DAY_SECONDS if index + 1 >= count else 0.0)
        position = (seconds - before_time) / (after_time - before_time)
        if self.interpolation == "smooth":
            position = (1.0 - math.cos(math.pi * position)) / 2.0
        before = self.points[index].level
        return Sample(before + (self.points[after_index].level - before) * position, False)

    def level(self, now: dt.datetime, context: LightingContext) -> float:
        """The level (0..1) at ``now``."""
        return _level_at(self, now, context)

    def transitions(self, day: dt.date, place: Place) -> tuple[float, ...]:
        """Each schedule point on ``day``."""
        return tuple(wall_clock(place, day, seconds) for seconds in self._seconds)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "points": [{"time": v.format_time(point.time), "level": point.level} for point in self.points],
            "interpolation": self.interpolation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        points = []
        for item in v.sequence(v.field(data, "points"), "points"):
            point = v.mapping(item, "points")
            points.append(
                SchedulePoint(v.time_of_day(v.field(point, "time"), "time"), v.number(point, "level"))
            )
        return cls(tuple(points), v.choice(data, "interpolation", INTERPOLATIONS, "linear"))


def shape_value(shape: str, position: float, ramp: float) -> float:
    """Relative level (0..1) at ``position`` (0 = start, 1 = end) through a lit window.

    ``sine`` follows half a sine wave; ``bell`` a Gaussian (σ = 0.15 of the window) lowered to reach 0 at both
    ends; ``plateau`` eases up over ``ramp`` (a share of the window, at most half), holds, then eases down.
    """
    if shape == "sine":
        return math.sin(math.pi * position)
    if shape == "bell":
        floor = math.exp(-0.25 / (2 * 0.15**2))
        return (math.exp(-((position - 0.5) ** 2) / (2 * 0.15**2)) - floor) / (1.0 - floor)
    edge = min(position, 1.0 - position)
    if edge >= ramp:
        return 1.0
    return (1.0 - math.cos(math.pi * edge / ramp)) / 2.0


def sun_height(elevation: float) -> float:
    """Share of full light (0..1) for the sun ``elevation`` degrees up (geometric, no refraction).

    Measured from the elevation at which the sun rises and sets (its upper limb on the apparent horizon), so the
    light comes on at apparent sunrise and goes off at apparent sunset, and is full with the sun overhead.
    """
    above = (elevation - SUNRISE_ELEVATION) * 90.0 / (90.0 - SUNRISE_ELEVATION)
    return max(0.0, math.sin(math.radians(above)))


class DaylightWindow(NamedTuple):
    """A lit window on the timestamp axis and the share of the peak at each end (0 except in polar day)."""

    start: float
    end: float
    floor_start: float = 0.0
    floor_end: float = 0.0


def _midnight_floor(latitude: float, longitude: float, midnight: float, noon: dt.datetime) -> float:
    """The midnight sun's light as a share of the noon sun's, for a polar day's darkest moment."""
    low = sun_height(sun_elevation(latitude, longitude, dt.datetime.fromtimestamp(midnight, dt.UTC)))
    return min(1.0, low / sun_height(sun_elevation(latitude, longitude, noon)))


@lru_cache(maxsize=64)
def _daylight_window(
    latitude: float, longitude: float, day: dt.date, sunrise_offset: float, sunset_offset: float
) -> DaylightWindow | None:
    sun = sun_day(latitude, longitude, day)
    if sun.kind is SunKind.POLAR_NIGHT:
        return None
    if sun.sunrise is None or sun.sunset is None:
        # Polar day: solar midnight to solar midnight, each halfway between two noons, so that consecutive days
        # meet exactly; at those ends the light sits as low as the midnight sun, never dark.
        noon = sun.noon.timestamp()
        before = sun_day(latitude, longitude, day - dt.timedelta(days=1)).noon.timestamp()
        after = sun_day(latitude, longitude, day + dt.timedelta(days=1)).noon.timestamp()
        start, end = (before + noon) / 2.0, (noon + after) / 2.0
        return DaylightWindow(
            start,
            end,
            _midnight_floor(latitude, longitude, start, sun.noon),
            _midnight_floor(latitude, longitude, end, sun.noon),
        )
    start = sun.sunrise.timestamp() + sunrise_offset * 60.0
    end = sun.sunset.timestamp() + sunset_offset * 60.0
    return DaylightWindow(start, end) if end > start else None


@dataclass(frozen=True, slots=True)
class Daylight:
    """The controller's own sun: dark at night, a curve from sunrise to sunset peaking at ``peak``.

    Sunrise and sunset come from the controller's place and date, so the photoperiod follows the seasons.
    Offsets (minutes, positive = later) move sunrise and sunset, e.g. to shift the show into the evening.
    In polar day the window runs from solar midnight to solar midnight (offsets ignored) and the curve rests on
    the midnight sun's share of the noon sun, so the light dims toward midnight but never goes dark; in polar
    night the channel stays dark.
    """

    kind: ClassVar[str] = "daylight"
    peak: float = 1.0
    shape: str = "sine"
    sunrise_offset: float = 0.0
    sunset_offset: float = 0.0
    ramp_minutes: float = 90.0

    def __post_init__(self) -> None:
        """Reject out-of-range levels, offsets and ramps, and unknown shapes."""
        v.check_number("peak", self.peak, 0.0, 1.0)
        v.check_choice("shape", self.shape, SHAPES)
        v.check_number("sunrise_offset", self.sunrise_offset, -_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES)
        v.check_number("sunset_offset", self.sunset_offset, -_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES)
        v.check_number("ramp_minutes", self.ramp_minutes, 1.0, 720.0)

    def window(self, place: Place, day: dt.date) -> DaylightWindow | None:
        """The lit window on solar date ``day``, None when it stays dark."""
        return _daylight_window(place.latitude, place.longitude, day, self.sunrise_offset, self.sunset_offset)

    def sample(self, moment: Moment, context: LightingContext) -> Sample:
        """The curve's level, looking at neighbouring days too when offsets push a window past midnight."""
        place = context.place
        day = solar_date(place.longitude, moment.timestamp)
        for offset in (0, -1, 1):
            window = self.window(place, day + dt.timedelta(days=offset))
            if window is None:
                continue
            start, end, floor_start, floor_end = window
            if start <= moment.timestamp < end:
                position = (moment.timestamp - start) / (end - start)
                ramp = min(0.5, self.ramp_minutes * 60.0 / (end - start))
                floor = floor_start + (floor_end - floor_start) * position
                relative = floor + (1.0 - floor) * shape_value(self.shape, position, ramp)
                return Sample(self.peak * relative, False)
        return _OFF

    def level(self, now: dt.datetime, context: LightingContext) -> float:
        """The level (0..1) at ``now``."""
        return _level_at(self, now, context)

    def transitions(self, day: dt.date, place: Place) -> tuple[float, ...]:
        """Starts and ends of lit windows (sunrise and sunset with offsets) around local date ``day``."""
        edges: list[float] = []
        for offset in (-1, 0, 1):
            window = self.window(place, day + dt.timedelta(days=offset))
            if window is not None:
                edges.extend((window.start, window.end))
        return tuple(sorted(edges))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "peak": self.peak,
            "shape": self.shape,
            "sunrise_offset": self.sunrise_offset,
            "sunset_offset": self.sunset_offset,
            "ramp_minutes": self.ramp_minutes,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(
            peak=v.number(data, "peak", 1.0),
            shape=v.choice(data, "shape", SHAPES, "sine"),
            sunrise_offset=v.number(data, "sunrise_offset", 0.0),
            sunset_offset=v.number(data, "sunset_offset", 0.0),
            ramp_minutes=v.number(data, "ramp_minutes", 90.0),
        )


@dataclass(frozen=True, slots=True)
class Mimic:
    """A remote place's sun played on the local clock, optionally with that place's clouds and storms.

    The remote wall clock maps onto ours: Bora Bora's 06:30 sunrise happens at 06:30 here, with Bora Bora's day
    length and sun height. The level is ``peak`` × ``sun_height`` (the sine of the sun's height above where it
    rises), so the light runs from the remote place's apparent sunrise to its apparent sunset and a low winter sun
    is dimmer. With a
    ``weather_entity``, cloud cover (%) dims the light by ``cloud_dimming`` × cover: the hourly forecast for the
    remote hour when the context has one, else the current cover. While the entity reports ``lightning`` or
    ``lightning-rainy``, a storm darkens the light and flashes at ``storm_strength``.
    """

    kind: ClassVar[str] = "mimic"
    place: Place
    peak: float = 1.0
    weather_entity: str | None = None
    cloud_dimming: float = 0.7
    storm_strength: float = 0.6
    _storm_seed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Reject out-of-range levels and an empty entity id."""
        v.check_number("peak", self.peak, 0.0, 1.0)
        v.check_number("cloud_dimming", self.cloud_dimming, 0.0, 1.0)
        v.check_number("storm_strength", self.storm_strength, 0.0, 1.0)
        if self.weather_entity is not None and (
            not isinstance(self.weather_entity, str) or not self.weather_entity.strip()
        ):
            raise v.PlanError("invalid_text", name="weather_entity", value=self.weather_entity)
        seed = zlib.crc32((self.weather_entity or "").encode())
        object.__setattr__(self, "_storm_seed", seed)

    def _remote_timestamp(self, moment: Moment) -> float:
        """When the remote place's wall clock shows what ours shows now."""
        wall = moment.local.replace(tzinfo=None)
        return dt.datetime.combine(wall.date(), wall.time(), self.place.tzinfo).timestamp()

    def _weather(self, context: LightingContext) -> WeatherData | None:
        return context.weather.get(self.weather_entity) if self.weather_entity else None

    def stormy(self, context: LightingContext) -> bool:
        """Whether the weather entity reports lightning (the engine ticks fast while it does)."""
        weather = self._weather(context)
        return weather is not None and weather.stormy

    def calm_level(self, moment: Moment, context: LightingContext) -> float:
        """The remote sun at our wall-clock time, dimmed by clouds: everything but a storm."""
        curve = sun_curve(
            self.place.latitude, self.place.longitude, self.place.time_zone, moment.local.date()
        )
        level = self.peak * sun_height(curve.elevation(moment.seconds_of_day))
        weather = self._weather(context)
        if weather is None:
            return level
        cover = (
            weather.cloud_cover_at(self._remote_timestamp(moment))
            if weather.forecast
            else weather.cloud_cover
        )
        if cover is not None:
            level *= 1.0 - self.cloud_dimming * cover / 100.0
        return level

    def storm_over(self, level: float, timestamp: float) -> Sample:
        """``level`` darkened and flashing as the weather's storm goes on."""
        # A weather storm has no start or end: run it in hour-long slices with no fade at the edges.
        hour_start = math.floor(timestamp / _MIMIC_STORM_SECONDS) * _MIMIC_STORM_SECONDS
        return storm(
            self._storm_seed,
            timestamp,
            start=hour_start - _MIMIC_STORM_SECONDS,
            end=hour_start + 2 * _MIMIC_STORM_SECONDS,
            strength=self.storm_strength,
            base=level,
        )

    def sample(self, moment: Moment, context: LightingContext) -> Sample:
        """The remote sun at our wall-clock time, dimmed by clouds and stormy when the weather says so."""
        level = self.calm_level(moment, context)
        if self.stormy(context):
            return self.storm_over(level, moment.timestamp)
        return Sample(level, False)

    def cloud_edges(self, context: LightingContext) -> tuple[float, ...]:
        """When, on our clock, the forecast's hours begin and end: where the cloud cover steps."""
        weather = self._weather(context)
        if weather is None:
            return ()
        ours = context.place.tzinfo
        edges: list[float] = []
        for start, _ in weather.forecast:
            for edge in (start, start + dt.timedelta(hours=1)):
                wall = edge.astimezone(self.place.tzinfo).replace(tzinfo=None)
                edges.append(wall.replace(tzinfo=ours).timestamp())
        return tuple(edges)

    def level(self, now: dt.datetime, context: LightingContext) -> float:
        """The level (0..1) at ``now``."""
        return _level_at(self, now, context)

    def transitions(self, day: dt.date, place: Place) -> tuple[float, ...]:
        """The remote sunrise and sunset on ``day``, on the wall clock at ``place`` (ours)."""
        curve = sun_curve(self.place.latitude, self.place.longitude, self.place.time_zone, day)
        edges = (curve.sunrise_seconds, curve.sunset_seconds)
        return tuple(sorted(wall_clock(place, day, seconds) for seconds in edges if seconds is not None))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "place": self.place.to_dict(),
            "peak": self.peak,
            "weather_entity": self.weather_entity,
            "cloud_dimming": self.cloud_dimming,
            "storm_strength": self.storm_strength,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(
            place=Place.from_dict(v.mapping(v.field(data, "place"), "place")),
            peak=v.number(data, "peak", 1.0),
            weather_entity=v.optional_text(data, "weather_entity"),
            cloud_dimming=v.number(data, "cloud_dimming", 0.7),
            storm_strength=v.number(data, "storm_strength", 0.6),
        )


PROGRAMS: Mapping[str, type[Program]] = {
    program.kind: program for program in (Static, Schedule, Daylight, Mimic)
}


def program_from_dict(data: Mapping[str, Any]) -> Program:
    """Build any program from its JSON form, chosen by its ``kind``."""
    data = v.mapping(data, "program")
    kind = v.field(data, "kind")
    v.check_choice("kind", kind, tuple(PROGRAMS))
    return PROGRAMS[kind].from_dict(data)
