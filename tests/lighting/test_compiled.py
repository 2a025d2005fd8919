"""Compiled days against the reference engine: the same levels (within 0.1 % of full scale) over whole days."""

from __future__ import annotations

from collections.abc import Iterator
import datetime as dt
import itertools

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.bellas_reef.lighting import (
    Acclimation,
    ChannelPlan,
    Clouds,
    Daylight,
    Evaluation,
    Evaluator,
    Event,
    Layer,
    LightingContext,
    Lightning,
    Lunar,
    Mimic,
    Moonlight,
    Override,
    Place,
    Program,
    Schedule,
    SchedulePoint,
    Static,
    Storm,
    WeatherData,
    compiled,
    days,
    evaluate,
)
from custom_components.bellas_reef.lighting.astronomy import moon_day

# 0.1 % of full scale.
SCALE_TOLERANCE = 1e-3

AMSTERDAM = Place(52.37, 4.90, "Europe/Amsterdam")
TROMSO = Place(69.6496, 18.9560, "Europe/Oslo")
BORA_BORA = Place(-16.50, -151.74, "Pacific/Tahiti")
FREDONIA = Place(36 + 57 / 60, -(112 + 31 / 60), "America/Phoenix")
MCMURDO = Place(-77.85, 166.67, "Antarctica/McMurdo")
KATHMANDU = Place(27.70, 85.32, "Asia/Kathmandu")
SYDNEY = Place(-33.87, 151.21, "Australia/Sydney")
PLACES = (AMSTERDAM, TROMSO, BORA_BORA, FREDONIA, MCMURDO, KATHMANDU, SYDNEY)
# Solstices, equinoxes and the days the clocks change at the places above.
DAYS = (
    dt.date(2026, 3, 20),
    dt.date(2026, 3, 29),
    dt.date(2026, 4, 5),
    dt.date(2026, 6, 21),
    dt.date(2026, 9, 27),
    dt.date(2026, 10, 4),
    dt.date(2026, 10, 25),
    dt.date(2026, 12, 21),
)


def _assert_same(expected: Evaluation, actual: Evaluation, where: dt.datetime) -> None:
    for name, level in expected.breakdown.as_dict().items():
        assert abs(actual.breakdown.as_dict()[name] - level) <= SCALE_TOLERANCE, (name, where)
    assert abs(actual.level - expected.level) <= SCALE_TOLERANCE, where
    assert actual.is_flash == expected.is_flash, where
    assert actual.active_event == expected.active_event, where
    assert actual.next_transition == expected.next_transition, where


def _day(place: Place, day: dt.date, jitter: float = 0.0) -> Iterator[dt.datetime]:
    """Every minute of the local day (shifted by ``jitter`` seconds), in UTC as the coordinator passes it."""
    start = dt.datetime.combine(day, dt.time(0), place.tzinfo).timestamp()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), place.tzinfo).timestamp()
    moment = start + jitter
    while moment < end:
        yield dt.datetime.fromtimestamp(moment, dt.UTC)
        moment += 60.0


def _assert_day(plan: ChannelPlan, context: LightingContext, day: dt.date, jitter: float = 0.0) -> None:
    evaluator = Evaluator()
    for now in _day(context.place, day, jitter):
        _assert_same(evaluate(plan, now, context), evaluator.evaluate(plan, now, context), now)


levels = st.floats(0.0, 1.0)
times = st.times().map(lambda value: value.replace(microsecond=0))


@st.composite
def programs(draw: st.DrawFn) -> Program:
    kind = draw(st.sampled_from(("static", "schedule", "daylight", "mimic")))
    if kind == "static":
        return Static(draw(levels))
    if kind == "schedule":
        points = draw(
            st.lists(st.tuples(times, levels), min_size=2, max_size=5, unique_by=lambda item: item[0])
        )
        interpolation = draw(st.sampled_from(("linear", "smooth")))
        return Schedule(tuple(SchedulePoint(time, level) for time, level in points), interpolation)
    if kind == "daylight":
        return Daylight(
            peak=draw(levels),
            shape=draw(st.sampled_from(("sine", "bell", "plateau"))),
            sunrise_offset=draw(st.floats(-300, 300)),
            sunset_offset=draw(st.floats(-300, 300)),
            ramp_minutes=draw(st.floats(1, 240)),
        )
    return Mimic(
        draw(st.sampled_from(PLACES)),
        peak=draw(levels),
        weather_entity=draw(st.sampled_from((None, "weather.remote"))),
        cloud_dimming=draw(levels),
    )


@st.composite
def layer_sets(draw: st.DrawFn, day: dt.date) -> tuple[Layer, ...]:
    layers: list[Layer] = []
    if draw(st.booleans()):
        first_day = day + dt.timedelta(days=draw(st.integers(-40, 1)))
        layers.append(Acclimation(first_day, draw(st.integers(1, 60)), draw(st.floats(0.01, 1.0))))
    if draw(st.booleans()):
        layers.append(Lunar(draw(st.floats(0.0, 0.2))))
    if draw(st.booleans()):
        start, end = draw(st.lists(times, min_size=2, max_size=2, unique=True))
        layers.append(Moonlight(draw(st.floats(0.0, 0.1)), start, end))
    return tuple(layers)


@st.composite
def event_sets(draw: st.DrawFn, day: dt.date, place: Place) -> tuple[Event, ...]:
    midnight = dt.datetime.combine(day, dt.time(0), place.tzinfo)
    events: list[Event] = []
    for kind in draw(st.lists(st.sampled_from((Clouds, Storm, Lightning)), max_size=2)):
        start = midnight + dt.timedelta(seconds=draw(st.integers(-3600, 86400)))
        events.append(kind(start, draw(st.integers(60, 4 * 3600)), draw(levels), draw(st.integers(0, 1000))))
    return tuple(events)


@st.composite
def weathers(draw: st.DrawFn, day: dt.date) -> dict[str, WeatherData]:
    if draw(st.booleans()):
        return {}
    noon = dt.datetime.combine(day, dt.time(12), dt.UTC)
    hours = draw(st.lists(st.integers(-30, 30), max_size=6, unique=True))
    forecast = tuple(sorted((noon + dt.timedelta(hours=hour), draw(st.floats(0.0, 100.0))) for hour in hours))
    condition = draw(st.sampled_from(("sunny", "cloudy", "lightning-rainy")))
    cover = draw(st.none() | st.floats(0.0, 100.0))
    return {"weather.remote": WeatherData(cloud_cover=cover, condition=condition, forecast=forecast)}


@st.composite
def cases(draw: st.DrawFn) -> tuple[ChannelPlan, LightingContext, dt.date, float]:
    place = draw(st.sampled_from(PLACES))
    day = draw(st.sampled_from(DAYS) | st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)))
    override = None
    if draw(st.booleans()):
        until = dt.datetime.combine(day, dt.time(0), place.tzinfo) + dt.timedelta(
            minutes=draw(st.integers(1, 1440))
        )
        override = Override(draw(levels), until)
    plan = ChannelPlan(
        draw(programs()),
        draw(layer_sets(day)),
        draw(event_sets(day, place)),
        override,
        position=draw(levels),
    )
    derated = draw(st.sampled_from((1.0, 0.5, 0.0)))
    context = LightingContext(place, draw(weathers(day)), derate=derated, forced_off=draw(st.booleans()))
    return plan, context, day, draw(st.floats(0.0, 60.0, exclude_max=True))


@settings(max_examples=30, deadline=None, database=None)
@given(cases())
def test_compiled_days_match_the_reference_engine(
    case: tuple[ChannelPlan, LightingContext, dt.date, float],
) -> None:
    """Any plan at any test place on any day: every minute, on the minute and between minutes."""
    plan, context, day, jitter = case
    _assert_day(plan, context, day)
    _assert_day(plan, context, day, jitter)


def test_a_quick_smooth_step_is_refined_although_its_middle_is_on_the_line() -> None:
    """Found by the property test: a smooth 0→100 % in 61 s crosses the straight line exactly at its middle."""
    place = Place(52.37, 4.9, "Europe/Amsterdam")
    plan = ChannelPlan(
        Schedule((SchedulePoint(dt.time(0), 0.0), SchedulePoint(dt.time(0, 1, 1), 1.0)), "smooth")
    )
    context = LightingContext(place, {}, derate=1.0, forced_off=False)
    _assert_day(plan, context, dt.date(2026, 3, 20))


@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.time_zone)
def test_a_full_plan_matches_over_the_year_at_every_place(place: Place) -> None:
    """Daylight with every layer, on the solstices, equinoxes and clock-change days."""
    layers = (
        Acclimation(dt.date(2026, 3, 1), 300, 0.3),
        Lunar(0.05),
        Moonlight(0.002, dt.time(21), dt.time(6, 30)),
    )
    for shape, day in zip(("sine", "bell", "plateau") * 3, DAYS, strict=False):
        plan = ChannelPlan(Daylight(peak=0.9, shape=shape, ramp_minutes=45), layers)
        _assert_day(plan, LightingContext(place), day, jitter=17.3)


def test_steps_switch_on_the_exact_moment() -> None:
    """A moonlight window and a moonrise switch the compiled level when the reference switches, not a tick later."""
    day = dt.date(2023, 1, 6)
    context = LightingContext(FREDONIA)
    plan = ChannelPlan(Static(0.0), layers=(Lunar(0.05), Moonlight(0.001, dt.time(20), dt.time(5))))
    moon = moon_day(FREDONIA.latitude, FREDONIA.longitude, FREDONIA.time_zone, day)
    assert moon.moonrise is not None
    evaluator = Evaluator()
    window = dt.datetime.combine(day, dt.time(20), FREDONIA.tzinfo)
    for moment in (window, moon.moonrise):
        for now in (moment - dt.timedelta(microseconds=1), moment, moment + dt.timedelta(microseconds=1)):
            _assert_same(evaluate(plan, now, context), evaluator.evaluate(plan, now, context), now)
    moonlight = ChannelPlan(Static(0.0), layers=(Moonlight(0.001, dt.time(20), dt.time(5)),))
    assert evaluator.evaluate(moonlight, window - dt.timedelta(microseconds=1), context).level == 0.0
    assert evaluator.evaluate(moonlight, window, context).level == 0.001


def test_clock_changes_keep_the_schedule() -> None:
    """On the days the clocks change, a wall-clock schedule and a one-day acclimation jump as the reference's do."""
    plan = ChannelPlan(
        Schedule((SchedulePoint(dt.time(1), 0.0), SchedulePoint(dt.time(4), 1.0)), "smooth"),
        layers=(Acclimation(dt.date(2026, 3, 29), 1, 0.01),),
    )
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25)):
        _assert_day(plan, LightingContext(AMSTERDAM), day, jitter=0.5)


def test_mimic_weather_clouds_and_storm() -> None:
    """Forecast hours step the cloud cover on our clock; a storm from the weather runs live, flashes and all."""
    day = dt.date(2026, 6, 21)
    remote_noon = dt.datetime.combine(day, dt.time(12), BORA_BORA.tzinfo)
    forecast = tuple((remote_noon + dt.timedelta(hours=hour), 20.0 * hour) for hour in range(5))
    mimic = Mimic(BORA_BORA, weather_entity="weather.bora_bora", storm_strength=0.9)
    plan = ChannelPlan(mimic, layers=(Lunar(0.02),))
    cloudy = LightingContext(
        AMSTERDAM, {"weather.bora_bora": WeatherData(cloud_cover=50.0, forecast=forecast)}
    )
    _assert_day(plan, cloudy, day, jitter=59.9)
    stormy = LightingContext(
        AMSTERDAM,
        {"weather.bora_bora": WeatherData(cloud_cover=50.0, condition="lightning", forecast=forecast)},
    )
    evaluator = Evaluator()
    start = dt.datetime.combine(day, dt.time(13), AMSTERDAM.tzinfo)
    flashes = 0
    for tick in range(20 * 120):
        now = start + dt.timedelta(milliseconds=50 * tick)
        expected = evaluate(plan, now, stormy)
        _assert_same(expected, evaluator.evaluate(plan, now, stormy), now)
        flashes += expected.is_flash
    assert flashes


def test_weather_changes_are_followed_at_once() -> None:
    day = dt.date(2026, 6, 21)
    plan = ChannelPlan(Mimic(BORA_BORA, weather_entity="weather.bora_bora"))
    now = dt.datetime.combine(day, dt.time(12), AMSTERDAM.tzinfo)
    evaluator = Evaluator()
    clear = evaluator.evaluate(plan, now, LightingContext(AMSTERDAM)).level
    overcast = LightingContext(AMSTERDAM, {"weather.bora_bora": WeatherData(cloud_cover=100.0)})
    assert evaluator.evaluate(plan, now, overcast).level == pytest.approx(clear * 0.3, abs=SCALE_TOLERANCE)
    assert evaluator.evaluate(plan, now, LightingContext(AMSTERDAM)).level == pytest.approx(clear, abs=1e-9)


def test_a_day_compiles_once_and_again_after_midnight_or_a_change(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled_days: list[dt.date] = []
    compile_day = compiled.compile_day

    def counting(
        program: Program, layers: tuple[Layer, ...], day: dt.date, context: LightingContext
    ) -> compiled.CompiledDay:
        compiled_days.append(day)
        return compile_day(program, layers, day, context)

    monkeypatch.setattr(compiled, "compile_day", counting)
    context = LightingContext(AMSTERDAM)
    plan = ChannelPlan(Daylight(), layers=(Lunar(0.03),))
    evaluator = Evaluator()
    start = dt.datetime(2026, 6, 21, 23, 0, tzinfo=AMSTERDAM.tzinfo)
    for minute in range(120):
        evaluator.evaluate(plan, start + dt.timedelta(minutes=minute), context)
    assert compiled_days == [dt.date(2026, 6, 21), dt.date(2026, 6, 22)]
    # Another channel with an equal plan shares the day; an event ending (a new plan object) keeps it too.
    twin = ChannelPlan(Daylight(), layers=(Lunar(0.03),), name="twin")
    evaluator.evaluate(twin, start + dt.timedelta(hours=1), context)
    assert len(compiled_days) == 2
    evaluator.evaluate(ChannelPlan(Daylight(peak=0.5)), start + dt.timedelta(hours=1), context)
    assert len(compiled_days) == 3


def test_a_flat_stretch_reuses_its_result_until_something_changes() -> None:
    context = LightingContext(AMSTERDAM)
    plan = ChannelPlan(Static(0.4))
    evaluator = Evaluator()
    now = dt.datetime(2026, 6, 21, 12, tzinfo=dt.UTC)
    first = evaluator.evaluate(plan, now, context)
    assert evaluator.evaluate(plan, now + dt.timedelta(seconds=1), context) is first
    derated = evaluator.evaluate(plan, now + dt.timedelta(seconds=2), LightingContext(AMSTERDAM, derate=0.5))
    assert derated.level == pytest.approx(0.2)
    off = evaluator.evaluate(plan, now + dt.timedelta(seconds=3), LightingContext(AMSTERDAM, forced_off=True))
    assert off.level == 0.0
    overridden = ChannelPlan(Static(0.4), override=Override(0.9, now + dt.timedelta(minutes=5)))
    held = evaluator.evaluate(overridden, now + dt.timedelta(seconds=4), context)
    assert (held.level, held.next_transition) == (0.9, now + dt.timedelta(minutes=5))
    assert evaluator.evaluate(overridden, now + dt.timedelta(minutes=5), context).level == 0.4
    elsewhere = LightingContext(TROMSO)
    assert evaluator.evaluate(plan, now + dt.timedelta(seconds=5), elsewhere).level == 0.4


def test_an_effect_starting_under_an_override_shows_in_the_breakdown() -> None:
    context = LightingContext(AMSTERDAM)
    now = dt.datetime(2026, 6, 21, 12, tzinfo=dt.UTC)
    clouds = Clouds(now + dt.timedelta(seconds=1), 60, strength=1.0, seed=3)
    plan = ChannelPlan(Static(1.0), events=(clouds,), override=Override(0.0, now + dt.timedelta(minutes=2)))
    evaluator = Evaluator()
    for tick in range(40):
        moment = now + dt.timedelta(milliseconds=500 * tick)
        _assert_same(evaluate(plan, moment, context), evaluator.evaluate(plan, moment, context), moment)
    assert evaluator.evaluate(plan, now + dt.timedelta(seconds=19), context).breakdown.events < 1.0


def test_channels_not_seen_for_an_hour_are_forgotten() -> None:
    context = LightingContext(AMSTERDAM)
    evaluator = Evaluator()
    now = dt.datetime(2026, 6, 21, 12, tzinfo=dt.UTC)
    old = ChannelPlan(Static(0.1))
    evaluator.evaluate(old, now, context)
    later = now + dt.timedelta(hours=2)
    evaluator.evaluate(ChannelPlan(Static(0.2)), later, context)
    assert evaluator.evaluate(old, later, context).level == 0.1  # followed again from scratch
    assert len(evaluator._channels) == 2


def test_a_step_no_transition_announces_is_still_kept_sharp() -> None:
    """The refinement narrows an unannounced step down to a millisecond and keeps it as a step."""

    def sample(moment: float) -> tuple[float, float, float]:
        return (0.2 if moment < 1234.5678 else 0.7, 1.0, 0.0)

    times, values = days._knots(sample, [0.0, 600.0, 1200.0, 1800.0])
    step = next(index for index, (before, after) in enumerate(itertools.pairwise(values)) if before != after)
    assert 0.0 < times[step + 1] - 1234.5678 <= 1e-3
    assert times[step] == times[step + 1]
    assert (values[step][0], values[step + 1][0]) == (0.2, 0.7)


def test_many_plans_at_once_stay_right() -> None:
    """More distinct plans than compiled days kept: the oldest are dropped and compiled again when asked."""
    context = LightingContext(AMSTERDAM)
    evaluator = Evaluator()
    now = dt.datetime(2026, 6, 21, 12, tzinfo=dt.UTC)
    plans = [ChannelPlan(Static(index / 100)) for index in range(100)]
    for _ in range(2):
        for index, plan in enumerate(plans):
            assert evaluator.evaluate(plan, now, context).level == pytest.approx(index / 100)


def test_days_compiled_ahead_are_only_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Days asked for ahead (once per distinct program and layers) serve the ticks of that day unchanged."""
    context = LightingContext(AMSTERDAM)
    plans = [
        ChannelPlan(Daylight(), layers=(Lunar(0.03),)),
        ChannelPlan(Daylight(), layers=(Lunar(0.03),), name="twin"),
        ChannelPlan(Static(0.4)),
    ]
    midnight = dt.datetime(2026, 6, 22, 0, 0, tzinfo=AMSTERDAM.tzinfo)
    evaluator = Evaluator()
    wanted = evaluator.days_to_compile(plans, midnight.timestamp(), context)
    assert sorted(day for _program, _layers, day in wanted.values()) == [dt.date(2026, 6, 22)] * 2
    evaluator.add_days(compiled.compile_days(wanted, context), midnight.timestamp())
    assert evaluator.days_to_compile(plans, midnight.timestamp(), context) == {}

    def refuse(*_args: object) -> compiled.CompiledDay:
        raise AssertionError("compiled on the tick")

    monkeypatch.setattr(compiled, "compile_day", refuse)
    for minute in range(0, 24 * 60, 7):
        moment = midnight + dt.timedelta(minutes=minute)
        for plan in plans:
            assert evaluator.evaluate(plan, moment, context).level == pytest.approx(
                evaluate(plan, moment, context).level, abs=SCALE_TOLERANCE
            )
