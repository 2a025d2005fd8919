"""Values and errors shared by the readings stores, the spool and the buffered writer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
import re
from typing import Final

_TABLE_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,29}")
_MICROSECOND = timedelta(microseconds=1)
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# Rollup resolutions, coarsest first. Each slot starts at a whole multiple of its resolution since the epoch.
ROLLUP_RESOLUTIONS: Final = (timedelta(hours=1), timedelta(minutes=5), timedelta(minutes=1))
# A rollup answers a query only when at least this many of its slots fit in one bucket, so rounding the bucket
# width up to whole slots costs at most a fifth of the buckets asked for.
_SLOTS_PER_BUCKET: Final = 4


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of one probe, channel or outlet at one instant, as it is stored."""

    time: datetime
    controller: str
    source: str
    metric: str
    value: float

    def __post_init__(self) -> None:
        """Refuse values a store could not keep faithfully (naive times, NaN, infinities)."""
        if self.time.utcoffset() is None:
            raise ValueError(f"reading time must be timezone-aware: {self.time!r}")
        if not math.isfinite(self.value):
            raise ValueError(f"reading value must be finite: {self.value!r}")


@dataclass(frozen=True, slots=True)
class Bucket:
    """Aggregate of the readings whose time falls in [start, end)."""

    start: datetime
    end: datetime
    avg: float
    min: float
    max: float
    count: int


@dataclass(frozen=True, slots=True)
class Rollup:
    """Sum, minimum, maximum and count of one source's readings in one slot of one resolution."""

    controller: str
    source: str
    metric: str
    resolution: timedelta
    slot: datetime
    total: float
    low: float
    high: float
    count: int


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """How a store answers one chart query: which rows feed it and where its buckets fall.

    Buckets lie on a grid from `origin`, `width` apart. With a rollup resolution the grid and the width are
    whole slots, rollups cover [inner_start, inner_end) and raw readings only the partial slots at either end;
    without one, raw readings cover everything and the grid starts at the start of the range.
    """

    start: datetime
    end: datetime
    origin: datetime
    width: timedelta
    resolution: timedelta | None
    inner_start: datetime
    inner_end: datetime

    def bucket(self, index: int) -> tuple[datetime, datetime]:
        """Bounds of the bucket at that grid index, clipped to the range asked for, in UTC."""
        low = self.origin + self.width * index
        return max(low, self.start).astimezone(UTC), min(low + self.width, self.end).astimezone(UTC)


class HistoryError(Exception):
    """Base of every error this package raises."""


class StoreError(HistoryError):
    """A store operation failed; the message never holds a password."""


def bucket_width(start: datetime, end: datetime, buckets: int) -> timedelta:
    """Width that splits [start, end) into at most `buckets` buckets (whole microseconds, rounded up)."""
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("query range must use timezone-aware times")
    if buckets < 1:
        raise ValueError(f"buckets must be at least 1, not {buckets}")
    if end <= start:
        raise ValueError("query range must end after it starts")
    span = (end - start) // _MICROSECOND
    return _MICROSECOND * -(-span // buckets)


def check_table_prefix(prefix: str) -> str:
    """Accept only prefixes that are safe, unquoted SQL identifiers short enough for index names."""
    if not _TABLE_PREFIX.fullmatch(prefix):
        raise ValueError(f"table prefix must match {_TABLE_PREFIX.pattern}: {prefix!r}")
    return prefix


def slot_of(moment: datetime, resolution: timedelta) -> datetime:
    """Start of the rollup slot holding that instant."""
    return EPOCH + (moment - EPOCH) // resolution * resolution


def plan_query(start: datetime, end: datetime, buckets: int) -> QueryPlan:
    """Pick the coarsest rollup that still gives about the buckets asked for, never more of them."""
    width = bucket_width(start, end, buckets)
    for resolution in ROLLUP_RESOLUTIONS:
        if resolution * _SLOTS_PER_BUCKET > width:
            continue
        origin = slot_of(start, resolution)
        slots = -(-width // resolution)
        while -(-(end - origin) // (resolution * slots)) > buckets:
            slots += 1
        inner_start = slot_of(start - _MICROSECOND, resolution) + resolution
        return QueryPlan(
            start, end, origin, resolution * slots, resolution, inner_start, slot_of(end, resolution)
        )
    return QueryPlan(start, end, start, width, None, end, end)


def rollups_of(rows: Iterable[Reading]) -> list[Rollup]:
    """Every resolution's slots the rows fall in, each aggregated once, in key order.

    Writers upsert them in this order, so two writers never wait on each other's rows in opposite orders.
    """
    slots: dict[tuple[str, str, str, timedelta, datetime], list[float]] = {}
    for row in rows:
        for resolution in ROLLUP_RESOLUTIONS:
            key = (row.controller, row.source, row.metric, resolution, slot_of(row.time, resolution))
            if (found := slots.get(key)) is None:
                slots[key] = [row.value, row.value, row.value, 1]
            else:
                found[0] += row.value
                found[1] = min(found[1], row.value)
                found[2] = max(found[2], row.value)
                found[3] += 1
    return [
        Rollup(*key, total=total, low=low, high=high, count=int(count))
        for key, (total, low, high, count) in sorted(slots.items())
    ]
