"""The engine: priority order, overrides, pruning, preview, the ramp and JSON round-trips."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from custom_components.bellas_reef.lighting import (
    PLAN_ERROR_MESSAGES,
    Acclimation,
    ChannelPlan,
    Clouds,
    Daylight,
    LightingContext,
    Lightning,
    Lunar,
    Mimic,
    Moonlight,
    Override,
    Place,
    PlanError,
    Ramp,
    Schedule,
    SchedulePoint,
    Static,
    Storm,
    WeatherData,
    evaluate,
    needs_fast_tick,
    preview,
    prune,
)
from custom_components.bellas_reef.lighting.context import Moment

AMSTERDAM = Place(52.37, 4.90, "Europe/Amsterdam")
CONTEXT = LightingContext(AMSTERDAM)
NOON = dt.datetime(2026, 6, 21, 12, 0, tzinfo=AMSTERDAM.tzinfo)
NAIVE_NOON = dt.datetime(2026, 6, 21, 12)  # noqa: DTZ001 - deliberately naive, to be rejected


def test_priority_program_layers_events_override_safety() -> None:
    acclimation = Acclimation(dt.date(2026, 6, 21), 10, 0.5)
    clouds = Clouds(NOON - dt.timedelta(minutes=5), 600, strength=1.0, seed=1, depth=0.5)
    plan = ChannelPlan(Static(0.8), layers=(acclimation,), events=(clouds,))
    result = evaluate(plan, NOON, CONTEXT)
    assert result.breakdown.program == 0.8
    assert result.breakdown.layers == pytest.approx(0.8 * acclimation.factor(Moment.at(NOON, AMSTERDAM)))
    assert result.breakdown.events < result.breakdown.layers
    assert result.breakdown.override == result.breakdown.events
    assert result.level == result.breakdown.safety == result.breakdown.events
    assert result.active_event == "clouds"

    overridden = ChannelPlan(
        plan.program, plan.layers, plan.events, Override(0.25, NOON + dt.timedelta(hours=1))
    )
    result = evaluate(overridden, NOON, CONTEXT)
    assert result.breakdown.override == 0.25
    assert result.level == 0.25
    assert result.active_event is None  # the override hides the effect
    assert result.next_transition == NOON + dt.timedelta(hours=1)

    derated = evaluate(overridden, NOON, LightingContext(AMSTERDAM, derate=0.5))
    assert derated.level == pytest.approx(0.125)
    assert derated.breakdown.as_dict()["override"] == 0.25
    off = evaluate(overridden, NOON, LightingContext(AMSTERDAM, derate=0.5, forced_off=True))
    assert off.level == 0.0
    assert (off.breakdown.program, off.breakdown.override, off.breakdown.safety) == (0.8, 0.25, 0.0)


def test_safety_beats_a_flash() -> None:
    lightning = Lightning(NOON, 3, strength=1.0, seed=2, flashes=1)
    plan = ChannelPlan(Static(0.1), events=(lightning,))
    ticks = [NOON + dt.timedelta(milliseconds=50 * tick) for tick in range(60)]
    assert any(evaluate(plan, tick, CONTEXT).is_flash for tick in ticks)
    forced = LightingContext(AMSTERDAM, forced_off=True)
    assert not any(evaluate(plan, tick, forced).is_flash for tick in ticks)
    assert {evaluate(plan, tick, forced).level for tick in ticks} == {0.0}


def test_override_expires_and_the_program_resumes() -> None:
    until = NOON + dt.timedelta(minutes=30)
    plan = ChannelPlan(Static(0.6), override=Override(0.0, until))
    assert evaluate(plan, NOON, CONTEXT).level == 0.0
    assert evaluate(plan, until - dt.timedelta(seconds=1), CONTEXT).level == 0.0
    assert evaluate(plan, until, CONTEXT).level == 0.6
    assert evaluate(plan, until, CONTEXT).next_transition is None
    assert prune(plan, NOON) is plan
    pruned = prune(plan, until)
    assert pruned.override is None
    assert pruned.program == plan.program


def test_prune_drops_finished_events_only() -> None:
    done = Storm(NOON - dt.timedelta(hours=1), 60, seed=1)
    running = Clouds(NOON - dt.timedelta(minutes=1), 600, seed=1)
    upcoming = Lightning(NOON + dt.timedelta(hours=1), 10, seed=1)
    plan = ChannelPlan(Static(0.5), events=(upcoming, done, running), position=0.4, name="royal blue")
    assert [event.kind for event in plan.events] == ["storm", "clouds", "lightning"]  # start order
    pruned = prune(plan, NOON)
    assert pruned.events == (running, upcoming)
    assert (pruned.position, pruned.name) == (0.4, "royal blue")


def test_needs_fast_tick_while_an_event_runs() -> None:
    storm = Storm(NOON, 60, seed=1)
    plan = ChannelPlan(Static(0.5), events=(storm,))
    assert not needs_fast_tick(plan, NOON - dt.timedelta(seconds=1))
    assert needs_fast_tick(plan, NOON)
    assert not needs_fast_tick(plan, NOON + dt.timedelta(seconds=60))
    hidden = ChannelPlan(Static(0.5), events=(storm,), override=Override(0.3, NOON + dt.timedelta(hours=1)))
    assert not needs_fast_tick(hidden, NOON)


def test_next_transition_is_the_earliest_of_program_layers_and_events() -> None:
    schedule = Schedule((SchedulePoint(dt.time(8), 0.2), SchedulePoint(dt.time(20), 0.9)))
    plan = ChannelPlan(schedule, layers=(Moonlight(0.001, dt.time(19), dt.time(7)),))
    assert evaluate(plan, NOON, CONTEXT).next_transition == NOON.replace(hour=19)
    assert evaluate(plan, NOON.replace(hour=19, minute=30), CONTEXT).next_transition == NOON.replace(hour=20)
    late = evaluate(plan, NOON.replace(hour=23), CONTEXT).next_transition
    assert late == (NOON + dt.timedelta(days=1)).replace(hour=7)
    with_event = ChannelPlan(schedule, events=(Storm(NOON + dt.timedelta(minutes=10), 60, seed=1),))
    assert evaluate(with_event, NOON, CONTEXT).next_transition == NOON + dt.timedelta(minutes=10)
    assert evaluate(ChannelPlan(Static(0.4)), NOON, CONTEXT).next_transition is None


def test_preview_gives_one_point_per_minute_at_most() -> None:
    plan = ChannelPlan(Daylight(peak=0.7), layers=(Lunar(0.02),))
    points = preview(plan, dt.date(2026, 6, 21), CONTEXT)
    assert len(points) == 1440
    assert points[0][0] == dt.datetime(2026, 6, 21, tzinfo=AMSTERDAM.tzinfo)
    assert max(level for _, level in points) == pytest.approx(0.7, abs=1e-3)
    assert [level for _, level in points[::15]] == [
        level for _, level in preview(plan, dt.date(2026, 6, 21), CONTEXT, step_minutes=15)
    ]
    # The spring-forward day has 23 hours.
    assert len(preview(plan, dt.date(2026, 3, 29), CONTEXT)) == 23 * 60
    with pytest.raises(PlanError):
        preview(plan, dt.date(2026, 6, 21), CONTEXT, step_minutes=0)


def test_ramp_glides_except_for_flashes() -> None:
    ramp = Ramp(full_swing_seconds=2.0)
    assert ramp.step(0.0, 1.0, 0.05, is_flash=False) == pytest.approx(0.025)
    assert ramp.step(1.0, 0.0, 0.05, is_flash=False) == pytest.approx(0.975)
    assert ramp.step(0.0, 1.0, 0.05, is_flash=True) == 1.0
    assert ramp.step(0.5, 0.5004, 1.0, is_flash=False) == 0.5004
    assert ramp.step(0.3, 0.9, -1.0, is_flash=False) == 0.3
    output = 0.0
    steps = 0
    while output != 0.8:
        output = ramp.step(output, 0.8, 0.05, is_flash=False)
        steps += 1
    assert steps == 32  # 0.8 of a 2 s full swing at 20 Hz
    with pytest.raises(PlanError):
        Ramp(0.0)


def _round_trip(plan: ChannelPlan) -> ChannelPlan:
    return ChannelPlan.from_dict(json.loads(json.dumps(plan.to_dict())))


@pytest.mark.parametrize(
    "program",
    [
        Static(0.35),
        Schedule((SchedulePoint(dt.time(7, 30), 0.1), SchedulePoint(dt.time(13, 0, 15), 0.9)), "smooth"),
        Daylight(peak=0.9, shape="plateau", sunrise_offset=-30, sunset_offset=45.5, ramp_minutes=75),
        Mimic(
            Place(-16.5, -151.74, "Pacific/Tahiti"),
            peak=0.8,
            weather_entity="weather.bora",
            cloud_dimming=0.5,
        ),
        Mimic(Place(-16.5, -151.74, "Pacific/Tahiti")),
    ],
)
def test_every_program_round_trips_through_json(program: Any) -> None:
    assert _round_trip(ChannelPlan(program)).program == program


def test_layers_events_and_override_round_trip_through_json() -> None:
    start = dt.datetime(2026, 6, 21, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    plan = ChannelPlan(
        Daylight(),
        layers=(
            Acclimation(dt.date(2026, 6, 1), 30, 0.25),
            Lunar(0.03),
            Moonlight(0.0005, dt.time(21), dt.time(6, 30)),
        ),
        events=(
            Clouds(start, 900, strength=0.4, seed=9, depth=0.3, travel_seconds=12),
            Storm(start, 600, strength=0.7, seed=10),
            Lightning(start, 10, strength=0.8, seed=11, flashes=4),
        ),
        override=Override(0.4, start + dt.timedelta(hours=1)),
        position=0.75,
        name="white",
    )
    restored = _round_trip(plan)
    assert restored == plan
    assert restored.to_dict() == plan.to_dict()
    assert evaluate(restored, start, CONTEXT) == evaluate(plan, start, CONTEXT)


def test_minimal_plan_json_uses_defaults() -> None:
    plan = ChannelPlan.from_dict({"program": {"kind": "daylight"}})
    assert plan == ChannelPlan(Daylight())
    clouds = ChannelPlan.from_dict(
        {
            "program": {"kind": "static", "level": 0},
            "events": [
                {
                    "kind": "clouds",
                    "start": NOON.isoformat(),
                    "duration_seconds": 60,
                    "strength": 0.5,
                    "seed": 1,
                }
            ],
        }
    ).events[0]
    assert isinstance(clouds, Clouds)
    assert (clouds.depth, clouds.travel_seconds) == (0.6, 8.0)
    assert ChannelPlan().program == Static(0.0)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ([], "invalid_object"),
        ({}, "missing_field"),
        ({"program": {"kind": "static", "level": 0.1}, "layers": {"kind": "lunar"}}, "invalid_list"),
        ({"program": {"kind": "static", "level": 0.1}, "override": "soon"}, "invalid_object"),
        ({"program": {"kind": "static", "level": 0.1}, "override": {"level": 0.2, "until": "tomorrow"}}, "invalid_datetime"),
        ({"program": {"kind": "static", "level": 0.1}, "position": 2}, "out_of_range"),
        ({"program": {"kind": "static", "level": 0.1}, "name": 7}, "invalid_text"),
        ({"program": {"kind": "mimic", "place": {"latitude": 0, "longitude": 0, "time_zone": "UTC"}, "weather_entity": ""}}, "invalid_text"),
        ({"program": {"kind": "daylight", "shape": "square"}}, "invalid_choice"),
    ],
)  # fmt: skip
def test_plan_from_dict_rejects_bad_json(data: Any, key: str) -> None:
    with pytest.raises(PlanError) as caught:
        ChannelPlan.from_dict(data)
    assert caught.value.translation_key == key
    assert caught.value.translation_key in PLAN_ERROR_MESSAGES


def test_context_and_override_validation() -> None:
    with pytest.raises(PlanError):
        LightingContext(AMSTERDAM, derate=1.5)
    with pytest.raises(PlanError):
        Override(0.5, NAIVE_NOON)
    with pytest.raises(PlanError):
        WeatherData(cloud_cover=120)
    with pytest.raises(PlanError):
        WeatherData(forecast=((NAIVE_NOON, 10.0),))
    with pytest.raises(PlanError) as caught:
        evaluate(ChannelPlan(), NAIVE_NOON, CONTEXT)
    assert caught.value.placeholders == {"name": "now", "value": "2026-06-21 12:00:00"}
