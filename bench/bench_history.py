"""Readings history benchmark: write throughput and a 30-day aggregated query.

Run on the throw-away server: scripts/run --postgres python bench/bench_history.py

Write path: rows per second through BufferedWriter + PostgresStore (batches, binary COPY) against one
INSERT and one COMMIT per reading. Query: 30 days of one probe every 10 s (259,200 rows) aggregated to 500
buckets. Each part is a list of contenders; add one (e.g. HA's recorder) by appending a factory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import statistics
import sys
import tempfile
import time
from typing import Protocol
from uuid import uuid4

import psycopg
from psycopg import sql

# Run as a plain script from the repository root: make the integration importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.bellas_reef.history import (
    BufferedWriter,
    PostgresStore,
    Reading,
    ReadingsStore,
    Spool,
    SQLiteStore,
)

WRITE_ROWS_BUFFERED = 50_000
WRITE_ROWS_PER_READING = 5_000
QUERY_DAYS = 30
QUERY_STEP = timedelta(seconds=10)
QUERY_BUCKETS = 500
QUERY_REPEATS = 5
START = datetime(2026, 1, 1, tzinfo=UTC)


def readings(
    count: int,
    *,
    step: timedelta = timedelta(seconds=1),
    source: str = "probe_temperature",
    metric: str = "temperature",
) -> list[Reading]:
    return [Reading(START + step * i, "bench", source, metric, 25.0 + (i % 600) / 100) for i in range(count)]


class WriteContender(Protocol):
    """Stores every row before `write` returns."""

    name: str
    rows: int

    async def write(self, rows: Sequence[Reading]) -> None: ...
    async def close(self) -> None: ...


class QueryContender(Protocol):
    """Holds the rows of one probe and aggregates them into buckets."""

    name: str

    async def load(self, rows: Sequence[Reading]) -> None: ...
    async def query(self, start: datetime, end: datetime, buckets: int) -> tuple[int, int]:
        """Return (buckets, readings counted)."""
        ...

    async def close(self) -> None: ...


async def drop_tables(dsn: str, prefix: str) -> None:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            sql.SQL("DROP TABLE IF EXISTS {}, {}").format(
                sql.Identifier(f"{prefix}readings"), sql.Identifier(f"{prefix}batches")
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

    async def query(self, start: datetime, end: datetime, buckets: int) -> tuple[int, int]:
        found = await self._store.query(
            "bench", "probe_temperature", "temperature", start=start, end=end, buckets=buckets
        )
        return len(found), sum(bucket.count for bucket in found)

    async def close(self) -> None:
        await self._store.close()
        await self._cleanup()


def postgres_query(dsn: str) -> StoreQuery:
    prefix = f"bench_{uuid4().hex[:8]}_"

    async def cleanup() -> None:
        await drop_tables(dsn, prefix)

    return StoreQuery("PostgresStore", PostgresStore(dsn, table_prefix=prefix), cleanup)


def sqlite_query(_dsn: str) -> StoreQuery:
    directory = tempfile.TemporaryDirectory()

    async def cleanup() -> None:
        directory.cleanup()

    return StoreQuery("SQLiteStore", SQLiteStore(Path(directory.name) / "bench.db"), cleanup)


WRITE_CONTENDERS: list[Callable[[str], WriteContender]] = [BufferedPostgres, InsertPerReading]
QUERY_CONTENDERS: list[Callable[[str], QueryContender]] = [postgres_query, sqlite_query]


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


async def bench_queries(dsn: str) -> list[tuple[str, float, float]]:
    count = int(timedelta(days=QUERY_DAYS) / QUERY_STEP)
    rows = readings(count, step=QUERY_STEP)
    noise = readings(count // 10, step=QUERY_STEP * 10, source="probe_ph", metric="ph")
    end = START + QUERY_STEP * count
    results = []
    for factory in QUERY_CONTENDERS:
        contender = factory(dsn)
        try:
            await contender.load([*rows, *noise])
            timings = []
            for _ in range(QUERY_REPEATS):
                began = time.perf_counter()
                buckets, counted = await contender.query(START, end, QUERY_BUCKETS)
                timings.append(time.perf_counter() - began)
                assert (buckets, counted) == (QUERY_BUCKETS, count), (buckets, counted)
            results.append((contender.name, statistics.median(timings), min(timings)))
        finally:
            await contender.close()
    return results


async def main() -> None:
    dsn = os.environ.get("BELLAS_REEF_PG_DSN")
    if not dsn:
        sys.exit("BELLAS_REEF_PG_DSN is not set: run with scripts/run --postgres")
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

    queries = await bench_queries(dsn)
    total = int(timedelta(days=QUERY_DAYS) / QUERY_STEP)
    print(
        f"\n{QUERY_DAYS}-day query, one probe every {QUERY_STEP.seconds} s ({total:,} rows) into {QUERY_BUCKETS} buckets"
    )
    print(f"{'contender':<40} {'median ms':>10} {'best ms':>10}")
    for name, median, best in queries:
        print(f"{name:<40} {median * 1000:>10.1f} {best * 1000:>10.1f}")


if __name__ == "__main__":
    asyncio.run(main())
