"""Readings and store doubles shared by the history tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import count

from custom_components.bellas_reef.history import Bucket, Reading, ReadingsStore, StoreError

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

    async def prune(self, older_than: datetime) -> int:
        return await self.inner.prune(older_than)

    async def close(self) -> None:
        await self.inner.close()
