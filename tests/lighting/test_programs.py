"""Programs driven through whole simulated days."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from custom_components.bellas_reef.lighting import (
    ChannelPlan,
    Daylight,
    LightingContext,
    Mimic,
    Place,
    PlanError,
    Schedule,
    SchedulePoint,
    Static,
    WeatherData,
    evaluate,
    needs_fast_tick,
    program_from_dict,
)
from custom_components.bellas_reef.lighting.astronomy import SunKind, sun_curve, sun_day, sun_elevation
from custom_components.bellas_reef.lighting.programs import shape_value, sun_height

AMSTERDAM = Place(52.37, 4.90, "Europe/Amsterdam")
TROMSO = Place(69.6496, 18.9560, "Europe/Oslo")
BORA_BORA = Place(-16.50, -151.74, "Pacific/Tahiti")
CONTEXT = LightingContext(AMSTERDAM)


def _day(
    program: Daylight | Mimic | Schedule | Static, context: LightingContext, day: dt.date
) -> list[float]:
    """The program's level every minute of a local day."""
    start = dt.datetime.combine(day, dt.time(0), context.place.tzinfo)
    return [program.level(start + dt.timedelta(minutes=minute), context) for minute in range(1440)]


def _at(day: dt.date, hour: int, minute: int = 0, place: Place = AMSTERDAM) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), place.tzinfo)


def test_static_holds_its_level() -> None:
    assert set(_day(Static(0.42), CONTEXT, dt.date(2026, 5, 1))) == {0.42}


def test_schedule_interpolates_and_crosses_midnight() -> None:
    schedule = Schedule((SchedulePoint(dt.time(22), 1.0), SchedulePoint(dt.time(6), 0.0)))
    day = dt.date(2026, 5, 1)
    assert schedule.points[0].time == dt.time(6)  # kept in time order
    assert schedule.level(_at(day, 6), CONTEXT) == pytest.approx(0.0)
    assert schedule.level(_at(day, 14), CONTEXT) == pytest.approx(0.5)
    assert schedule.level(_at(day, 22), CONTEXT) == pytest.approx(1.0)
    assert schedule.level(_at(day, 2), CONTEXT) == pytest.approx(0.5)  # 22:00 → 06:00 across midnight
    assert schedule.level(_at(day, 23), CONTEXT) == pytest.approx(0.875)


def test_schedule_smooth_eases_between_points() -> None:
    points = (
        SchedulePoint(dt.time(8), 0.0),
        SchedulePoint(dt.time(12), 1.0),
        SchedulePoint(dt.time(20), 0.0),
    )
    linear = Schedule(points)
    smooth = Schedule(points, "smooth")
    day = dt.date(2026, 5, 1)
    assert smooth.level(_at(day, 10), CONTEXT) == pytest.approx(0.5)
    assert smooth.level(_at(day, 9), CONTEXT) < linear.level(_at(day, 9), CONTEXT)
    assert smooth.level(_at(day, 11), CONTEXT) > linear.level(_at(day, 11), CONTEXT)
    assert smooth.transitions(day, AMSTERDAM) == tuple(_at(day, hour).timestamp() for hour in (8, 12, 20))


@pytest.mark.parametrize(
    ("points", "key"),
    [
        ((SchedulePoint(dt.time(8), 0.5),), "too_few_points"),
        ((SchedulePoint(dt.time(8), 0.5), SchedulePoint(dt.time(8), 0.7)), "duplicate_time"),
    ],
)
def test_schedule_rejects_bad_points(points: tuple[SchedulePoint, ...], key: str) -> None:
    with pytest.raises(PlanError) as caught:
        Schedule(points)
    assert caught.value.translation_key == key


def test_daylight_follows_the_seasons() -> None:
    """Dark before sunrise and after sunset, brightest at solar noon, a longer photoperiod in summer."""
    daylight = Daylight(peak=0.8)
    summer = _day(daylight, CONTEXT, dt.date(2026, 6, 21))
    winter = _day(daylight, CONTEXT, dt.date(2026, 12, 21))
    summer_lit = sum(level > 0 for level in summer)
    winter_lit = sum(level > 0 for level in winter)
    assert 16 * 60 < summer_lit < 17 * 60
    assert 7.5 * 60 < winter_lit < 8 * 60
    assert max(summer) == pytest.approx(0.8, abs=1e-4)
    sun = sun_day(AMSTERDAM.latitude, AMSTERDAM.longitude, dt.date(2026, 6, 21))
    assert sun.sunrise is not None
    assert sun.sunset is not None
    local_noon = sun.noon.astimezone(AMSTERDAM.tzinfo)
    assert abs(summer.index(max(summer)) - (local_noon.hour * 60 + local_noon.minute)) <= 1
    assert daylight.level(sun.sunrise - dt.timedelta(minutes=1), CONTEXT) == 0.0
    assert daylight.level(sun.sunset + dt.timedelta(minutes=1), CONTEXT) == 0.0
    assert daylight.level(sun.sunrise + dt.timedelta(minutes=5), CONTEXT) > 0.0


def test_daylight_in_polar_day_and_polar_night() -> None:
    """Tromsø: lit round the clock at midsummer, dimmest at solar midnight, dark all day at midwinter."""
    context = LightingContext(TROMSO)
    summer = _day(Daylight(), context, dt.date(2026, 6, 21))
    winter = _day(Daylight(), context, dt.date(2026, 12, 21))
    assert max(summer) == pytest.approx(1.0, abs=1e-4)
    assert set(winter) == {0.0}
    assert Daylight().transitions(dt.date(2026, 12, 21), TROMSO) == ()


def test_daylight_in_polar_day_has_no_dark_minute() -> None:
    """At solar midnight the light rests on the midnight sun's share of the noon sun, and days join smoothly."""
    context = LightingContext(TROMSO)
    start = dt.datetime(2026, 6, 20, tzinfo=TROMSO.tzinfo)
    levels = [Daylight().level(start + dt.timedelta(minutes=minute), context) for minute in range(3 * 1440)]
    assert min(levels) > 0.05
    assert max(abs(after - before) for before, after in itertools.pairwise(levels)) < 0.005
    sun = sun_day(TROMSO.latitude, TROMSO.longitude, dt.date(2026, 6, 21))
    midnight = sun.noon - dt.timedelta(hours=12)
    expected = sun_height(sun_elevation(TROMSO.latitude, TROMSO.longitude, midnight)) / sun_height(
        sun_elevation(TROMSO.latitude, TROMSO.longitude, sun.noon)
    )
    assert 0.05 < expected < 0.15  # the midnight sun stands about 3° high, the noon sun 44°
    darkest = min(range(1440, 2 * 1440), key=levels.__getitem__)
    assert abs(start + dt.timedelta(minutes=darkest) - midnight) < dt.timedelta(minutes=30)
    assert levels[darkest] == pytest.approx(expected, abs=0.002)


def test_daylight_as_polar_day_begins() -> None:
    """The last nights before the midnight sun are briefly dark; from the first polar night on, never."""
    context = LightingContext(TROMSO)
    start = dt.datetime(2026, 5, 14, tzinfo=TROMSO.tzinfo)
    levels = [Daylight().level(start + dt.timedelta(minutes=minute), context) for minute in range(10 * 1440)]
    assert max(abs(after - before) for before, after in itertools.pairwise(levels)) < 0.005
    dark = [minute for minute, level in enumerate(levels) if level == 0.0]
    assert dark
    assert sun_day(TROMSO.latitude, TROMSO.longitude, dt.date(2026, 5, 19)).kind is SunKind.POLAR_DAY
    assert start + dt.timedelta(minutes=dark[-1]) < dt.datetime(2026, 5, 18, 3, tzinfo=TROMSO.tzinfo)


def test_daylight_offsets_shift_the_window() -> None:
    day = dt.date(2026, 6, 21)
    sun = sun_day(AMSTERDAM.latitude, AMSTERDAM.longitude, day)
    assert sun.sunrise is not None
    assert sun.sunset is not None
    shifted = Daylight(sunrise_offset=60, sunset_offset=60)
    assert shifted.level(sun.sunrise + dt.timedelta(minutes=30), CONTEXT) == 0.0
    assert shifted.level(sun.sunset + dt.timedelta(minutes=30), CONTEXT) > 0.0
    shifted_sunrise = sun.sunrise.timestamp() + 3600
    assert any(abs(edge - shifted_sunrise) < 1 for edge in shifted.transitions(day, AMSTERDAM))


def test_daylight_window_past_midnight_is_found_from_the_next_day() -> None:
    """A late show: sunset pushed 5 hours on, past local midnight, still lights the small hours."""
    late = Daylight(sunset_offset=300)
    assert late.level(_at(dt.date(2026, 6, 22), 1, 30), CONTEXT) > 0.0
    assert late.level(_at(dt.date(2026, 6, 22), 4, 0), CONTEXT) == 0.0


def test_daylight_offsets_can_close_the_window() -> None:
    """Offsets larger than a short winter day leave the channel dark instead of failing."""
    closed = Daylight(sunrise_offset=300, sunset_offset=-300)
    assert set(_day(closed, LightingContext(TROMSO), dt.date(2026, 2, 1))) == {0.0}


def test_shapes() -> None:
    assert shape_value("sine", 0.5, 0.1) == pytest.approx(1.0)
    assert shape_value("bell", 0.5, 0.1) == pytest.approx(1.0)
    assert shape_value("bell", 0.0, 0.1) == pytest.approx(0.0)
    assert shape_value("bell", 0.25, 0.1) < shape_value("sine", 0.25, 0.1)
    assert shape_value("plateau", 0.3, 0.1) == 1.0
    assert shape_value("plateau", 0.05, 0.1) == pytest.approx(0.5)
    plateau = _day(Daylight(shape="plateau", ramp_minutes=60), CONTEXT, dt.date(2026, 6, 21))
    assert sum(level == 1.0 for level in plateau) > 14 * 60


def test_mimic_plays_bora_bora_on_the_local_clock() -> None:
    """Bora Bora's apparent sunrise and sunset on its wall clock are when the light starts and stops here."""
    day = dt.date(2026, 6, 21)
    mimic = Mimic(BORA_BORA)
    remote = sun_day(BORA_BORA.latitude, BORA_BORA.longitude, day)
    assert remote.sunrise is not None
    assert remote.sunset is not None
    rise = remote.sunrise.astimezone(BORA_BORA.tzinfo)
    fall = remote.sunset.astimezone(BORA_BORA.tzinfo)
    levels = _day(mimic, CONTEXT, day)
    lit = [minute for minute, level in enumerate(levels) if level > 0.0]
    # Lit from the minute after apparent sunrise to the minute of apparent sunset, like daylight.
    assert abs(lit[0] - (rise.hour * 60 + rise.minute + 1)) <= 1
    assert abs(lit[-1] - (fall.hour * 60 + fall.minute)) <= 1
    assert len(lit) == lit[-1] - lit[0] + 1
    # Winter at 16.5° S: the noon sun stands about 50° high, so the peak is about sin(50°) of full.
    assert 0.7 < max(levels) < 0.8
    curve = sun_curve(BORA_BORA.latitude, BORA_BORA.longitude, BORA_BORA.time_zone, day)
    assert curve.sunrise_seconds is not None
    assert abs(curve.sunrise_seconds - (rise.hour * 3600 + rise.minute * 60 + rise.second)) < 30
    assert mimic.transitions(day, AMSTERDAM)[0] == pytest.approx(
        dt.datetime.combine(day, dt.time(0), AMSTERDAM.tzinfo).timestamp() + curve.sunrise_seconds
    )


def test_mimic_and_daylight_agree_on_the_same_place() -> None:
    """Mimicking the controller's own place lights the same minutes as daylight does."""
    day = dt.date(2026, 3, 10)
    mimic = _day(Mimic(AMSTERDAM), CONTEXT, day)
    daylight = _day(Daylight(), CONTEXT, day)
    mimic_lit = {minute for minute, level in enumerate(mimic) if level > 0.0}
    daylight_lit = {minute for minute, level in enumerate(daylight) if level > 0.0}
    assert len(mimic_lit ^ daylight_lit) <= 2


def test_mimic_clouds_dim_from_forecast_or_current_cover() -> None:
    day = dt.date(2026, 6, 21)
    now = _at(day, 12)
    mimic = Mimic(BORA_BORA, weather_entity="weather.bora_bora", cloud_dimming=0.7)
    clear = mimic.level(now, CONTEXT)
    overcast = LightingContext(AMSTERDAM, {"weather.bora_bora": WeatherData(cloud_cover=100.0)})
    assert mimic.level(now, overcast) == pytest.approx(clear * 0.3)
    # The forecast for Bora Bora's 12:00 (22:00 UTC) says clear: it wins over the current overcast.
    remote_noon = dt.datetime.combine(day, dt.time(12), BORA_BORA.tzinfo)
    forecast = WeatherData(
        cloud_cover=100.0, forecast=((remote_noon, 0.0), (remote_noon + dt.timedelta(hours=1), 50.0))
    )
    with_forecast = LightingContext(AMSTERDAM, {"weather.bora_bora": forecast})
    assert mimic.level(now, with_forecast) == pytest.approx(clear)
    assert mimic.level(_at(day, 13, 30), with_forecast) == pytest.approx(
        mimic.level(_at(day, 13, 30), CONTEXT) * 0.65
    )
    # Outside the forecast's hours the current cover applies.
    assert mimic.level(_at(day, 15), with_forecast) == pytest.approx(mimic.level(_at(day, 15), CONTEXT) * 0.3)
    # Another entity's weather does not touch this program.
    other = LightingContext(AMSTERDAM, {"weather.home": WeatherData(cloud_cover=100.0)})
    assert mimic.level(now, other) == clear


def test_mimic_storms_while_the_weather_reports_lightning() -> None:
    day = dt.date(2026, 6, 21)
    start = _at(day, 12)
    mimic = Mimic(BORA_BORA, weather_entity="weather.bora_bora", storm_strength=0.8)
    stormy = LightingContext(AMSTERDAM, {"weather.bora_bora": WeatherData(condition="lightning-rainy")})
    calm = LightingContext(AMSTERDAM, {"weather.bora_bora": WeatherData(condition="rainy")})
    plan = ChannelPlan(mimic)
    ticks = [start + dt.timedelta(milliseconds=50 * tick) for tick in range(20 * 120)]
    stormy_results = [evaluate(plan, tick, stormy) for tick in ticks]
    calm_results = [evaluate(plan, tick, calm) for tick in ticks]
    assert not any(result.is_flash for result in calm_results)
    flashes = [result for result in stormy_results if result.is_flash]
    assert flashes
    assert max(result.level for result in flashes) > calm_results[0].level
    darkened = [r.level for r, c in zip(stormy_results, calm_results, strict=True) if not r.is_flash]
    assert max(darkened) < calm_results[0].level * 0.8
    assert needs_fast_tick(plan, start, stormy)
    assert not needs_fast_tick(plan, start, calm)
    assert not needs_fast_tick(plan, start)
    assert [evaluate(plan, tick, stormy).level for tick in ticks[:200]] == [
        r.level for r in stormy_results[:200]
    ]


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: Static(1.5), "out_of_range"),
        (lambda: Static(float("nan")), "invalid_number"),
        (
            lambda: Schedule((SchedulePoint(dt.time(8), 0.1), SchedulePoint(dt.time(9), 0.2)), "cubic"),
            "invalid_choice",
        ),
        (lambda: SchedulePoint(dt.time(8, tzinfo=dt.UTC), 0.1), "invalid_time"),
        (lambda: Daylight(shape="square"), "invalid_choice"),
        (lambda: Daylight(peak=-0.1), "out_of_range"),
        (lambda: Daylight(sunrise_offset=800), "out_of_range"),
        (lambda: Daylight(ramp_minutes=0), "out_of_range"),
        (lambda: Mimic(BORA_BORA, weather_entity=" "), "invalid_text"),
        (lambda: Mimic(BORA_BORA, cloud_dimming=2), "out_of_range"),
        (lambda: Place(91, 0, "UTC"), "out_of_range"),
        (lambda: Place(0, 0, "Mars/Olympus_Mons"), "invalid_time_zone"),
        (lambda: Place(0, 0, ""), "invalid_time_zone"),
        (lambda: Place(0, 0, "../etc"), "invalid_time_zone"),
    ],
)
def test_invalid_program_parameters_are_rejected(build: object, key: str) -> None:
    assert callable(build)
    with pytest.raises(PlanError) as caught:
        build()
    assert caught.value.translation_key == key
    assert str(caught.value)


def test_program_from_dict_rejects_unknown_kind_and_bad_fields() -> None:
    with pytest.raises(PlanError) as caught:
        program_from_dict({"kind": "disco"})
    assert caught.value.placeholders["choices"] == "static, schedule, daylight, mimic"
    with pytest.raises(PlanError, match="level is required"):
        program_from_dict({"kind": "static"})
    with pytest.raises(PlanError) as caught:
        program_from_dict({"kind": "schedule", "points": [{"time": "25:00", "level": 0.1}]})
    assert caught.value.translation_key == "invalid_time"
    with pytest.raises(PlanError) as caught:
        program_from_dict({"kind": "mimic", "place": {"latitude": 0, "longitude": 0, "time_zone": 5}})
    assert caught.value.translation_key == "invalid_time_zone"
    with pytest.raises(PlanError) as caught:
        program_from_dict({"kind": "static", "level": "bright"})
    assert caught.value.translation_key == "invalid_number"
    with pytest.raises(PlanError) as caught:
        program_from_dict(["static"])  # type: ignore[arg-type]
    assert caught.value.translation_key == "invalid_object"


def test_transitions_of_static_are_empty() -> None:
    assert Static(0.3).transitions(dt.date(2026, 1, 1), AMSTERDAM) == ()
    assert ZoneInfo("Europe/Amsterdam") == AMSTERDAM.tzinfo
