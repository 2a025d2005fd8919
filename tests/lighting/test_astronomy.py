"""Sun and moon checked against published almanac values, each test naming its source."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import ephem
import pytest

from custom_components.bellas_reef.lighting.astronomy import (
    SunKind,
    moon_day,
    moon_fraction_illuminated,
    moon_geocentric,
    moon_position,
    solar_date,
    sun_curve,
    sun_day,
    sun_elevation,
)

MINUTE = 60.0
# Fredonia, Arizona (no daylight saving time), as USNO states it: W112°31′, N36°57′.
FREDONIA = (36 + 57 / 60, -(112 + 31 / 60), "America/Phoenix")
ANCHORAGE = (61.2181, -149.9003, "America/Anchorage")
BORA_BORA = (-16.50, -151.74, "Pacific/Tahiti")
TROMSO = (69.6496, 18.9560, "Europe/Oslo")


def _local(day: dt.date, hhmm: str, time_zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(int(hhmm[:2]), int(hhmm[2:])), ZoneInfo(time_zone))


def _sun_times(latitude: float, longitude: float, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    sun = sun_day(latitude, longitude, day)
    assert sun.kind is SunKind.RISES_AND_SETS
    assert sun.sunrise is not None
    assert sun.sunset is not None
    return sun.sunrise, sun.sunset


@pytest.mark.parametrize(
    ("day", "rise", "fall"),
    [
        (dt.date(2023, 3, 20), "0634", "1842"),
        (dt.date(2023, 6, 21), "0511", "1953"),
        (dt.date(2023, 9, 23), "0619", "1826"),
        (dt.date(2023, 12, 21), "0739", "1717"),
    ],
)
def test_sun_mid_latitude_matches_usno(day: dt.date, rise: str, fall: str) -> None:
    """U.S. Naval Observatory, "Rise and Set for the Sun for 2023", Fredonia AZ (zone 7 h west)."""
    latitude, longitude, time_zone = FREDONIA
    sunrise, sunset = _sun_times(latitude, longitude, day)
    assert abs((sunrise - _local(day, rise, time_zone)).total_seconds()) <= MINUTE
    assert abs((sunset - _local(day, fall, time_zone)).total_seconds()) <= MINUTE


@pytest.mark.parametrize(
    ("day", "rise", "fall"),
    [
        (dt.date(2019, 3, 20), "0603", "1814"),
        (dt.date(2019, 6, 21), "0236", "2128"),
        (dt.date(2019, 9, 23), "0546", "1758"),
        (dt.date(2019, 12, 21), "0902", "1454"),
    ],
)
def test_sun_at_sixty_north_matches_usno(day: dt.date, rise: str, fall: str) -> None:
    """U.S. Naval Observatory, "Rise and Set for the Sun for 2019", N60°00′ 000°00′, Universal Time."""
    sunrise, sunset = _sun_times(60.0, 0.0, day)
    assert abs((sunrise - _local(day, rise, "UTC")).total_seconds()) <= MINUTE
    assert abs((sunset - _local(day, fall, "UTC")).total_seconds()) <= MINUTE


@pytest.mark.parametrize(
    ("day", "rise", "fall"),
    [
        # Anchorage Daily News, 2019-06-21, "according to data from the U.S. Naval Observatory" (AKDT).
        (dt.date(2019, 6, 21), "0420", "2342"),
        # Alaska Climate Research Center, "Winter Solstice Daylight", solstice of 2021 (AKST).
        (dt.date(2021, 12, 21), "1015", "1541"),
    ],
)
def test_sun_anchorage_solstices_match_published(day: dt.date, rise: str, fall: str) -> None:
    """Anchorage (61.22° N) at both solstices, from the published values named on each case."""
    latitude, longitude, time_zone = ANCHORAGE
    sunrise, sunset = _sun_times(latitude, longitude, day)
    assert abs((sunrise - _local(day, rise, time_zone)).total_seconds()) <= MINUTE
    assert abs((sunset - _local(day, fall, time_zone)).total_seconds()) <= MINUTE


def test_sun_anchorage_equinox_day_length_matches_published() -> None:
    """KTUU (Anchorage), 2020-03-17: the equinox day, 19 March 2020, has 12 h 12 min 17 s of daylight."""
    latitude, longitude, _ = ANCHORAGE
    sunrise, sunset = _sun_times(latitude, longitude, dt.date(2020, 3, 19))
    published = dt.timedelta(hours=12, minutes=12, seconds=17)
    assert abs(((sunset - sunrise) - published).total_seconds()) <= MINUTE


@pytest.mark.parametrize("day", [dt.date(2026, 3, 20), dt.date(2026, 6, 21), dt.date(2026, 12, 21)])
def test_sun_bora_bora_matches_pyephem(day: dt.date) -> None:
    """Bora Bora at both solstices and an equinox.

    No published table for Bora Bora was found, so PyEphem (independent of astral, which computes the sun here)
    is the reference, set to the same definition: upper limb on a 34′-refracted horizon, no pressure model.
    """
    latitude, longitude, time_zone = BORA_BORA
    sunrise, sunset = _sun_times(latitude, longitude, day)
    observer = ephem.Observer()
    observer.lat = str(latitude)
    observer.lon = str(longitude)
    observer.pressure = 0
    observer.horizon = "-0:34"
    observer.date = ephem.Date(dt.datetime.combine(day, dt.time(0), ZoneInfo(time_zone)).astimezone(dt.UTC))
    expected_rise = observer.next_rising(ephem.Sun()).datetime().replace(tzinfo=dt.UTC)
    expected_set = observer.next_setting(ephem.Sun()).datetime().replace(tzinfo=dt.UTC)
    assert abs((sunrise - expected_rise).total_seconds()) <= MINUTE
    assert abs((sunset - expected_set).total_seconds()) <= MINUTE


def test_polar_day_and_night_are_typed_not_errors() -> None:
    """Tromsø has midnight sun at the June solstice and polar night at the December one."""
    latitude, longitude, _ = TROMSO
    summer = sun_day(latitude, longitude, dt.date(2026, 6, 21))
    winter = sun_day(latitude, longitude, dt.date(2026, 12, 21))
    assert summer.kind is SunKind.POLAR_DAY
    assert summer.sunrise is None
    assert summer.day_length == dt.timedelta(days=1)
    assert winter.kind is SunKind.POLAR_NIGHT
    assert winter.day_length == dt.timedelta(0)
    normal = sun_day(latitude, longitude, dt.date(2026, 3, 20))
    assert dt.timedelta(hours=11) < normal.day_length < dt.timedelta(hours=13)


def test_solar_date_keeps_a_far_east_day_together() -> None:
    """At 150° E the local morning is the previous UTC day; the solar date still names the local day."""
    morning = dt.datetime(2026, 6, 21, 6, 0, tzinfo=ZoneInfo("Australia/Brisbane"))
    assert morning.astimezone(dt.UTC).date() == dt.date(2026, 6, 20)
    assert solar_date(153.0, morning.timestamp()) == dt.date(2026, 6, 21)


def test_sun_elevation_and_curve_agree() -> None:
    """The 10-minute wall-clock curve interpolates the direct elevation closely, and finds sunrise/sunset."""
    latitude, longitude, time_zone = BORA_BORA
    day = dt.date(2026, 6, 21)
    curve = sun_curve(latitude, longitude, time_zone, day)
    moment = dt.datetime.combine(day, dt.time(10, 37), ZoneInfo(time_zone))
    seconds = 10 * 3600 + 37 * 60
    assert abs(curve.elevation(seconds) - sun_elevation(latitude, longitude, moment)) < 0.05
    sunrise, _ = _sun_times(latitude, longitude, day)
    assert curve.sunrise_seconds is not None
    assert curve.sunset_seconds is not None
    rise_local = sunrise.astimezone(ZoneInfo(time_zone))
    rise_seconds = rise_local.hour * 3600 + rise_local.minute * 60 + rise_local.second
    assert abs(curve.sunrise_seconds - rise_seconds) < 2 * MINUTE
    assert curve.sunset_seconds > curve.sunrise_seconds
    assert curve.elevation(-5) == curve.elevations[0]
    assert curve.elevation(90000) == curve.elevations[-1]


ARC_SECOND = 1 / 3600


def test_moon_position_matches_meeus_example_47a() -> None:
    """Meeus, Astronomical Algorithms, example 47.a: 1992 April 12, 0h TD.

    Meeus' series is truncated (he gives 10″ in longitude, 4″ in latitude); PyEphem agrees with it to 3″.
    """
    apparent = moon_geocentric(dt.datetime(1992, 4, 11, 23, 59, 1, tzinfo=dt.UTC))  # 0h TD less ΔT ≈ 59 s
    assert apparent.longitude == pytest.approx(133.162655 + 0.004610, abs=3 * ARC_SECOND)  # λ + Δψ
    assert apparent.latitude == pytest.approx(-3.229126, abs=3 * ARC_SECOND)
    assert apparent.distance_km == pytest.approx(368409.7, abs=5.0)
    assert apparent.parallax == pytest.approx(0.991990, abs=0.1 * ARC_SECOND)
    assert apparent.right_ascension == pytest.approx(134.688470, abs=3 * ARC_SECOND)
    assert apparent.declination == pytest.approx(13.768368, abs=3 * ARC_SECOND)


def test_moon_fraction_matches_meeus_example_48a() -> None:
    """Meeus, example 48.a: on 1992 April 12, 0h TD, the illuminated fraction is 0.6786."""
    moment = dt.datetime(1992, 4, 11, 23, 59, 1, tzinfo=dt.UTC)  # 0h TD less ΔT ≈ 59 s
    assert moon_fraction_illuminated(moment) == pytest.approx(0.6786, abs=0.001)
    assert moon_geocentric(moment).distance_km == pytest.approx(368409.7, abs=5.0)


# stjerneskinn.com, "Måneoppgang og månenedgang", Manger 2023: fraction lit at 21:00 UT for 31 Dec 2022 and
# each day of January 2023 (full moon on 6 January to a thin crescent before the new moon of 21 January).
PUBLISHED_FRACTIONS_AT_21_UT = (
    0.69, 0.78, 0.85, 0.91, 0.96, 0.99, 1.00, 0.99, 0.97, 0.92,
    0.87, 0.80, 0.71, 0.62, 0.52, 0.42, 0.32, 0.22, 0.13, 0.06,
)  # fmt: skip


@pytest.mark.parametrize(("index", "published"), enumerate(PUBLISHED_FRACTIONS_AT_21_UT))
def test_moon_fraction_matches_published_table(index: int, published: float) -> None:
    """Fraction lit as the table above gives it to two decimals, over the waning half of a lunation."""
    moment = dt.datetime(2022, 12, 31, 21, tzinfo=dt.UTC) + dt.timedelta(days=index)
    assert abs(moon_fraction_illuminated(moment) - published) <= 0.006


def test_moon_fraction_at_new_moon_is_near_zero() -> None:
    """Between the table's last crescent (19 January) and the next, the moon goes dark (USNO: new 21 Jan)."""
    fractions = [
        moon_fraction_illuminated(dt.datetime(2023, 1, 21, tzinfo=dt.UTC) + dt.timedelta(hours=hours))
        for hours in range(24)
    ]
    assert min(fractions) < 0.005


# USNO, "Rise and Set for the Moon for 2023", Fredonia AZ (W112°31′, N36°57′, zone 7 h west), January:
# day: (rise, set); None where "a rising or a setting did not occur during that 24 hr interval".
USNO_FREDONIA_MOON_JANUARY_2023 = {
    1: ("1342", "0257"), 2: ("1413", "0400"), 3: ("1449", "0502"), 4: ("1530", "0603"),
    5: ("1618", "0700"), 6: ("1711", "0752"), 7: ("1809", "0837"), 8: ("1908", "0916"),
    9: ("2008", "0949"), 10: ("2107", "1017"), 11: ("2206", "1042"), 12: ("2305", "1106"),
    13: (None, "1129"), 14: ("0005", "1153"), 15: ("0107", "1219"), 16: ("0213", "1249"),
    17: ("0323", "1326"), 18: ("0436", "1412"), 19: ("0549", "1509"), 20: ("0657", "1619"),
    21: ("0756", "1736"), 22: ("0844", "1856"), 23: ("0923", "2013"), 24: ("0955", "2126"),
    25: ("1024", "2236"), 26: ("1050", "2343"), 27: ("1117", None), 28: ("1144", "0048"),
    29: ("1214", "0152"), 30: ("1249", "0256"), 31: ("1328", "0357"),
}  # fmt: skip


@pytest.mark.parametrize(("day", "times"), USNO_FREDONIA_MOON_JANUARY_2023.items())
def test_moonrise_and_moonset_match_usno(day: int, times: tuple[str | None, str | None]) -> None:
    """Moonrise and moonset within a minute of USNO (which rounds to it) over a lunar month, missing ones too."""
    latitude, longitude, time_zone = FREDONIA
    date = dt.date(2023, 1, day)
    moon = moon_day(latitude, longitude, time_zone, date)
    for computed, published in ((moon.moonrise, times[0]), (moon.moonset, times[1])):
        if published is None:
            assert computed is None
        else:
            assert computed is not None
            assert abs((computed - _local(date, published, time_zone)).total_seconds()) <= MINUTE


@pytest.mark.parametrize(
    ("day", "rise", "fall"),
    [(1, "1047", "0408"), (2, "0950", "0641"), (10, "1745", "1226"), (23, "1149", "1628")],
)
def test_moon_at_seventy_north_matches_usno(day: int, rise: str, fall: str) -> None:
    """USNO, "Rise and Set for the Moon for 2023", N70°00′ 000°00′, Universal Time, January."""
    date = dt.date(2023, 1, day)
    moon = moon_day(70.0, 0.0, "UTC", date)
    assert moon.moonrise is not None
    assert moon.moonset is not None
    assert abs((moon.moonrise - _local(date, rise, "UTC")).total_seconds()) <= MINUTE
    assert abs((moon.moonset - _local(date, fall, "UTC")).total_seconds()) <= MINUTE


def test_moon_always_up_and_always_down_at_seventy_north() -> None:
    """The same USNO table: "****" (continuously above) on 5 January, "----" (below) on 18 January."""
    up = moon_day(70.0, 0.0, "UTC", dt.date(2023, 1, 5))
    down = moon_day(70.0, 0.0, "UTC", dt.date(2023, 1, 18))
    assert up.moonrise is None
    assert up.moonset is None
    assert up.is_up(up.start + 12 * 3600)
    assert up.transitions() == []
    assert down.moonrise is None
    assert not down.is_up(down.start + 12 * 3600)
    assert down.up_intervals == ()


def test_moon_position_agrees_with_moon_day() -> None:
    """Above the horizon exactly between rise and set, and the topocentric altitude sits below the geocentric."""
    latitude, longitude, time_zone = FREDONIA
    moon = moon_day(latitude, longitude, time_zone, dt.date(2023, 1, 5))
    assert moon.moonrise is not None
    assert moon.moonset is not None
    before_set = moon.moonset - dt.timedelta(minutes=10)
    after_set = moon.moonset + dt.timedelta(minutes=10)
    high = moon_position(latitude, longitude, before_set)
    assert high.above_horizon
    assert moon.is_up(before_set.timestamp())
    assert not moon_position(latitude, longitude, after_set).above_horizon
    assert not moon.is_up(after_set.timestamp())
    assert high.topocentric_altitude < high.altitude
    assert high.fraction_illuminated == pytest.approx(
        moon.fraction_illuminated(before_set.timestamp()), abs=0.01
    )
    assert moon.fraction_illuminated(moon.start - 100) == moon.fractions[0]
    expected = sorted([moon.moonset.timestamp(), moon.moonrise.timestamp()])
    assert moon.transitions() == pytest.approx(expected, abs=1e-3)
