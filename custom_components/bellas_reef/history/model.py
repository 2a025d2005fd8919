"""Values and errors shared by the readings stores, the spool and the buffered writer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import math
import re

_TABLE_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,29}")
_MICROSECOND = timedelta(microseconds=1)


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
