"""Readings history benchmark: write throughput, chart queries, and the rows a demo tank writes a day.

Run on the throw-away server: scripts/run --postgres python bench/bench_history.py

Write path: rows per second through BufferedWriter + PostgresStore (batches, binary COPY) against one
INSERT and one COMMIT per reading. Charts: 30 days of one probe every 10 s (259,200 rows) and a year of it
every minute (525,600 rows), each for a chart of 500 points. Our stores answer from their rollups; the same
query over the raw rows (how the store answered before rollups) runs beside them on the same tables. Home
Assistant's recorder, holding the same readings as states of sensor.water_temperature in its own database on
the same server, answers with what its history and statistics APIs give a dashboard for the same chart: every
state, or five-minute / hourly statistics (see recorder_contender). Each part is a list of contenders; add one
by appending a factory. Rows a day: the demo tank's sources (bench/demo_day.py) through the recorder's rules
before (every poll a row) and after (deadbands and heartbeats).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
import os
from pathlib import Path
import statistics
import sys
import tempfile
import threading
import time
from typing import Any, Protocol
from uuid import uuid4

import psycopg
from psycopg import sql

# Run as a plain script from the repository root: make the integration importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo_day import rows_a_day
from bench.recorder_contender import Chart, ChartQuery, RecorderContender
from custom_components.bellas_reef.history import (
    BufferedWriter,
    Reading,
    ReadingsStore,
    Spool,
    SQLiteStore,
    bucket_width,
)
from custom_components.bellas_reef.history.postgres import PostgresStore

WRITE_ROWS_BUFFERED = 50_000
WRITE_ROWS_PER_READING = 5_000
# (title, days, step between readings, first reading). Every chart ends in the past: Home Assistant's recorder
# compiles statistics of the current period by itself, and would compile the benchmark's states again.
CHARTS = (
    ("30-day chart", 30, timedelta(seconds=10), datetime(2026, 1, 1, tzinfo=UTC)),
    ("1-year chart", 365, timedelta(minutes=1), datetime(2025, 1, 1, tzinfo=UTC)),
)
QUERY_BUCKETS = 500
RECORDER_BASELINES = ("HA statistics, 5-minute", "HA history, as a dashboard asks")
QUERY_REPEATS = 7
START = datetime(2026, 1, 1, tzinfo=UTC)


def readings(
    count: int,
    *,
    step: timedelta = timedelta(seconds=1),
    source: str = "probe_temperature",
    metric: str = "temperature",
    start: datetime = START,
) -> list[Reading]:
    return [Reading(start + step * i, "bench", source, metric, 25.0 + (i % 600) / 100) for i in range(count)]


class WriteContender(Protocol):
    """Stores every row before `write` returns."""

    name: str
    rows: int

    async def write(self, rows: Sequence[Reading]) -> None: ...
    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Servers:
    """The throw-away PostgreSQL server as the application role and as its superuser."""

    dsn: str
    admin_dsn: str


class QueryContender(Protocol):
    """Holds the rows of one probe and answers one or more chart queries over them."""

    name: str

    async def load(self, rows: Sequence[Reading]) -> None: ...
    def queries(self) -> dict[str, ChartQuery]: ...
    async def close(self) -> None: ...


async def drop_tables(dsn: str, prefix: str) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            sql.SQL("DROP TABLE IF EXISTS {}, {}, {}").format(
                sql.Identifier(f"{prefix}readings"),
                sql.Identifier(f"{prefix}batches"),
                sql.Identifier(f"{prefix}rollups"),
            )
        )


class BufferedPostgres:
    name = "BufferedWriter + PostgresStore (COPY)"
    rows = WRITE_ROWS_BUFFERED

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._prefix = f"bench_{uuid4().hex[:8]}_"
        self._store = PostgresStore(dsn, table_prefix=self._prefix)
        self._directory = tempfile.TemporaryDirectory()

    async def write(self, rows: Sequence[Reading]) -> None:
        await self._store.open()
        writer = BufferedWriter(
            self._store, Spool(Path(self._directory.name) / "bench.spool"), flush_interval=1.0
        )
        await writer.start()
        for reading in rows:
            writer.add(reading)
        await writer.stop()
        assert writer.backlog == 0

    async def close(self) -> None:
        await self._store.close()
        await drop_tables(self._dsn, self._prefix)
        self._directory.cleanup()


class InsertPerReading:
    name = "INSERT + COMMIT per reading"
    rows = WRITE_ROWS_PER_READING

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._table = sql.Identifier(f"bench_{uuid4().hex[:8]}_single")

    async def write(self, rows: Sequence[Reading]) -> None:
        async with await psycopg.AsyncConnection.connect(self._dsn) as connection:
            await connection.execute(
                sql.SQL(
                    "CREATE TABLE {} (time timestamptz NOT NULL, controller text NOT NULL, source text NOT NULL, "
                    "metric text NOT NULL, value double precision NOT NULL)"
                ).format(self._table)
            )
            await connection.commit()
            insert = sql.SQL(
                "INSERT INTO {} (time, controller, source, metric, value) VALUES (%s, %s, %s, %s, %s)"
            )
            for row in rows:
                await connection.execute(
                    insert.format(self._table), (row.time, row.controller, row.source, row.metric, row.value)
                )
                await connection.commit()

    async def close(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as connection:
            await connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._table))


class StoreQuery:
    """Any ReadingsStore as a query contender."""

    def __init__(self, name: str, store: ReadingsStore, cleanup: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self._store = store
        self._cleanup = cleanup

    async def load(self, rows: Sequence[Reading]) -> None:
        for first in range(0, len(rows), 10_000):
            await self._store.write_batch(uuid4().hex, rows[first : first + 10_000])

    def queries(self) -> dict[str, ChartQuery]:
        return {f"{self.name}, rollups": self._query}

    async def _query(self, start: datetime, end: datetime, buckets: int) -> Callable[[], Chart]:
        found = await self._store.query(
            "bench", "probe_temperature", "temperature", start=start, end=end, buckets=buckets
        )

        def chart() -> Chart:
            readings = sum(bucket.count for bucket in found)
            return Chart(len(found), readings, sum(bucket.avg * bucket.count for bucket in found) / readings)

        return chart

    async def close(self) -> None:
        await self._store.close()
        await self._cleanup()


class PostgresQuery(StoreQuery):
    """PostgresStore, and beside it the raw-row query it ran before rollups, on the same tables."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._prefix = f"bench_{uuid4().hex[:8]}_"
        self._connection: psycopg.AsyncConnection[tuple[Any, ...]] | None = None
        super().__init__("PostgresStore", PostgresStore(dsn, table_prefix=self._prefix), self._drop)

    async def _drop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        await drop_tables(self._dsn, self._prefix)

    def queries(self) -> dict[str, ChartQuery]:
        return {**super().queries(), "PostgresStore, raw rows (before rollups)": self._raw}

    async def _raw(self, start: datetime, end: datetime, buckets: int) -> Callable[[], Chart]:
        width = bucket_width(start, end, buckets)
        if self._connection is None:
            self._connection = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        cursor = await self._connection.execute(
            sql.SQL(
                "SELECT date_bin(%s, time, %s) AS bucket, avg(value), count(*) FROM {} "
                "WHERE controller = %s AND source = %s AND metric = %s AND time >= %s AND time < %s "
                "GROUP BY bucket ORDER BY bucket"
            ).format(sql.Identifier(f"{self._prefix}readings")),
            (width, start, "bench", "probe_temperature", "temperature", start, end),
        )
        found = await cursor.fetchall()

        def chart() -> Chart:
            readings = sum(count for _, _, count in found)
            return Chart(len(found), readings, sum(avg * count for _, avg, count in found) / readings)

        return chart


def postgres_query(servers: Servers) -> StoreQuery:
    return PostgresQuery(servers.dsn)


def sqlite_query(_servers: Servers) -> StoreQuery:
    directory = tempfile.TemporaryDirectory()

    async def cleanup() -> None:
        directory.cleanup()

    return StoreQuery("SQLiteStore", SQLiteStore(Path(directory.name) / "bench.db"), cleanup)


WRITE_CONTENDERS: list[Callable[[str], WriteContender]] = [BufferedPostgres, InsertPerReading]


def recorder_query(servers: Servers) -> RecorderContender:
    return RecorderContender(servers.admin_dsn)


QUERY_CONTENDERS: list[Callable[[Servers], QueryContender]] = [postgres_query, sqlite_query, recorder_query]


async def bench_writes(dsn: str) -> list[tuple[str, int, float]]:
    results = []
    for factory in WRITE_CONTENDERS:
        contender = factory(dsn)
        rows = readings(contender.rows)
        try:
            began = time.perf_counter()
            await contender.write(rows)
            results.append((contender.name, len(rows), time.perf_counter() - began))
        finally:
            await contender.close()
    return results


async def bench_queries(
    servers: Servers, days: int, step: timedelta, start: datetime
) -> list[tuple[str, Chart, float, float]]:
    count = int(timedelta(days=days) / step)
    rows = readings(count, step=step, start=start)
    noise = readings(count // 10, step=step * 10, source="probe_ph", metric="ph", start=start)
    end = start + step * count
    mean = statistics.fmean(row.value for row in rows)
    results = []
    for factory in QUERY_CONTENDERS:
        contender = factory(servers)
        try:
            await contender.load([*rows, *noise])
            for name, query in contender.queries().items():
                timings = []
                for _ in range(QUERY_REPEATS):
                    began = time.perf_counter()
                    answer = await query(start, end, QUERY_BUCKETS)
                    timings.append(time.perf_counter() - began)
                    chart = answer()
                    assert chart.readings in {None, count}, (name, chart)
                    # Recorder states hold two decimals, which may move the mean by at most half of 0.01.
                    assert math.isclose(chart.mean, mean, abs_tol=0.005), (name, chart, mean)
                results.append((name, chart, statistics.median(timings), min(timings)))
        finally:
            await contender.close()
    return results


async def main(dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(dsn) as connection:
        cursor = await connection.execute("SHOW server_version")
        version = (await cursor.fetchone() or ("?",))[0]

    writes = await bench_writes(dsn)
    print(f"\nWrite path (PostgreSQL {version})")
    print(f"{'contender':<40} {'rows':>8} {'seconds':>9} {'rows/s':>10}")
    rates = []
    for name, rows, seconds in writes:
        rates.append(rows / seconds)
        print(f"{name:<40} {rows:>8} {seconds:>9.2f} {rows / seconds:>10.0f}")
    print(f"ratio, first to second: {rates[0] / rates[1]:.1f}x")


async def chart(servers: Servers, title: str, days: int, step: timedelta, start: datetime) -> None:
    queries = await bench_queries(servers, days, step, start)
    total = int(timedelta(days=days) / step)
    print(
        f"\n{title} of one probe every {step.seconds} s ({total:,} readings), "
        f"{QUERY_BUCKETS} buckets where the API aggregates"
    )
    ours = queries[0][2]
    print(f"{'contender':<42} {'points':>8} {'median ms':>10} {'best ms':>10} {'x first':>9}")
    for name, found, median, best in queries:
        print(
            f"{name:<42} {found.points:>8} {median * 1000:>10.1f} {best * 1000:>10.1f} {median / ours:>9.1f}"
        )
    medians = {name: median for name, _, median, _ in queries}
    for name in ("PostgresStore, raw rows (before rollups)", *RECORDER_BASELINES):
        print(f"PostgresStore, rollups: {medians[name] / ours:.1f}x faster than {name}")


def rows_per_day() -> None:
    print("\nRows a day written by the demo tank (4 probes every 10 s, 4 outlets every second, 6 channels)")
    print(f"{'source':<42} {'before':>10} {'after':>10}")
    before_total = after_total = 0
    for source, before, after in rows_a_day():
        before_total += before
        after_total += after
        print(f"{source:<42} {before:>10,} {after:>10,}")
    print(f"{'all':<42} {before_total:>10,} {after_total:>10,}  ({before_total / after_total:.0f}x fewer)")


if __name__ == "__main__":
    dsn = os.environ.get("BELLAS_REEF_PG_DSN")
    admin_dsn = os.environ.get("BELLAS_REEF_PG_ADMIN_DSN")
    if not dsn or not admin_dsn:
        sys.exit("BELLAS_REEF_PG_DSN / BELLAS_REEF_PG_ADMIN_DSN are not set: run with scripts/run --postgres")
    asyncio.run(main(dsn))
    # Each chart on an event loop of its own: Home Assistant marks the loop it stopped on as shutting down.
    for title, days, step, start in CHARTS:
        asyncio.run(chart(Servers(dsn, admin_dsn), title, days, step, start))
    rows_per_day()
    # Nothing may outlive the run: Home Assistant's recorder and executor threads must all have stopped.
    left = [thread.name for thread in threading.enumerate() if thread is not threading.main_thread()]
    if left:
        sys.exit(f"threads still running: {left}")
