"""Clouds, storm and lightning: determinism by seed, motion across the tank, flashes."""

from __future__ import annotations

import datetime as dt

import pytest

from custom_components.bellas_reef.lighting import (
    ChannelPlan,
    Clouds,
    Evaluation,
    LightingContext,
    Lightning,
    Place,
    PlanError,
    Static,
    Storm,
    evaluate,
    event_from_dict,
)
from custom_components.bellas_reef.lighting.effects import envelope, unit, value_noise

CONTEXT = LightingContext(Place(52.37, 4.90, "Europe/Amsterdam"))
START = dt.datetime(2026, 6, 21, 12, 0, tzinfo=dt.UTC)
TICK = dt.timedelta(milliseconds=50)


def _run(
    event: Clouds | Storm | Lightning, seconds: float, position: float = 0.0, base: float = 0.8
) -> list[Evaluation]:
    """Evaluate a plan with ``event`` at 20 Hz for ``seconds`` from the event's start."""
    plan = ChannelPlan(Static(base), events=(event,), position=position)
    return [evaluate(plan, event.start + TICK * tick, CONTEXT) for tick in range(int(seconds * 20))]


def test_randomness_is_a_pure_function_of_seed_and_time() -> None:
    assert unit(7, 1, 42) == unit(7, 1, 42)
    assert unit(7, 1, 42) != unit(8, 1, 42)
    assert unit(7, 1, 42) != unit(7, 2, 42)
    assert 0.0 <= unit(7, 1, -5) < 1.0
    values = [unit(1, 1, index) for index in range(2000)]
    assert 0.45 < sum(values) / len(values) < 0.55
    assert value_noise(3, 1, 30.0, 30.0) == pytest.approx(unit(3, 1, 1))
    assert envelope(5.0, 0.0, 100.0) == pytest.approx(0.25)
    assert envelope(50.0, 0.0, 100.0) == 1.0
    assert envelope(0.5, 0.0, 0.0) == 0.0


def test_clouds_are_deterministic_by_seed() -> None:
    clouds = Clouds(START, 300, strength=0.6, seed=11, depth=0.5)
    first = [result.level for result in _run(clouds, 120)]
    again = [result.level for result in _run(Clouds(START, 300, strength=0.6, seed=11, depth=0.5), 120)]
    other = [result.level for result in _run(Clouds(START, 300, strength=0.6, seed=12, depth=0.5), 120)]
    assert first == again
    assert first != other
    assert min(first) >= 0.8 * 0.5 - 1e-9
    assert max(first) <= 0.8
    assert min(first) < 0.7  # some cloud passed
    assert sum(level == pytest.approx(0.8) for level in first) > 100  # and some clear sky
    assert not any(result.is_flash for result in _run(clouds, 10))


def test_clouds_move_across_the_tank() -> None:
    """A channel at the far end sees the same clouds ``travel_seconds`` later."""
    clouds = Clouds(START, 600, strength=0.5, seed=5, depth=0.7, travel_seconds=10)
    near = [result.level for result in _run(clouds, 200, position=0.0)]
    far = [result.level for result in _run(clouds, 200, position=1.0)]
    delay = 10 * 20
    # Past the 20 s fade-in both channels are at full strength: far lags near by exactly the travel time.
    assert far[600 : 600 + 2000] == pytest.approx(near[600 - delay : 600 - delay + 2000])
    assert far[600:2600] != near[600:2600]


def test_clouds_strength_sets_how_much_sky_is_cloud() -> None:
    def cloudy_share(strength: float) -> float:
        levels = [result.level for result in _run(Clouds(START, 900, strength=strength, seed=2), 600)]
        return sum(level < 0.8 - 1e-9 for level in levels) / len(levels)

    assert cloudy_share(0.0) == 0.0
    assert cloudy_share(0.2) < cloudy_share(0.8)


def test_storm_darkens_and_flashes() -> None:
    storm = Storm(START, 300, strength=0.8, seed=3)
    results = _run(storm, 120)
    flashes = [result for result in results if result.is_flash]
    dark = [result.level for result in results[20 * 25 :] if not result.is_flash]
    assert flashes
    assert max(result.level for result in flashes) > 0.8 * 0.2
    assert max(dark) < 0.8 * 0.4  # 30 % + 60 % × 0.8 darkening, give or take the drift
    assert [result.level for result in _run(Storm(START, 300, strength=0.8, seed=3), 120)] == [
        result.level for result in results
    ]
    assert [result.level for result in _run(Storm(START, 300, strength=0.8, seed=4), 120)] != [
        result.level for result in results
    ]
    assert results[0].active_event == "storm"


def _bursts(results: list[Evaluation]) -> int:
    """How many separate runs of flash-flagged ticks there are."""
    return sum(
        1
        for before, after in zip([None, *results], results, strict=False)
        if after.is_flash and not (before and before.is_flash)
    )


@pytest.mark.parametrize("flashes", [1, 3, 7])
def test_lightning_fires_n_flashes(flashes: int) -> None:
    lightning = Lightning(START, flashes * 2.0, strength=0.9, seed=flashes, flashes=flashes)
    results = _run(lightning, flashes * 2.0 + 1.0, base=0.1)
    assert _bursts(results) == flashes
    assert max(result.level for result in results) >= 0.9 * 0.8
    assert all(result.level >= 0.1 for result in results)
    assert results[-1].level == 0.1  # after the event the plan is back to its program
    assert results[-1].active_event is None


def test_events_only_act_inside_their_window() -> None:
    plan = ChannelPlan(Static(0.6), events=(Storm(START, 60, seed=1),))
    assert evaluate(plan, START - dt.timedelta(seconds=1), CONTEXT).level == 0.6
    assert evaluate(plan, START + dt.timedelta(seconds=60), CONTEXT).level == 0.6
    assert evaluate(plan, START - dt.timedelta(seconds=1), CONTEXT).active_event is None


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: Clouds(START.replace(tzinfo=None), 60), "invalid_datetime"),
        (lambda: Clouds(START, 0.5), "out_of_range"),
        (lambda: Clouds(START, 60, depth=1.5), "out_of_range"),
        (lambda: Clouds(START, 60, travel_seconds=-1), "out_of_range"),
        (lambda: Storm(START, 60, strength=-0.1), "out_of_range"),
        (lambda: Storm(START, 60, seed=-1), "out_of_range"),
        (lambda: Storm(START, 60, seed=1.5), "invalid_integer"),  # type: ignore[arg-type]
        (lambda: Lightning(START, 60, flashes=0), "out_of_range"),
        (lambda: Lightning(START, 2, flashes=5), "out_of_range"),
    ],
)
def test_invalid_events_are_rejected(build: object, key: str) -> None:
    assert callable(build)
    with pytest.raises(PlanError) as caught:
        build()
    assert caught.value.translation_key == key


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"kind": "rainbow"}, "invalid_choice"),
        ({"kind": "storm", "start": "2026-06-21T12:00:00", "duration_seconds": 60, "strength": 1, "seed": 1}, "invalid_datetime"),
        ({"kind": "storm", "start": "noon", "duration_seconds": 60, "strength": 1, "seed": 1}, "invalid_datetime"),
        ({"kind": "storm", "start": 12, "duration_seconds": 60, "strength": 1, "seed": 1}, "invalid_datetime"),
        ({"kind": "storm", "start": START.isoformat(), "duration_seconds": True, "strength": 1, "seed": 1}, "invalid_number"),
        ({"kind": "lightning", "start": START.isoformat(), "duration_seconds": 9, "strength": 1, "seed": 1, "flashes": "3"}, "invalid_integer"),
    ],
)  # fmt: skip
def test_event_from_dict_rejects_bad_json(data: dict[str, object], key: str) -> None:
    with pytest.raises(PlanError) as caught:
        event_from_dict(data)
    assert caught.value.translation_key == key
