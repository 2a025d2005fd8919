"""The contract both readings stores keep, run against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
import math
import random

import pytest

from custom_components.bellas_reef.history import (
    Bucket,
    Reading,
    ReadingsStore,
    StoreError,
    bucket_width,
    plan_query,
)

from .helpers import T0, aggregate_in_python, assert_rollups_match, series, stored_values


async def test_every_reading_is_stored_once(store: ReadingsStore) -> None:
    rows = series(120)
    assert await store.write_batch("batch-1", rows) is True
    assert await stored_values(store, rows) == [r.value for r in rows]


async def test_a_replayed_batch_is_written_once(store: ReadingsStore) -> None:
    rows = series(50)
    assert await store.write_batch("batch-1", rows) is True
    assert await store.write_batch("batch-1", rows) is False
    assert await store.write_batch("batch-2", series(50, start=T0 + timedelta(seconds=50), first_value=50))
    assert await stored_values(store, series(100)) == [float(i) for i in range(100)]


async def test_concurrent_writes_of_one_batch_store_it_once(store: ReadingsStore) -> None:
    rows = series(200)
    results = await asyncio.gather(*(store.write_batch("same", rows) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert await stored_values(store, rows) == [r.value for r in rows]


async def test_an_empty_batch_is_remembered(store: ReadingsStore) -> None:
    assert await store.write_batch("empty", []) is True
    assert await store.write_batch("empty", []) is False


async def test_query_keeps_to_its_source_and_half_open_range(store: ReadingsStore) -> None:
    start, end = T0, T0 + timedelta(minutes=1)
    wanted = [
        Reading(start, "display", "probe_ph", "ph", 8.1),
        Reading(end - timedelta(microseconds=1), "display", "probe_ph", "ph", 8.3),
    ]
    others = [
        Reading(start - timedelta(microseconds=1), "display", "probe_ph", "ph", 1.0),
        Reading(end, "display", "probe_ph", "ph", 2.0),
        Reading(start, "frag_tank", "probe_ph", "ph", 3.0),
        Reading(start, "display", "probe_alk", "ph", 4.0),
        Reading(start, "display", "probe_ph", "voltage", 5.0),
    ]
    await store.write_batch("mixed", wanted + others)
    [bucket] = await store.query("display", "probe_ph", "ph", start=start, end=end, buckets=1)
    assert bucket == Bucket(start=start, end=end, avg=bucket.avg, min=8.1, max=8.3, count=2)
    assert math.isclose(bucket.avg, 8.2)


async def test_buckets_match_values_computed_in_python(store: ReadingsStore) -> None:
    randomness = random.Random(20260301)
    rows = [
        Reading(
            T0 + timedelta(microseconds=randomness.randrange(3_600_000_000)),
            "display",
            "probe_temperature",
            "temperature",
            round(randomness.uniform(24.0, 28.0), 3),
        )
        for _ in range(1500)
    ]
    await store.write_batch("random", rows)
    start, end, count = T0 + timedelta(minutes=7, microseconds=3), T0 + timedelta(minutes=53), 37
    width = bucket_width(start, end, count)
    expected: dict[int, list[float]] = {}
    for row in rows:
        if start <= row.time < end:
            expected.setdefault((row.time - start) // width, []).append(row.value)

    buckets = await store.query(
        "display", "probe_temperature", "temperature", start=start, end=end, buckets=count
    )

    assert [b.start for b in buckets] == [start + width * index for index in sorted(expected)]
    for bucket, index in zip(buckets, sorted(expected), strict=True):
        values = expected[index]
        assert bucket.end == min(start + width * (index + 1), end)
        assert bucket.count == len(values)
        assert bucket.min == min(values)
        assert bucket.max == max(values)
        assert math.isclose(bucket.avg, sum(values) / len(values), rel_tol=1e-12)
        assert bucket.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("span", "count"),
    [
        (timedelta(seconds=1), 500),
        (timedelta(seconds=59, microseconds=7), 7),
        (timedelta(hours=1), 1),
        (timedelta(hours=1), 60),
        (timedelta(hours=1, seconds=1), 60),
        (timedelta(microseconds=5), 3),
    ],
)
async def test_never_more_buckets_than_asked(store: ReadingsStore, span: timedelta, count: int) -> None:
    rows = series(3601, step=timedelta(seconds=1))
    rows += series(10, start=T0, step=timedelta(microseconds=1), first_value=10_000)
    await store.write_batch("dense", rows)
    end = T0 + span
    buckets = await store.query(
        "display", "probe_temperature", "temperature", start=T0, end=end, buckets=count
    )
    assert 0 < len(buckets) <= count
    assert sum(b.count for b in buckets) == sum(1 for r in rows if T0 <= r.time < end)
    assert buckets[-1].end <= end


async def test_times_in_any_zone_are_the_same_instants(store: ReadingsStore) -> None:
    eastern = timezone(timedelta(hours=-5))
    await store.write_batch("zoned", [Reading(T0.astimezone(eastern), "display", "probe_ph", "ph", 8.0)])
    [bucket] = await store.query(
        "display", "probe_ph", "ph", start=T0.astimezone(eastern), end=T0 + timedelta(hours=1), buckets=4
    )
    assert (bucket.start, bucket.count) == (T0, 1)
    assert bucket.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (T0.replace(tzinfo=None), T0 + timedelta(hours=1), 10),
        (T0, (T0 + timedelta(hours=1)).replace(tzinfo=None), 10),
        (T0, T0 + timedelta(hours=1), 0),
        (T0, T0, 10),
        (T0 + timedelta(hours=1), T0, 10),
    ],
)
async def test_bad_query_ranges_are_refused(
    store: ReadingsStore, start: datetime, end: datetime, count: int
) -> None:
    with pytest.raises(ValueError, match="must"):
        await store.query("display", "probe_ph", "ph", start=start, end=end, buckets=count)


async def test_prune_keeps_only_recent_readings(store: ReadingsStore) -> None:
    rows = series(100, step=timedelta(hours=1))
    await store.write_batch("hourly", rows)
    cutoff = T0 + timedelta(hours=60)
    five_days = {"start": T0, "end": T0 + timedelta(days=5), "buckets": 1}
    assert await store.prune(cutoff) == 60
    buckets = await store.query("display", "probe_temperature", "temperature", **five_days)
    assert [(b.count, b.min, b.max) for b in buckets] == [(100, 0.0, 99.0)]
    assert await store.prune(cutoff, rollups_older_than=cutoff) == 0
    buckets = await store.query("display", "probe_temperature", "temperature", **five_days)
    assert [(b.count, b.min, b.max) for b in buckets] == [(40, 60.0, 99.0)]


async def test_prune_keeps_batch_ids_of_recent_writes(store: ReadingsStore) -> None:
    rows = series(10)
    await store.write_batch("recent", rows)
    await store.prune(datetime.now(UTC) - timedelta(days=1))
    assert await store.write_batch("recent", rows) is False
    await store.prune(datetime.now(UTC) + timedelta(days=1))
    assert await store.write_batch("recent", rows) is True


async def test_readings_outlive_the_store_object(store_factory: Callable[[], ReadingsStore]) -> None:
    first = store_factory()
    rows = series(30)
    await first.write_batch("kept", rows)
    await first.close()
    second = store_factory()
    try:
        await second.open()
        await second.open()
        assert await second.write_batch("kept", rows) is False
        assert await stored_values(second, rows) == [r.value for r in rows]
    finally:
        await second.close()


async def test_a_closed_store_refuses_work(store_factory: Callable[[], ReadingsStore]) -> None:
    closed = store_factory()
    await closed.open()
    await closed.close()
    await closed.close()
    with pytest.raises(StoreError, match="closed"):
        await closed.write_batch("late", series(1))
    with pytest.raises(StoreError, match="closed"):
        await closed.open()


def _scattered(count: int, span: timedelta, seed: int, source: str = "probe_temperature") -> list[Reading]:
    """Readings at random instants (to the microsecond) over a span, with random values."""
    randomness = random.Random(seed)
    micros = span // timedelta(microseconds=1)
    return [
        Reading(
            T0 + timedelta(microseconds=randomness.randrange(micros)),
            "display",
            source,
            "temperature",
            round(randomness.uniform(24.0, 28.0), 3),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize(
    ("offset", "span", "count", "resolution"),
    [
        (timedelta(seconds=1, microseconds=3), timedelta(hours=1), 10, timedelta(minutes=1)),
        (timedelta(minutes=7, microseconds=3), timedelta(days=2), 40, timedelta(minutes=5)),
        (timedelta(minutes=59, seconds=13), timedelta(days=2, hours=23), 12, timedelta(hours=1)),
        (timedelta(0), timedelta(days=1), 24, timedelta(minutes=5)),
        (timedelta(hours=5), timedelta(hours=19), 19, timedelta(minutes=5)),
    ],
)
async def test_wide_buckets_from_rollups_match_the_rows(
    store: ReadingsStore, offset: timedelta, span: timedelta, count: int, resolution: timedelta
) -> None:
    """Rollups answer wide buckets exactly as raw rows would, ends of the range included, in any batching."""
    rows = _scattered(4000, timedelta(days=3), seed=int(span.total_seconds()))
    rows += _scattered(200, timedelta(days=3), seed=1, source="probe_elsewhere")
    for first in range(0, len(rows), 700):
        await store.write_batch(f"batch-{first}", rows[first : first + 700])
    start = T0 + offset
    end = start + span
    assert plan_query(start, end, count).resolution == resolution

    buckets = await store.query(
        "display", "probe_temperature", "temperature", start=start, end=end, buckets=count
    )

    expected = aggregate_in_python([r for r in rows if r.source == "probe_temperature"], start, end, count)
    assert [(b.start, b.end, b.min, b.max, b.count) for b in buckets] == expected
    assert 0.8 * count <= len(buckets) <= count
    assert buckets[0].start >= start
    assert buckets[-1].end <= end
    assert all(b.start.tzinfo is UTC and b.end.tzinfo is UTC for b in buckets)
    for bucket in buckets:
        values = [
            r.value for r in rows if bucket.start <= r.time < bucket.end and r.source == "probe_temperature"
        ]
        assert math.isclose(bucket.avg, sum(values) / len(values), rel_tol=1e-9)


async def test_rollups_outlive_pruned_rows(store: ReadingsStore) -> None:
    """Raw rows go first; the rollups still chart their days, until their own cutoff."""
    rows = series(3 * 24 * 60, step=timedelta(minutes=1))
    await store.write_batch("three days", rows)
    end = T0 + timedelta(days=3)
    before = await store.query("display", "probe_temperature", "temperature", start=T0, end=end, buckets=3)

    assert await store.prune(end) == len(rows)

    after = await store.query("display", "probe_temperature", "temperature", start=T0, end=end, buckets=3)
    assert after == before
    assert [b.count for b in after] == [1440] * 3
    fine = await store.query(
        "display", "probe_temperature", "temperature", start=T0, end=end, buckets=3 * 24 * 60
    )
    assert fine == []
    await store.prune(end, rollups_older_than=T0 + timedelta(days=2))
    kept = await store.query("display", "probe_temperature", "temperature", start=T0, end=end, buckets=3)
    assert [(b.start, b.count) for b in kept] == [(T0 + timedelta(days=2), 1440)]


async def test_replayed_and_concurrent_batches_count_once_in_rollups(store: ReadingsStore) -> None:
    rows = series(600, step=timedelta(seconds=7))
    assert await store.write_batch("once", rows[:300])
    assert await store.write_batch("once", rows[:300]) is False
    results = await asyncio.gather(*(store.write_batch("twice", rows[300:]) for _ in range(3)))
    assert sorted(results) == [False, False, True]
    await assert_rollups_match(store, rows)


async def test_removing_a_controller_leaves_the_others(store: ReadingsStore) -> None:
    display = series(300, step=timedelta(minutes=1))
    frag = series(200, step=timedelta(minutes=1), controller="frag_tank")
    await store.write_batch("both", display + frag)
    assert await store.remove_controller("display") == 300
    day = {"start": T0, "end": T0 + timedelta(days=1), "buckets": 4}
    assert await store.query("display", "probe_temperature", "temperature", **day) == []
    assert (
        await store.query(
            "display", "probe_temperature", "temperature", start=T0, end=T0 + timedelta(hours=1), buckets=60
        )
        == []
    )
    await assert_rollups_match(store, frag)
