"""Cost of evaluating one lighting channel: a full plan (daylight, every layer, a running storm) vs a static one.

The HA layer evaluates up to 64 channels at 20 Hz while effects run, so the share of one core that takes is
the figure that matters on a Raspberry Pi. Each case is timed over consecutive 50 ms ticks after one warm-up
call (which fills the per-day sun and moon caches), best of several rounds.
Run: scripts/run python bench/bench_lighting.py
"""

import datetime as dt
from pathlib import Path
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from custom_components.bellas_reef.lighting import ChannelPlan, LightingContext

# Run as a plain script from the repository root: make the integration importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TICKS = 20_000
ROUNDS = 5
CHANNELS = 64
RATE_HZ = 20


def microseconds_per_evaluate(plan: ChannelPlan, context: LightingContext, start: dt.datetime) -> float:
    from custom_components.bellas_reef.lighting import evaluate

    evaluate(plan, start, context)
    tick = dt.timedelta(milliseconds=50)
    moments = [start + tick * index for index in range(TICKS)]
    best = float("inf")
    for _ in range(ROUNDS):
        began = time.perf_counter()
        for moment in moments:
            evaluate(plan, moment, context)
        best = min(best, time.perf_counter() - began)
    return best / TICKS * 1e6


def main() -> None:
    from custom_components.bellas_reef.lighting import (
        Acclimation,
        ChannelPlan,
        Daylight,
        LightingContext,
        Lunar,
        Moonlight,
        Place,
        Static,
        Storm,
        preview,
    )

    context = LightingContext(Place(52.37, 4.90, "Europe/Amsterdam"))
    start = dt.datetime(2026, 6, 21, 21, 30, tzinfo=context.place.tzinfo)
    baseline = ChannelPlan(Static(0.5))
    full = ChannelPlan(
        Daylight(peak=0.9, shape="bell"),
        layers=(
            Acclimation(dt.date(2026, 6, 1), 30, 0.3),
            Lunar(0.03),
            Moonlight(0.0005, dt.time(21), dt.time(6)),
        ),
        events=(Storm(start - dt.timedelta(minutes=1), 3600, strength=0.7, seed=1),),
        position=0.5,
    )
    static_us = microseconds_per_evaluate(baseline, context, start)
    full_us = microseconds_per_evaluate(full, context, start)
    began = time.perf_counter()
    preview(full, start.date(), context)
    preview_ms = (time.perf_counter() - began) * 1e3

    ticks_per_second = CHANNELS * RATE_HZ
    print(f"{'plan':<44} {'µs/evaluate':>12} {'vs static':>10} {'64 ch @ 20 Hz':>14}")
    for name, micros in (("static", static_us), ("daylight + 3 layers + storm", full_us)):
        share = micros * ticks_per_second / 1e6
        print(f"{name:<44} {micros:>12.1f} {micros / static_us:>9.1f}x {share:>13.1%}")
    print(f"preview of one day (1440 points, full plan): {preview_ms:.0f} ms")


if __name__ == "__main__":
    main()
