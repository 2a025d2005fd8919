"""Cost of evaluating one lighting channel per tick: compiled days against the reference engine and the seed's method.

The HA layer evaluates up to 64 channels at 20 Hz while effects run, so the cost of one channel-tick is the figure
that matters on a Raspberry Pi. Three ways to get a level, timed in one run over consecutive 50 ms ticks after a
warm-up call (which fills the per-day caches and compiles the day), best of several rounds:

- the seed's method: astral's ``sun()`` recomputed on every evaluation, then a sine from sunrise to sunset;
- the reference engine, ``evaluate(plan, now, context)``, which works out every stage from the plan each tick;
- compiled days, ``Evaluator().evaluate(plan, now, context)``, what the lighting coordinator calls.

Run: scripts/run python bench/bench_lighting.py
"""

from __future__ import annotations

from collections.abc import Callable
import datetime as dt
import math
from pathlib import Path
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from custom_components.bellas_reef.lighting import ChannelPlan, LightingContext

# Run as a plain script from the repository root: make the integration importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TICKS = 20_000
SEED_TICKS = 2_000
ROUNDS = 5
CHANNELS = 64
RATE_HZ = 20
TICK = dt.timedelta(milliseconds=50)


def microseconds_per_call(
    call: Callable[[dt.datetime], object], start: dt.datetime, ticks: int = TICKS
) -> float:
    """Best time of one call over ``ticks`` consecutive 50 ms ticks from ``start``."""
    call(start)
    moments = [start + TICK * index for index in range(ticks)]
    best = math.inf
    for _ in range(ROUNDS):
        began = time.perf_counter()
        for moment in moments:
            call(moment)
        best = min(best, time.perf_counter() - began)
    return best / ticks * 1e6


def seed_daylight(
    latitude: float, longitude: float, time_zone: str, peak: float
) -> Callable[[dt.datetime], float]:
    """The seed backend's daylight: astral's sun() for the day on every call, then a sine from sunrise to sunset."""
    from zoneinfo import ZoneInfo

    from astral import Observer
    from astral.sun import sun

    observer = Observer(latitude, longitude)
    tz = ZoneInfo(time_zone)

    def level(now: dt.datetime) -> float:
        times = sun(observer, date=now.astimezone(tz).date(), tzinfo=tz)
        sunrise, sunset = times["sunrise"], times["sunset"]
        if not sunrise <= now < sunset:
            return 0.0
        return peak * math.sin(math.pi * (now - sunrise) / (sunset - sunrise))

    return level


def engines(plan: ChannelPlan, context: LightingContext) -> tuple[Callable[[dt.datetime], object], ...]:
    """The reference engine and a fresh compiled evaluator, each bound to one plan and context."""
    from custom_components.bellas_reef.lighting import Evaluator, evaluate

    evaluator = Evaluator()
    return (
        lambda now: evaluate(plan, now, context),
        lambda now: evaluator.evaluate(plan, now, context),
    )


def main() -> None:
    from custom_components.bellas_reef.lighting import (
        Acclimation,
        ChannelPlan,
        Daylight,
        Evaluator,
        LightingContext,
        Lunar,
        Moonlight,
        Place,
        Static,
        Storm,
        compile_days,
        preview,
    )
    from custom_components.bellas_reef.lighting.compiled import compile_day

    place = Place(52.37, 4.90, "Europe/Amsterdam")
    context = LightingContext(place)
    # Ticks in UTC, as the coordinator hands them over.
    morning = dt.datetime(2026, 6, 21, 10, 0, tzinfo=place.tzinfo).astimezone(dt.UTC)
    evening = dt.datetime(2026, 6, 21, 21, 30, tzinfo=place.tzinfo).astimezone(dt.UTC)
    daylight = ChannelPlan(Daylight(peak=0.9))
    static = ChannelPlan(Static(0.5))
    full = ChannelPlan(
        Daylight(peak=0.9, shape="bell"),
        layers=(
            Acclimation(dt.date(2026, 6, 1), 30, 0.3),
            Lunar(0.03),
            Moonlight(0.0005, dt.time(21), dt.time(6)),
        ),
        events=(Storm(evening - dt.timedelta(minutes=1), 3600, strength=0.7, seed=1),),
        position=0.5,
    )

    seed_us = microseconds_per_call(
        seed_daylight(place.latitude, place.longitude, place.time_zone, 0.9), morning, SEED_TICKS
    )
    rows: list[tuple[str, float, float, float]] = []
    for name, plan, start in (
        ("daylight (sine), by day", daylight, morning),
        ("daylight + 3 layers + a storm", full, evening),
        ("static", static, evening),
    ):
        reference, compiled = engines(plan, context)
        rows.append(
            (name, seed_us, microseconds_per_call(reference, start), microseconds_per_call(compiled, start))
        )

    began = time.perf_counter()
    compile_day(full.program, full.layers, dt.date(2026, 6, 22), context)
    compile_ms = (time.perf_counter() - began) * 1e3
    began = time.perf_counter()
    preview(full, dt.date(2026, 6, 21), context)
    preview_ms = (time.perf_counter() - began) * 1e3
    # The first tick of a new day, six distinct plans: compiled on the tick (as before) or ahead in a worker thread.
    midnight = dt.datetime(2026, 6, 22, 0, 0, 0, 1000, tzinfo=place.tzinfo).astimezone(dt.UTC)
    plans = [ChannelPlan(Daylight(peak=0.5 + 0.08 * index), layers=full.layers) for index in range(6)]
    on_tick = Evaluator()
    began = time.perf_counter()
    for plan in plans:
        on_tick.evaluate(plan, midnight, context)
    on_tick_ms = (time.perf_counter() - began) * 1e3
    ahead = Evaluator()
    ahead.add_days(compile_days(ahead.days_to_compile(plans, midnight.timestamp(), context), context), 0.0)
    began = time.perf_counter()
    for plan in plans:
        ahead.evaluate(plan, midnight, context)
    ahead_ms = (time.perf_counter() - began) * 1e3

    print(f"seed method (astral sun() per evaluation + sine): {seed_us:.1f} µs per daylight evaluation")
    print()
    print(
        f"{'plan':<32} {'reference µs':>13} {'compiled µs':>12} {'speed-up':>9} {'vs seed':>8} {'64 ch @ 20 Hz':>14}"
    )
    for name, seed, reference_us, compiled_us in rows:
        share = compiled_us * CHANNELS * RATE_HZ / 1e6
        print(
            f"{name:<32} {reference_us:>13.2f} {compiled_us:>12.2f} {reference_us / compiled_us:>8.1f}x"
            f" {seed / compiled_us:>7.1f}x {share:>13.2%}"
        )
    print()
    print(f"compiling one day of the full plan: {compile_ms:.1f} ms (once a day and on every change)")
    print(f"preview of one day (1440 points, full plan, reference engine): {preview_ms:.0f} ms")
    print(
        f"first tick after local midnight, 6 plans, on the event loop: {on_tick_ms:.1f} ms compiling on the tick,"
        f" {ahead_ms:.2f} ms with the day compiled ahead ({on_tick_ms / ahead_ms:.0f}x)"
    )


if __name__ == "__main__":
    main()
