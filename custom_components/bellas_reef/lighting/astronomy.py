"""Sun and moon for a place and day, cached per day so the lighting engine can ask every tick.

The sun comes from astral (NOAA's algorithm). astral has no moon position, so the moon comes from PyEphem
(libastro, the library behind HA's own season integration). Moonrise and moonset follow the U.S. Naval
Observatory's definition: the upper limb on the horizon, seen from the place, with 34′ of standard refraction.

Times handed in and out are aware datetimes or POSIX timestamps (seconds, UTC); the fast paths the engine calls
every tick take timestamps so they skip datetime arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
from enum import StrEnum
from functools import cache, lru_cache
import itertools
import math
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import elevation as astral_elevation, noon as astral_noon, sunrise, sunset
import ephem

_RAD = math.pi / 180.0
_DAY = 86400.0
# PyEphem counts days from noon UT on 31 December 1899 (Dublin Julian Day); the Unix epoch is this many later.
_UNIX_EPOCH_EPHEM_DAYS = 25567.5
# Sun's centre 50' below the horizon at sunrise/sunset: 16' semi-diameter plus 34' refraction.
SUNRISE_ELEVATION = -0.8333
_MOON_SAMPLE_SECONDS = 1800.0
_ROOT_TOLERANCE_SECONDS = 1.0
_SUN_CURVE_STEP_SECONDS = 600


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA time zone called ``name``, loaded once (zoneinfo reads tz files on first use)."""
    return ZoneInfo(name)


def solar_date(longitude: float, timestamp: float) -> dt.date:
    """The date at the place's mean solar time: the day whose sunrise and sunset surround ``timestamp``.

    astral anchors each day on the UTC date passed in, which is a solar day centred on local mean noon, so keying
    sun days this way keeps a day's sunrise, noon and sunset together wherever the time zone border runs.
    """
    return dt.datetime.fromtimestamp(timestamp + longitude * 240.0, dt.UTC).date()


class SunKind(StrEnum):
    """Whether the sun rises and sets on a day, or stays up (polar day) or down (polar night)."""

    RISES_AND_SETS = "rises_and_sets"
    POLAR_DAY = "polar_day"
    POLAR_NIGHT = "polar_night"


@dataclass(frozen=True, slots=True)
class SunDay:
    """The sun on one solar day at one place; sunrise and sunset are None in polar day and polar night."""

    day: dt.date
    kind: SunKind
    noon: dt.datetime
    sunrise: dt.datetime | None
    sunset: dt.datetime | None

    @property
    def day_length(self) -> dt.timedelta:
        """How long the sun is up (a full day in polar day, nothing in polar night)."""
        if self.sunrise is not None and self.sunset is not None:
            return self.sunset - self.sunrise
        return dt.timedelta(days=1) if self.kind is SunKind.POLAR_DAY else dt.timedelta(0)


@lru_cache(maxsize=64)
def sun_day(latitude: float, longitude: float, day: dt.date) -> SunDay:
    """Sunrise, solar noon and sunset on the solar date ``day`` (see ``solar_date``), times in UTC.

    astral raises ValueError when the sun never crosses the horizon; the noon elevation then tells polar day
    from polar night, so callers get a typed answer instead of an exception.
    """
    observer = Observer(latitude, longitude)
    noon = astral_noon(observer, day)
    try:
        rise = sunrise(observer, day)
        fall = sunset(observer, day)
    except ValueError:
        up = astral_elevation(observer, noon, with_refraction=False) > SUNRISE_ELEVATION
        return SunDay(day, SunKind.POLAR_DAY if up else SunKind.POLAR_NIGHT, noon, None, None)
    return SunDay(day, SunKind.RISES_AND_SETS, noon, rise, fall)


def sun_elevation(latitude: float, longitude: float, moment: dt.datetime) -> float:
    """Geometric elevation of the sun's centre in degrees (no refraction), negative below the horizon."""
    return float(astral_elevation(Observer(latitude, longitude), moment, with_refraction=False))


@dataclass(frozen=True, slots=True)
class SunCurve:
    """A place's sun over one local calendar day, sampled by its wall clock for cheap per-tick lookups.

    Indexed by seconds since local midnight so another place's clock can be laid over it (the ``mimic``
    program plays a remote place's day at the same wall-clock times here).
    """

    day: dt.date
    step_seconds: int
    elevations: tuple[float, ...]
    sunrise_seconds: float | None
    sunset_seconds: float | None

    def elevation(self, seconds_of_day: float) -> float:
        """Sun elevation in degrees at ``seconds_of_day`` on this place's wall clock, linearly interpolated."""
        position = min(max(seconds_of_day, 0.0), 86400.0) / self.step_seconds
        index = min(int(position), len(self.elevations) - 2)
        fraction = position - index
        before = self.elevations[index]
        return before + (self.elevations[index + 1] - before) * fraction


@lru_cache(maxsize=16)
def sun_curve(latitude: float, longitude: float, time_zone: str, day: dt.date) -> SunCurve:
    """The sun's elevation every 10 minutes of the wall-clock day ``day`` at a place, with rise/set seconds."""
    tz = zone(time_zone)
    observer = Observer(latitude, longitude)
    midnight = dt.datetime.combine(day, dt.time(0), tz)
    elevations: list[float] = []
    for index in range(86400 // _SUN_CURVE_STEP_SECONDS + 1):
        wall = midnight + dt.timedelta(seconds=index * _SUN_CURVE_STEP_SECONDS)
        elevations.append(float(astral_elevation(observer, wall, with_refraction=False)))
    rises: list[float] = []
    sets: list[float] = []
    for index in range(len(elevations) - 1):
        before = elevations[index] - SUNRISE_ELEVATION
        after = elevations[index + 1] - SUNRISE_ELEVATION
        if (before < 0.0) != (after < 0.0):
            seconds = (index + before / (before - after)) * _SUN_CURVE_STEP_SECONDS
            (rises if before < 0.0 else sets).append(seconds)
    return SunCurve(
        day,
        _SUN_CURVE_STEP_SECONDS,
        tuple(elevations),
        rises[0] if rises else None,
        sets[0] if sets else None,
    )


_EARTH_RADIUS_KM = 6378.14
_AU_KM = 149597870.7
# Standard refraction at the horizon, as USNO uses for rising and setting.
_HORIZON_REFRACTION = 34.0 / 60.0 * _RAD


def _ephem_date(timestamp: float) -> float:
    return timestamp / _DAY + _UNIX_EPOCH_EPHEM_DAYS


@dataclass(frozen=True, slots=True)
class MoonGeocentric:
    """The moon seen from the Earth's centre: apparent ecliptic and equatorial coordinates in degrees."""

    longitude: float
    latitude: float
    distance_km: float
    parallax: float
    right_ascension: float
    declination: float


def moon_geocentric(moment: dt.datetime) -> MoonGeocentric:
    """Where the moon is, seen from the Earth's centre, at ``moment``."""
    date = _ephem_date(moment.timestamp())
    moon = ephem.Moon(date)
    ecliptic = ephem.Ecliptic(ephem.Equatorial(moon.g_ra, moon.g_dec, epoch=date), epoch=date)
    distance = moon.earth_distance * _AU_KM
    return MoonGeocentric(
        float(ecliptic.lon) / _RAD,
        float(ecliptic.lat) / _RAD,
        distance,
        math.asin(_EARTH_RADIUS_KM / distance) / _RAD,
        float(moon.g_ra) / _RAD,
        float(moon.g_dec) / _RAD,
    )


def moon_fraction_illuminated(moment: dt.datetime) -> float:
    """Fraction of the moon's disk lit by the sun at ``moment``, 0 (new) to 1 (full)."""
    return float(ephem.Moon(_ephem_date(moment.timestamp())).moon_phase)


@dataclass(frozen=True, slots=True)
class MoonPosition:
    """The moon seen from a place: altitudes in degrees and the lit fraction of its disk."""

    altitude: float
    topocentric_altitude: float
    above_horizon: bool
    fraction_illuminated: float


def _limb_margin(moon: ephem.Moon) -> float:
    """How far (radians) a computed moon's upper limb is above the refracted horizon."""
    return float(moon.alt) + float(moon.radius) + _HORIZON_REFRACTION


class _MoonAt:
    """The moon seen from one place, asked at many moments (one PyEphem observer and body, reused)."""

    def __init__(self, latitude: float, longitude: float) -> None:
        self._observer = ephem.Observer()
        self._observer.lat = latitude * _RAD
        self._observer.lon = longitude * _RAD
        self._observer.elevation = 0.0
        self._observer.pressure = 0.0  # no refraction model: the 34′ of the rise/set definition stand for it
        self._moon = ephem.Moon()

    def compute(self, timestamp: float) -> ephem.Moon:
        """The moon at ``timestamp``, seen from the place (the same object, recomputed)."""
        self._observer.date = _ephem_date(timestamp)
        self._moon.compute(self._observer)
        return self._moon

    def above_horizon(self, timestamp: float) -> float:
        """How far (radians) the upper limb is above the refracted horizon; positive while the moon is up."""
        return _limb_margin(self.compute(timestamp))

    def geocentric_altitude(self) -> float:
        """Altitude in degrees of the moon last computed, as seen from the Earth's centre."""
        hour_angle = float(self._observer.sidereal_time()) - float(self._moon.g_ra)
        latitude = float(self._observer.lat)
        declination = float(self._moon.g_dec)
        sin_altitude = math.sin(latitude) * math.sin(declination) + math.cos(latitude) * math.cos(
            declination
        ) * math.cos(hour_angle)
        return math.asin(max(-1.0, min(1.0, sin_altitude))) / _RAD


def moon_position(latitude: float, longitude: float, moment: dt.datetime) -> MoonPosition:
    """The moon at a place at ``moment``; ``above_horizon`` uses the same definition as moonrise and moonset."""
    at = _MoonAt(latitude, longitude)
    moon = at.compute(moment.timestamp())
    return MoonPosition(
        at.geocentric_altitude(), float(moon.alt) / _RAD, _limb_margin(moon) > 0.0, float(moon.moon_phase)
    )


@dataclass(frozen=True, slots=True)
class MoonDay:
    """The moon over one local calendar day at a place: rise, set, when it is up and how lit it is.

    ``moonrise``/``moonset`` are the first of each on the day, None when the moon does not rise or set that day
    (it rises about 50 minutes later each day, so one of them is missing roughly once a fortnight).
    """

    day: dt.date
    moonrise: dt.datetime | None
    moonset: dt.datetime | None
    up_intervals: tuple[tuple[float, float], ...]
    start: float
    step: float
    fractions: tuple[float, ...]

    def is_up(self, timestamp: float) -> bool:
        """Whether the moon's upper limb is above the horizon at ``timestamp`` (which must fall on the day)."""
        return any(start <= timestamp < end for start, end in self.up_intervals)

    def fraction_illuminated(self, timestamp: float) -> float:
        """Lit fraction of the moon at ``timestamp``, interpolated between half-hourly samples."""
        position = min(max((timestamp - self.start) / self.step, 0.0), len(self.fractions) - 1.0)
        index = min(int(position), len(self.fractions) - 2)
        before = self.fractions[index]
        return before + (self.fractions[index + 1] - before) * (position - index)

    def transitions(self) -> list[float]:
        """Timestamps of every moonrise and moonset on the day, in order."""
        end_of_day = self.start + self.step * (len(self.fractions) - 1)
        edges: list[float] = []
        for start, end in self.up_intervals:
            if start > self.start:
                edges.append(start)
            if end < end_of_day:
                edges.append(end)
        return edges


def _find_root(at: _MoonAt, bracket: tuple[float, float], values: tuple[float, float]) -> float:
    """Time where the moon's upper limb meets the horizon inside ``bracket`` (regula falsi, Illinois variant)."""
    low, high = bracket
    value_low, value_high = values
    side = 0
    while high - low > _ROOT_TOLERANCE_SECONDS:
        guess = (low * value_high - high * value_low) / (value_high - value_low)
        guess = min(max(guess, low + 0.1), high - 0.1)
        value = at.above_horizon(guess)
        if (value > 0.0) == (value_high > 0.0):
            high, value_high = guess, value
            if side == -1:
                value_low /= 2.0
            side = -1
        else:
            low, value_low = guess, value
            if side == 1:
                value_high /= 2.0
            side = 1
    return (low + high) / 2.0


@lru_cache(maxsize=8)
def moon_day(latitude: float, longitude: float, time_zone: str, day: dt.date) -> MoonDay:
    """Rise, set, up intervals and lit fraction of the moon for the local calendar day ``day`` at a place.

    The altitude is sampled every half hour and each sign change refined to a second, so a rise and set closer
    than half an hour apart (grazing moons near the poles) can be missed.
    """
    tz = zone(time_zone)
    start = dt.datetime.combine(day, dt.time(0), tz).timestamp()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz).timestamp()
    count = math.ceil((end - start) / _MOON_SAMPLE_SECONDS)
    step = (end - start) / count
    times = [start + index * step for index in range(count + 1)]
    at = _MoonAt(latitude, longitude)
    values: list[float] = []
    fractions: list[float] = []
    for moment in times:
        moon = at.compute(moment)
        values.append(_limb_margin(moon))
        fractions.append(float(moon.moon_phase))

    rises: list[float] = []
    sets: list[float] = []
    for index in range(count):
        before, after = values[index], values[index + 1]
        if (before > 0.0) == (after > 0.0):
            continue
        root = _find_root(at, (times[index], times[index + 1]), (before, after))
        (rises if after > 0.0 else sets).append(root)

    # Rises and sets alternate, so the moon is up on every other stretch between them.
    intervals: list[tuple[float, float]] = []
    up = values[0] > 0.0
    for begin, finish in itertools.pairwise([start, *sorted(rises + sets), end]):
        if up:
            intervals.append((begin, finish))
        up = not up

    def local(moment: float | None) -> dt.datetime | None:
        return None if moment is None else dt.datetime.fromtimestamp(moment, tz)

    return MoonDay(
        day,
        local(rises[0] if rises else None),
        local(sets[0] if sets else None),
        tuple(intervals),
        start,
        step,
        tuple(fractions),
    )
