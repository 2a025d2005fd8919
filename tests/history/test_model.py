"""Readings refuse what no store could keep; bucket widths never give more buckets than asked."""

from __future__ import annotations

from datetime import timedelta
import math

import pytest

from custom_components.bellas_reef.history import Reading, SQLiteStore, bucket_width

from .helpers import T0


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_reading_must_be_finite(value: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        Reading(T0, "display", "probe_ph", "ph", value)


def test_a_reading_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Reading(T0.replace(tzinfo=None), "display", "probe_ph", "ph", 8.1)


@pytest.mark.parametrize(
    ("span", "count", "width"),
    [
        (timedelta(days=30), 500, timedelta(seconds=5184)),
        (timedelta(seconds=10), 3, timedelta(seconds=3, microseconds=333334)),
        (timedelta(microseconds=2), 500, timedelta(microseconds=1)),
    ],
)
def test_bucket_width_rounds_up_to_whole_microseconds(span: timedelta, count: int, width: timedelta) -> None:
    assert bucket_width(T0, T0 + span, count) == width


@pytest.mark.parametrize("prefix", ["", "Upper_", "1st_", "bad-name_", "x" * 31, 'a"; DROP TABLE x; --'])
def test_table_prefixes_must_be_plain_identifiers(prefix: str) -> None:
    with pytest.raises(ValueError, match="table prefix"):
        SQLiteStore("unused.db", table_prefix=prefix)
