"""Sun and moon for a place and day, cached per day so the lighting engine can ask every tick.

The sun comes from astral (NOAA's algorithm). astral has no moon position, so the moon follows Jean Meeus,
*Astronomical Algorithms* (2nd ed.): chapter 47 for its position, chapter 48 for the illuminated fraction and
chapter 15 for rising and setting (geocentric altitude against h0 = 0.7275·π − 34′, which folds in parallax,
the moon's semi-diameter and standard refraction).

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

_RAD = math.pi / 180.0
_DAY = 86400.0
_J2000 = 2451545.0
_UNIX_EPOCH_JD = 2440587.5
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


# Meeus table 47.A: multiples of D, M, M', F; then Σl (1e-6 degree) and Σr (1e-3 km) coefficients.
_LONGITUDE_DISTANCE_TERMS: tuple[tuple[int, int, int, int, int, int], ...] = (
    (0, 0, 1, 0, 6288774, -20905355),
    (2, 0, -1, 0, 1274027, -3699111),
    (2, 0, 0, 0, 658314, -2955968),
    (0, 0, 2, 0, 213618, -569925),
    (0, 1, 0, 0, -185116, 48888),
    (0, 0, 0, 2, -114332, -3149),
    (2, 0, -2, 0, 58793, 246158),
    (2, -1, -1, 0, 57066, -152138),
    (2, 0, 1, 0, 53322, -170733),
    (2, -1, 0, 0, 45758, -204586),
    (0, 1, -1, 0, -40923, -129620),
    (1, 0, 0, 0, -34720, 108743),
    (0, 1, 1, 0, -30383, 104755),
    (2, 0, 0, -2, 15327, 10321),
    (0, 0, 1, 2, -12528, 0),
    (0, 0, 1, -2, 10980, 79661),
    (4, 0, -1, 0, 10675, -34782),
    (0, 0, 3, 0, 10034, -23210),
    (4, 0, -2, 0, 8548, -21636),
    (2, 1, -1, 0, -7888, 24208),
    (2, 1, 0, 0, -6766, 30824),
    (1, 0, -1, 0, -5163, -8379),
    (1, 1, 0, 0, 4987, -16675),
    (2, -1, 1, 0, 4036, -12831),
    (2, 0, 2, 0, 3994, -10445),
    (4, 0, 0, 0, 3861, -11650),
    (2, 0, -3, 0, 3665, 14403),
    (0, 1, -2, 0, -2689, -7003),
    (2, 0, -1, 2, -2602, 0),
    (2, -1, -2, 0, 2390, 10056),
    (1, 0, 1, 0, -2348, 6322),
    (2, -2, 0, 0, 2236, -9884),
    (0, 1, 2, 0, -2120, 5751),
    (0, 2, 0, 0, -2069, 0),
    (2, -2, -1, 0, 2048, -4950),
    (2, 0, 1, -2, -1773, 4130),
    (2, 0, 0, 2, -1595, 0),
    (4, -1, -1, 0, 1215, -3958),
    (0, 0, 2, 2, -1110, 0),
    (3, 0, -1, 0, -892, 3258),
    (2, 1, 1, 0, -810, 2616),
    (4, -1, -2, 0, 759, -1897),
    (0, 2, -1, 0, -713, -2117),
    (2, 2, -1, 0, -700, 2354),
    (2, 1, -2, 0, 691, 0),
    (2, -1, 0, -2, 596, 0),
    (4, 0, 1, 0, 549, -1423),
    (0, 0, 4, 0, 537, -1117),
    (4, -1, 0, 0, 520, -1571),
    (1, 0, -2, 0, -487, -1739),
    (2, 1, 0, -2, -399, 0),
    (0, 0, 2, -2, -381, -4421),
    (1, 1, 1, 0, 351, 0),
    (3, 0, -2, 0, -340, 0),
    (4, 0, -3, 0, 330, 0),
    (2, -1, 2, 0, 327, 0),
    (0, 2, 1, 0, -323, 1165),
    (1, 1, -1, 0, 299, 0),
    (2, 0, 3, 0, 294, 0),
    (2, 0, -1, -2, 0, 8752),
)

# Meeus table 47.B: multiples of D, M, M', F; then Σb coefficient (1e-6 degree).
_LATITUDE_TERMS: tuple[tuple[int, int, int, int, int], ...] = (
    (0, 0, 0, 1, 5128122),
    (0, 0, 1, 1, 280602),
    (0, 0, 1, -1, 277693),
    (2, 0, 0, -1, 173237),
    (2, 0, -1, 1, 55413),
    (2, 0, -1, -1, 46271),
    (2, 0, 0, 1, 32573),
    (0, 0, 2, 1, 17198),
    (2, 0, 1, -1, 9266),
    (0, 0, 2, -1, 8822),
    (2, -1, 0, -1, 8216),
    (2, 0, -2, -1, 4324),
    (2, 0, 1, 1, 4200),
    (2, 1, 0, -1, -3359),
    (2, -1, -1, 1, 2463),
    (2, -1, 0, 1, 2211),
    (2, -1, -1, -1, 2065),
    (0, 1, -1, -1, -1870),
    (4, 0, -1, -1, 1828),
    (0, 1, 0, 1, -1794),
    (0, 0, 0, 3, -1749),
    (0, 1, -1, 1, -1565),
    (1, 0, 0, 1, -1491),
    (0, 1, 1, 1, -1475),
    (0, 1, 1, -1, -1410),
    (0, 1, 0, -1, -1344),
    (1, 0, 0, -1, -1335),
    (0, 0, 3, 1, 1107),
    (4, 0, 0, -1, 1021),
    (4, 0, -1, 1, 833),
    (0, 0, 1, -3, 777),
    (4, 0, -2, 1, 671),
    (2, 0, 0, -3, 607),
    (2, 0, 2, -1, 596),
    (2, -1, 1, -1, 491),
    (2, 0, -2, 1, -451),
    (0, 0, 3, -1, 439),
    (2, 0, 2, 1, 422),
    (2, 0, -3, -1, 421),
    (2, 1, -1, 1, -366),
    (2, 1, 0, 1, -351),
    (4, 0, 0, 1, 331),
    (2, -1, 1, 1, 315),
    (2, -2, 0, -1, 302),
    (0, 0, 1, 3, -283),
    (2, 1, 1, -1, -229),
    (1, 1, 0, -1, 223),
    (1, 1, 0, 1, 223),
    (0, 1, -2, -1, -220),
    (2, 1, -1, -1, -220),
    (1, 0, 1, 1, -185),
    (2, -1, -2, -1, 181),
    (0, 1, 2, 1, -177),
    (4, 0, -2, -1, 176),
    (4, -1, -1, -1, 166),
    (1, 0, 1, -1, -164),
    (4, 0, 1, -1, 132),
    (1, 0, -1, -1, -119),
    (4, -1, 0, -1, 115),
    (2, -2, 0, 1, 107),
)

_EARTH_RADIUS_KM = 6378.14
_AU_KM = 149597870.7


def _delta_t_seconds(year: float) -> float:
    """TT − UT in seconds, from Espenak and Meeus' 2005–2050 polynomial.

    A few seconds off outside those years, which moves the moon by under 2 arc seconds.
    """
    t = year - 2000.0
    return 62.92 + 0.32217 * t + 0.005589 * t * t


def _julian_day(timestamp: float) -> float:
    return timestamp / _DAY + _UNIX_EPOCH_JD


@dataclass(frozen=True, slots=True)
class MoonGeocentric:
    """The moon seen from the Earth's centre: apparent ecliptic and equatorial coordinates in degrees."""

    longitude: float
    latitude: float
    distance_km: float
    parallax: float
    right_ascension: float
    declination: float


def _moon_ecliptic(jde: float) -> tuple[float, float, float]:
    """Geometric ecliptic longitude and latitude (degrees, mean equinox of date) and distance (km), Meeus 47."""
    t = (jde - _J2000) / 36525.0
    mean_longitude = (
        218.3164477 + 481267.88123421 * t - 0.0015786 * t**2 + t**3 / 538841.0 - t**4 / 65194000.0
    )
    elongation = 297.8501921 + 445267.1114034 * t - 0.0018819 * t**2 + t**3 / 545868.0 - t**4 / 113065000.0
    sun_anomaly = 357.5291092 + 35999.0502909 * t - 0.0001536 * t**2 + t**3 / 24490000.0
    moon_anomaly = 134.9633964 + 477198.8675055 * t + 0.0087414 * t**2 + t**3 / 69699.0 - t**4 / 14712000.0
    node_distance = 93.2720950 + 483202.0175233 * t - 0.0036539 * t**2 - t**3 / 3526000.0 + t**4 / 863310000.0
    a1 = (119.75 + 131.849 * t) * _RAD
    a2 = (53.09 + 479264.290 * t) * _RAD
    a3 = (313.45 + 481266.484 * t) * _RAD
    eccentricity = 1.0 - 0.002516 * t - 0.0000074 * t * t
    eccentricity_factor = (1.0, eccentricity, eccentricity * eccentricity)
    d = (elongation % 360.0) * _RAD
    m = (sun_anomaly % 360.0) * _RAD
    mp = (moon_anomaly % 360.0) * _RAD
    f = (node_distance % 360.0) * _RAD
    lp = (mean_longitude % 360.0) * _RAD

    sum_l = 0.0
    sum_r = 0.0
    for kd, km, kmp, kf, coefficient_l, coefficient_r in _LONGITUDE_DISTANCE_TERMS:
        argument = kd * d + km * m + kmp * mp + kf * f
        factor = eccentricity_factor[abs(km)]
        sum_l += coefficient_l * factor * math.sin(argument)
        sum_r += coefficient_r * factor * math.cos(argument)
    sum_b = 0.0
    for kd, km, kmp, kf, coefficient_b in _LATITUDE_TERMS:
        sum_b += coefficient_b * eccentricity_factor[abs(km)] * math.sin(kd * d + km * m + kmp * mp + kf * f)
    sum_l += 3958.0 * math.sin(a1) + 1962.0 * math.sin(lp - f) + 318.0 * math.sin(a2)
    sum_b += (
        -2235.0 * math.sin(lp)
        + 382.0 * math.sin(a3)
        + 175.0 * math.sin(a1 - f)
        + 175.0 * math.sin(a1 + f)
        + 127.0 * math.sin(lp - mp)
        - 115.0 * math.sin(lp + mp)
    )
    return mean_longitude % 360.0 + sum_l / 1e6, sum_b / 1e6, 385000.56 + sum_r / 1000.0


def _nutation_and_obliquity(t: float) -> tuple[float, float]:
    """Nutation in longitude and true obliquity of the ecliptic in degrees (Meeus 22, 0.5″ accuracy)."""
    node = (125.04452 - 1934.136261 * t) * _RAD
    sun_longitude = (280.4665 + 36000.7698 * t) * _RAD
    moon_longitude = (218.3165 + 481267.8813 * t) * _RAD
    nutation_longitude = (
        -17.20 * math.sin(node)
        - 1.32 * math.sin(2 * sun_longitude)
        - 0.23 * math.sin(2 * moon_longitude)
        + 0.21 * math.sin(2 * node)
    ) / 3600.0
    nutation_obliquity = (
        9.20 * math.cos(node)
        + 0.57 * math.cos(2 * sun_longitude)
        + 0.10 * math.cos(2 * moon_longitude)
        - 0.09 * math.cos(2 * node)
    ) / 3600.0
    mean_obliquity = 23.43929111 - 0.013004167 * t - 1.6389e-7 * t * t + 5.0361e-7 * t**3
    return nutation_longitude, mean_obliquity + nutation_obliquity


def _moon_geocentric_jde(jde: float) -> MoonGeocentric:
    longitude, latitude, distance = _moon_ecliptic(jde)
    nutation, obliquity = _nutation_and_obliquity((jde - _J2000) / 36525.0)
    longitude += nutation
    lam = longitude * _RAD
    beta = latitude * _RAD
    eps = obliquity * _RAD
    right_ascension = (
        math.atan2(math.sin(lam) * math.cos(eps) - math.tan(beta) * math.sin(eps), math.cos(lam)) / _RAD
    )
    declination = (
        math.asin(math.sin(beta) * math.cos(eps) + math.cos(beta) * math.sin(eps) * math.sin(lam)) / _RAD
    )
    parallax = math.asin(_EARTH_RADIUS_KM / distance) / _RAD
    return MoonGeocentric(
        longitude % 360.0, latitude, distance, parallax, right_ascension % 360.0, declination
    )


def _jde(timestamp: float) -> float:
    year = 1970.0 + timestamp / (365.2425 * _DAY)
    return _julian_day(timestamp + _delta_t_seconds(year))


def moon_geocentric(moment: dt.datetime) -> MoonGeocentric:
    """Where the moon is, seen from the Earth's centre, at ``moment``."""
    return _moon_geocentric_jde(_jde(moment.timestamp()))


def _sun_longitude_distance(t: float) -> tuple[float, float]:
    """The sun's geometric longitude (degrees) and distance (km), Meeus 25 low accuracy (0.01°)."""
    mean_longitude = 280.46646 + 36000.76983 * t + 0.0003032 * t * t
    anomaly = (357.52911 + 35999.05029 * t - 0.0001537 * t * t) * _RAD
    eccentricity = 0.016708634 - 0.000042037 * t - 0.0000001267 * t * t
    centre = (
        (1.914602 - 0.004817 * t - 0.000014 * t * t) * math.sin(anomaly)
        + (0.019993 - 0.000101 * t) * math.sin(2 * anomaly)
        + 0.000289 * math.sin(3 * anomaly)
    )
    true_anomaly = anomaly + centre * _RAD
    radius_au = 1.000001018 * (1 - eccentricity**2) / (1 + eccentricity * math.cos(true_anomaly))
    return (mean_longitude + centre) % 360.0, radius_au * _AU_KM


def _fraction_illuminated(jde: float, moon_longitude: float, moon_latitude: float, distance: float) -> float:
    """Illuminated fraction of the moon's disk, Meeus 48 (phase angle from the sun-moon elongation)."""
    sun_longitude, sun_distance = _sun_longitude_distance((jde - _J2000) / 36525.0)
    cos_elongation = math.cos(moon_latitude * _RAD) * math.cos((moon_longitude - sun_longitude) * _RAD)
    elongation = math.acos(max(-1.0, min(1.0, cos_elongation)))
    phase_angle = math.atan2(
        sun_distance * math.sin(elongation), distance - sun_distance * math.cos(elongation)
    )
    return (1.0 + math.cos(phase_angle)) / 2.0


def moon_fraction_illuminated(moment: dt.datetime) -> float:
    """Fraction of the moon's disk lit by the sun at ``moment``, 0 (new) to 1 (full)."""
    jde = _jde(moment.timestamp())
    longitude, latitude, distance = _moon_ecliptic(jde)
    return _fraction_illuminated(jde, longitude, latitude, distance)


def _sidereal_degrees(timestamp: float, nutation_cos_obliquity: float) -> float:
    """Apparent Greenwich sidereal time in degrees (Meeus 12.4 plus the equation of the equinoxes)."""
    jd = _julian_day(timestamp)
    t = (jd - _J2000) / 36525.0
    mean = 280.46061837 + 360.98564736629 * (jd - _J2000) + 0.000387933 * t * t - t**3 / 38710000.0
    return (mean + nutation_cos_obliquity) % 360.0


@dataclass(frozen=True, slots=True)
class MoonPosition:
    """The moon seen from a place: altitudes in degrees and the lit fraction of its disk."""

    altitude: float
    topocentric_altitude: float
    above_horizon: bool
    fraction_illuminated: float


def _moon_at(latitude: float, longitude: float, timestamp: float) -> tuple[float, float, float]:
    """Geocentric altitude, rise/set threshold h0 and illuminated fraction of the moon at a place."""
    jde = _jde(timestamp)
    moon = _moon_geocentric_jde(jde)
    nutation, obliquity = _nutation_and_obliquity((jde - _J2000) / 36525.0)
    sidereal = _sidereal_degrees(timestamp, nutation * math.cos(obliquity * _RAD))
    hour_angle = (sidereal + longitude - moon.right_ascension) * _RAD
    phi = latitude * _RAD
    declination = moon.declination * _RAD
    sin_altitude = math.sin(phi) * math.sin(declination) + math.cos(phi) * math.cos(declination) * math.cos(
        hour_angle
    )
    altitude = math.asin(max(-1.0, min(1.0, sin_altitude))) / _RAD
    threshold = 0.7275 * moon.parallax - 34.0 / 60.0
    fraction = _fraction_illuminated(jde, moon.longitude - nutation, moon.latitude, moon.distance_km)
    return altitude, threshold, fraction


def moon_position(latitude: float, longitude: float, moment: dt.datetime) -> MoonPosition:
    """The moon at a place at ``moment``; ``above_horizon`` uses the same definition as moonrise and moonset."""
    altitude, threshold, fraction = _moon_at(latitude, longitude, moment.timestamp())
    distance_parallax = (threshold + 34.0 / 60.0) / 0.7275
    topocentric = altitude - distance_parallax * math.cos(altitude * _RAD)
    return MoonPosition(altitude, topocentric, altitude > threshold, fraction)


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


def _find_root(
    latitude: float, longitude: float, bracket: tuple[float, float], values: tuple[float, float]
) -> float:
    """Time where the moon's altitude meets h0 inside ``bracket`` (regula falsi, Illinois variant)."""
    low, high = bracket
    value_low, value_high = values
    side = 0
    while high - low > _ROOT_TOLERANCE_SECONDS:
        guess = (low * value_high - high * value_low) / (value_high - value_low)
        guess = min(max(guess, low + 0.1), high - 0.1)
        altitude, threshold, _ = _moon_at(latitude, longitude, guess)
        value = altitude - threshold
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
    samples = [_moon_at(latitude, longitude, moment) for moment in times]
    values = [altitude - threshold for altitude, threshold, _ in samples]
    fractions = tuple(fraction for _, _, fraction in samples)

    rises: list[float] = []
    sets: list[float] = []
    for index in range(count):
        before, after = values[index], values[index + 1]
        if (before > 0.0) == (after > 0.0):
            continue
        root = _find_root(latitude, longitude, (times[index], times[index + 1]), (before, after))
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
        fractions,
    )
