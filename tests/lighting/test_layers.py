"""Layers over whole days and a whole lunar month."""

from __future__ import annotations

import datetime as dt

import pytest

from custom_components.bellas_reef.lighting import (
    Acclimation,
    ChannelPlan,
    LightingContext,
    Lunar,
    Moonlight,
    Place,
    PlanError,
    Static,
    evaluate,
    layer_from_dict,
    moon_position,
)
from custom_components.bellas_reef.lighting.astronomy import moon_day

FREDONIA = Place(36 + 57 / 60, -(112 + 31 / 60), "America/Phoenix")
CONTEXT = LightingContext(FREDONIA)


def test_lunar_follows_the_real_moon_over_a_month() -> None:
    """Every 15 minutes of January 2023: lit only while the moon is up, as bright as its phase."""
    plan = ChannelPlan(Static(0.0), layers=(Lunar(0.05),))
    start = dt.datetime(2023, 1, 1, tzinfo=FREDONIA.tzinfo)
    nightly_max: dict[dt.date, float] = {}
    for step in range(31 * 96):
        now = start + dt.timedelta(minutes=15 * step)
        level = evaluate(plan, now, CONTEXT).level
        position = moon_position(FREDONIA.latitude, FREDONIA.longitude, now)
        assert (level > 0.0) == position.above_horizon
        if level > 0.0:
            assert level == pytest.approx(0.05 * position.fraction_illuminated, abs=0.0005)
        nightly_max[now.date()] = max(nightly_max.get(now.date(), 0.0), level)
    assert nightly_max[dt.date(2023, 1, 6)] == pytest.approx(0.05, abs=0.001)  # full moon
    assert nightly_max[dt.date(2023, 1, 21)] < 0.001  # new moon
    assert nightly_max[dt.date(2023, 1, 28)] == pytest.approx(0.025, abs=0.004)  # first quarter


def test_lunar_is_a_floor_under_daylight() -> None:
    plan = ChannelPlan(Static(0.5), layers=(Lunar(0.05),))
    moon = moon_day(FREDONIA.latitude, FREDONIA.longitude, FREDONIA.time_zone, dt.date(2023, 1, 6))
    assert moon.moonrise is not None
    up = moon.moonrise + dt.timedelta(hours=2)
    assert evaluate(plan, up, CONTEXT).level == 0.5


def test_lunar_next_transition_is_the_next_moonrise_or_moonset() -> None:
    plan = ChannelPlan(Static(0.0), layers=(Lunar(0.05),))
    day = dt.date(2023, 1, 13)  # no moonrise this day: the next one is on the 14th
    moon_13 = moon_day(FREDONIA.latitude, FREDONIA.longitude, FREDONIA.time_zone, day)
    moon_14 = moon_day(FREDONIA.latitude, FREDONIA.longitude, FREDONIA.time_zone, day + dt.timedelta(days=1))
    assert moon_13.moonset is not None
    assert moon_14.moonrise is not None
    after_set = moon_13.moonset + dt.timedelta(minutes=1)
    transition = evaluate(plan, after_set, CONTEXT).next_transition
    assert transition is not None
    assert abs((transition - moon_14.moonrise).total_seconds()) < 1


def test_moonlight_window_crosses_midnight_and_keeps_tiny_levels() -> None:
    plan = ChannelPlan(Static(0.0), layers=(Moonlight(0.0005, dt.time(21), dt.time(6, 30)),))
    day = dt.date(2026, 3, 1)
    tz = FREDONIA.tzinfo
    levels = {
        hour: evaluate(plan, dt.datetime.combine(day, dt.time(hour), tz), CONTEXT).level for hour in range(24)
    }
    assert levels[22] == 0.0005
    assert levels[3] == 0.0005
    assert levels[6] == 0.0005
    assert levels[7] == 0.0
    assert levels[12] == 0.0
    assert levels[21] == 0.0005
    result = evaluate(plan, dt.datetime.combine(day, dt.time(12), tz), CONTEXT)
    assert result.next_transition == dt.datetime.combine(day, dt.time(21), tz)
    daytime = ChannelPlan(Static(0.0), layers=(Moonlight(0.001, dt.time(9), dt.time(17)),))
    assert evaluate(daytime, dt.datetime.combine(day, dt.time(8, 59), tz), CONTEXT).level == 0.0
    assert evaluate(daytime, dt.datetime.combine(day, dt.time(9), tz), CONTEXT).level == 0.001
    assert evaluate(daytime, dt.datetime.combine(day, dt.time(17), tz), CONTEXT).level == 0.0


def test_moonlight_does_not_add_to_a_brighter_program() -> None:
    plan = ChannelPlan(Static(0.3), layers=(Moonlight(0.01, dt.time(0), dt.time(23, 59)),))
    assert evaluate(plan, dt.datetime(2026, 3, 1, 12, tzinfo=FREDONIA.tzinfo), CONTEXT).level == 0.3


def test_acclimation_scales_the_program_from_start_to_full() -> None:
    acclimation = Acclimation(dt.date(2026, 3, 1), 10, 0.3)
    plan = ChannelPlan(Static(0.8), layers=(acclimation, Moonlight(0.05, dt.time(20), dt.time(8))))
    tz = FREDONIA.tzinfo

    def level(day: int, hour: int = 12) -> float:
        return evaluate(plan, dt.datetime(2026, 3, day, hour, tzinfo=tz), CONTEXT).level

    assert evaluate(plan, dt.datetime(2026, 2, 20, 12, tzinfo=tz), CONTEXT).level == pytest.approx(0.8 * 0.3)
    assert evaluate(plan, dt.datetime(2026, 3, 1, 0, tzinfo=tz), CONTEXT).level == pytest.approx(0.8 * 0.3)
    assert level(6, 0) == pytest.approx(0.8 * 0.65)  # half way: 5 of 10 days
    assert level(6) > level(6, 0)  # grows through the day, not in daily steps
    assert evaluate(plan, dt.datetime(2026, 3, 11, 12, tzinfo=tz), CONTEXT).level == pytest.approx(0.8)
    assert evaluate(plan, dt.datetime(2026, 6, 1, 12, tzinfo=tz), CONTEXT).level == pytest.approx(0.8)
    # The moonlight floor is not acclimated: it only sets a minimum after scaling.
    dim = ChannelPlan(Static(0.1), layers=(Moonlight(0.05, dt.time(20), dt.time(8)), acclimation))
    assert dim.layers[0] is acclimation  # scaling always runs before floors
    assert evaluate(dim, dt.datetime(2026, 3, 1, 22, tzinfo=tz), CONTEXT).level == pytest.approx(0.05)
    assert acclimation.transitions(dt.date(2026, 3, 1), FREDONIA) == ()


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: Lunar(1.2), "out_of_range"),
        (lambda: Moonlight(0.001, dt.time(22), dt.time(22)), "empty_window"),
        (lambda: Moonlight(0.001, "22:00", dt.time(6)), "invalid_time"),  # type: ignore[arg-type]
        (lambda: Moonlight(-0.001, dt.time(22), dt.time(6)), "out_of_range"),
        (lambda: Acclimation(dt.date(2026, 3, 1), 0, 0.5), "out_of_range"),
        (lambda: Acclimation(dt.date(2026, 3, 1), 2.5, 0.5), "invalid_integer"),  # type: ignore[arg-type]
        (lambda: Acclimation(dt.date(2026, 3, 1), True, 0.5), "invalid_integer"),
        (lambda: Acclimation(dt.date(2026, 3, 1), 10, -0.01), "out_of_range"),
        (lambda: Acclimation(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), 10, 0.5), "invalid_date"),
        (lambda: ChannelPlan(layers=(Lunar(0.1), Lunar(0.2))), "duplicate_kind"),
    ],
)
def test_invalid_layers_are_rejected(build: object, key: str) -> None:
    assert callable(build)
    with pytest.raises(PlanError) as caught:
        build()
    assert caught.value.translation_key == key


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"kind": "sunlamp"}, "invalid_choice"),
        ({"kind": "moonlight", "level": 0.01, "start": "9pm", "end": "06:00"}, "invalid_time"),
        ({"kind": "moonlight", "level": 0.01, "start": 21, "end": "06:00"}, "invalid_time"),
        ({"kind": "acclimation", "start_date": "March 1", "days": 10, "start_level": 0.3}, "invalid_date"),
        ({"kind": "acclimation", "start_date": 20260301, "days": 10, "start_level": 0.3}, "invalid_date"),
        (
            {"kind": "acclimation", "start_date": "2026-03-01", "days": "10", "start_level": 0.3},
            "invalid_integer",
        ),
        ({"kind": "lunar"}, "missing_field"),
    ],
)
def test_layer_from_dict_rejects_bad_json(data: dict[str, object], key: str) -> None:
    with pytest.raises(PlanError) as caught:
        layer_from_dict(data)
    assert caught.value.translation_key == key
