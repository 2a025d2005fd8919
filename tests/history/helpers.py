"""Readings and store doubles shared by the history tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import count

from custom_components.bellas_reef.history import (
    Bucket,
    Reading,
    ReadingsStore,
    StoreError,
    plan_query,
)
from custom_components.bellas_reef.history.model import slot_of

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def series(
    count: int,
    *,
    start: datetime = T0,
    step: timedelta = timedelta(seconds=1),
    controller: str = "display",
    source: str = "probe_temperature",
    metric: str = "temperature",
    first_value: float = 0.0,
) -> list[Reading]:
    """Readings at a fixed step whose value is their position, so each one can be recognised."""
    return [Reading(start + step * i, controller, source, metric, first_value + i) for i in range(count)]


async def stored_values(
    store: ReadingsStore,
    rows: Sequence[Reading],
    *,
    step: timedelta = timedelta(seconds=1),
) -> list[float]:
    """Every stored value of a series written at `step`, one bucket per reading slot.

    A bucket holding two readings (a duplicate) shows up twice in the result, a missing reading not at all.
    """
    first = rows[0]
    slots = len(rows)
    buckets = await store.query(
        first.controller,
        first.source,
        first.metric,
        start=first.time,
        end=first.time + step * slots,
        buckets=slots,
    )
    values: list[float] = []
    for bucket in buckets:
        values += [bucket.min] * (bucket.count - 1) + [bucket.max]
    return values


def aggregate_in_python(
    rows: Sequence[Reading], start: datetime, end: datetime, buckets: int
) -> list[tuple[datetime, datetime, float, float, int]]:
    """What a query over these rows must answer, bucket by bucket: bounds, min, max and count."""
    plan = plan_query(start, end, buckets)
    found: dict[int, list[float]] = {}
    for row in rows:
        if start <= row.time < end:
            found.setdefault((row.time - plan.origin) // plan.width, []).append(row.value)
    return [
        (*plan.bucket(index), min(values), max(values), len(values))
        for index, values in sorted(found.items())
    ]


async def assert_rollups_match(store: ReadingsStore, rows: Sequence[Reading]) -> None:
    """A day's chart answered from five-minute rollups holds every reading of the rows once, no more."""
    first = rows[0]
    start = slot_of(min(row.time for row in rows), timedelta(hours=1))
    end = start + timedelta(days=1)
    assert plan_query(start, end, 24).resolution == timedelta(minutes=5)
    buckets = await store.query(
        first.controller, first.source, first.metric, start=start, end=end, buckets=24
    )
    assert [(b.start, b.end, b.min, b.max, b.count) for b in buckets] == aggregate_in_python(
        rows, start, end, 24
    )
    assert sum(b.count for b in buckets) == len(rows)


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Poll until the condition holds; fail the test after `within` seconds."""
    async with asyncio.timeout(within):
        for _ in count():
            if condition():
                return
            await asyncio.sleep(0.005)


class FlakyStore:
    """A real store behind a switch: failing, committing but reporting a failure, or hanging."""

    def __init__(self, inner: ReadingsStore) -> None:
        self.inner = inner
        self.failing = False
        self.commit_then_fail = False
        self.hang = False
        self.error: Exception = StoreError("database is down")
        self.attempts: list[str] = []
        self.written: list[str] = []
        self.written_values: list[float] = []

    async def open(self) -> None:
        await self.inner.open()

    async def write_batch(self, batch_id: str, rows: Sequence[Reading]) -> bool:
        self.attempts.append(batch_id)
        if self.hang:
            await asyncio.Event().wait()
        if self.failing:
            raise self.error
        written = await self.inner.write_batch(batch_id, rows)
        if written:
            self.written.append(batch_id)
            self.written_values += [row.value for row in rows]
        if self.commit_then_fail:
            raise StoreError("connection lost before the commit was acknowledged")
        return written

    async def query(
        self, controller: str, source: str, metric: str, *, start: datetime, end: datetime, buckets: int
    ) -> list[Bucket]:
        return await self.inner.query(controller, source, metric, start=start, end=end, buckets=buckets)

    async def prune(self, older_than: datetime, rollups_older_than: datetime | None = None) -> int:
        return await self.inner.prune(older_than, rollups_older_than)

    async def remove_controller(self, controller: str) -> int:
        return await self.inner.remove_controller(controller)

    async def close(self) -> None:
        await self.inner.close()
