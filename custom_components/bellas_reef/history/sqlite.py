"""Embedded readings store: one SQLite file, used when no PostgreSQL server is configured.

Times are stored as integer microseconds since the Unix epoch (UTC): SQLite has no timestamp type, and
integers keep range scans on the index and bucket arithmetic exact. Every call runs on one dedicated
thread, so the caller's event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
import sqlite3

from .model import (
    EPOCH,
    ROLLUP_RESOLUTIONS,
    Bucket,
    QueryPlan,
    Reading,
    StoreError,
    check_table_prefix,
    plan_query,
    rollups_of,
)

_MICROSECOND = timedelta(microseconds=1)
_SECOND = timedelta(seconds=1)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // _MICROSECOND


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@dataclass(frozen=True, slots=True)
class _Statements:
    """Every statement the store runs; table names come from `check_table_prefix`, values are parameters."""

    schema: tuple[str, ...]
    rollups_exist: str
    create_rollups: str
    fill_rollups: str
    claim_batch: str
    insert_readings: str
    upsert_rollups: str
    select_raw: str
    select_mixed: str
    delete_readings: str
    delete_batches: str
    delete_rollups: str
    remove_readings: str
    remove_rollups: str

    @classmethod
    def for_prefix(cls, prefix: str) -> _Statements:
        readings, batches = f'"{check_table_prefix(prefix)}readings"', f'"{prefix}batches"'
        rollups = f'"{prefix}rollups"'
        where = "controller = :controller AND source = :source AND metric = :metric"
        raw = (
            "SELECT time, value AS total, value AS low, value AS high, 1 AS count "  # noqa: S608
            f"FROM {readings} WHERE {where} AND time >= :start AND time < :inner_start"
        )
        aggregate = (
            "SELECT (time - :origin) / :width AS bucket, sum(total), min(low), max(high), sum(count) "
            "FROM ({}) GROUP BY bucket ORDER BY bucket"
        )
        return cls(
            schema=(
                (
                    f"CREATE TABLE IF NOT EXISTS {readings} (time INTEGER NOT NULL, "
                    "controller TEXT NOT NULL, source TEXT NOT NULL, metric TEXT NOT NULL, "
                    "value REAL NOT NULL)"
                ),
                (
                    f'CREATE INDEX IF NOT EXISTS "{prefix}readings_source_time" '
                    f"ON {readings} (controller, source, metric, time)"
                ),
                (
                    f"CREATE TABLE IF NOT EXISTS {batches} "
                    "(batch_id TEXT PRIMARY KEY, written_at INTEGER NOT NULL)"
                ),
                f'CREATE INDEX IF NOT EXISTS "{prefix}batches_written_at" ON {batches} (written_at)',
            ),
            rollups_exist=f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{prefix}rollups'",  # noqa: S608
            create_rollups=(
                f"CREATE TABLE {rollups} (controller TEXT NOT NULL, source TEXT NOT NULL, "
                "metric TEXT NOT NULL, resolution INTEGER NOT NULL, slot INTEGER NOT NULL, "
                "total REAL NOT NULL, low REAL NOT NULL, high REAL NOT NULL, count INTEGER NOT NULL, "
                "PRIMARY KEY (controller, source, metric, resolution, slot)) WITHOUT ROWID"
            ),
            fill_rollups=(
                f"INSERT INTO {rollups} (controller, source, metric, resolution, slot, total, low, "  # noqa: S608
                "high, count) SELECT controller, source, metric, :seconds, time - time % :micros AS slot, "
                f"sum(value), min(value), max(value), count(*) FROM {readings} "
                "GROUP BY controller, source, metric, slot"
            ),
            claim_batch=(
                f"INSERT INTO {batches} (batch_id, written_at) "  # noqa: S608
                "VALUES (?, ?) ON CONFLICT DO NOTHING"
            ),
            insert_readings=(
                f"INSERT INTO {readings} (time, controller, source, metric, value) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?)"
            ),
            upsert_rollups=(
                f"INSERT INTO {rollups} AS r (controller, source, metric, resolution, slot, total, low, "  # noqa: S608
                "high, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (controller, source, metric, resolution, slot) DO UPDATE SET "
                "total = r.total + excluded.total, low = min(r.low, excluded.low), "
                "high = max(r.high, excluded.high), count = r.count + excluded.count"
            ),
            select_raw=aggregate.format(raw),
            select_mixed=aggregate.format(
                f"{raw} UNION ALL SELECT slot, total, low, high, count FROM {rollups} "  # noqa: S608
                f"WHERE {where} AND resolution = :resolution AND slot >= :inner_start AND slot < :inner_end "
                f"UNION ALL SELECT time, value, value, value, 1 FROM {readings} "
                f"WHERE {where} AND time >= :inner_end AND time < :end"
            ),
            delete_readings=f"DELETE FROM {readings} WHERE time < ?",  # noqa: S608
            delete_batches=f"DELETE FROM {batches} WHERE written_at < ?",  # noqa: S608
            delete_rollups=f"DELETE FROM {rollups} WHERE slot < ?",  # noqa: S608
            remove_readings=f"DELETE FROM {readings} WHERE controller = ?",  # noqa: S608
            remove_rollups=f"DELETE FROM {rollups} WHERE controller = ?",  # noqa: S608
        )


class SQLiteStore:
    """Readings store in a local SQLite file, with the same contract as the PostgreSQL store."""

    def __init__(self, path: Path | str, *, table_prefix: str = "bellas_reef_") -> None:
        """Remember where the file lives; nothing is opened until first use."""
        self._path = Path(path)
        self._sql = _Statements.for_prefix(table_prefix)
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None
        self._closed = False
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        """Name the file, for logs and diagnostics."""
        return f"SQLiteStore({str(self._path)!r})"

    async def open(self) -> None:
        """Start the worker thread, open the file and create the schema if missing."""
        await self._ready()

    async def write_batch(self, batch_id: str, rows: Sequence[Reading]) -> bool:
        """Write the rows, their rollups and the batch id in one transaction, unless the batch id is known."""
        written_at = _micros(datetime.now(UTC))
        return await self._run(partial(self._write, batch_id, list(rows), written_at))

    async def query(
        self, controller: str, source: str, metric: str, *, start: datetime, end: datetime, buckets: int
    ) -> list[Bucket]:
        """Aggregate in SQL, in integer microseconds, from rollups where the buckets are wide enough."""
        plan = plan_query(start, end, buckets)
        rows = await self._run(partial(self._select, plan, controller, source, metric))
        found = []
        for index, total, low, high, count in rows:
            first, last = plan.bucket(index)
            found.append(Bucket(first, last, total / count, low, high, count))
        return found

    async def prune(self, older_than: datetime, rollups_older_than: datetime | None = None) -> int:
        """Delete readings and batch ids older than the cutoff, and rollups older than theirs."""
        rollup_cutoff = None if rollups_older_than is None else _micros(rollups_older_than)
        return await self._run(partial(self._delete, _micros(older_than), rollup_cutoff))

    async def remove_controller(self, controller: str) -> int:
        """Delete every reading and rollup of one controller; return the readings deleted."""
        return await self._run(partial(self._remove, controller))

    async def close(self) -> None:
        """Close the file and end the worker thread."""
        async with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is None:
            return
        # Queued behind any connect still running, so a connection opened by a cancelled caller is closed too.
        await asyncio.wrap_future(executor.submit(self._disconnect))
        await asyncio.to_thread(executor.shutdown)

    async def _ready(self) -> tuple[ThreadPoolExecutor, sqlite3.Connection]:
        async with self._lock:
            if self._closed:
                raise StoreError("the readings store is closed")
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bellas_reef_sqlite")
            connection = self._connection
            if connection is None:
                connection = await self._in_thread(self._executor, self._connect)
            return self._executor, connection

    async def _run[T](self, job: Callable[[sqlite3.Connection], T]) -> T:
        executor, connection = await self._ready()
        return await self._in_thread(executor, partial(job, connection))

    async def _in_thread[T](self, executor: ThreadPoolExecutor, job: Callable[[], T]) -> T:
        try:
            return await asyncio.wrap_future(executor.submit(job))
        except sqlite3.Error as err:
            raise StoreError(f"SQLite store {self._path}: {err}") from err

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, autocommit=True)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            for statement in self._sql.schema:
                connection.execute(statement)
            with _transaction(connection):
                if connection.execute(self._sql.rollups_exist).fetchone() is None:
                    # Readings stored before rollups existed are rolled up once, as the table is created.
                    connection.execute(self._sql.create_rollups)
                    for resolution in ROLLUP_RESOLUTIONS:
                        connection.execute(
                            self._sql.fill_rollups,
                            {"seconds": resolution // _SECOND, "micros": resolution // _MICROSECOND},
                        )
        except sqlite3.Error:
            connection.close()
            raise
        # Kept by the worker thread itself: a caller cancelled while this ran (a timeout) cannot lose it.
        self._connection = connection
        return connection

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _write(
        self, batch_id: str, rows: list[Reading], written_at: int, connection: sqlite3.Connection
    ) -> bool:
        records = [(_micros(r.time), r.controller, r.source, r.metric, r.value) for r in rows]
        rollups = [
            (
                rollup.controller,
                rollup.source,
                rollup.metric,
                rollup.resolution // _SECOND,
                _micros(rollup.slot),
                rollup.total,
                rollup.low,
                rollup.high,
                rollup.count,
            )
            for rollup in rollups_of(rows)
        ]
        with _transaction(connection):
            claimed = connection.execute(self._sql.claim_batch, (batch_id, written_at)).rowcount == 1
            if claimed:
                connection.executemany(self._sql.insert_readings, records)
                connection.executemany(self._sql.upsert_rollups, rollups)
        return claimed

    def _select(
        self, plan: QueryPlan, controller: str, source: str, metric: str, connection: sqlite3.Connection
    ) -> list[tuple[int, float, float, float, int]]:
        params = {
            "controller": controller,
            "source": source,
            "metric": metric,
            "origin": _micros(plan.origin),
            "width": plan.width // _MICROSECOND,
            "start": _micros(plan.start),
            "end": _micros(plan.end),
            "inner_start": _micros(plan.inner_start),
            "inner_end": _micros(plan.inner_end),
        }
        if plan.resolution is None:
            return connection.execute(self._sql.select_raw, params).fetchall()
        params["resolution"] = plan.resolution // _SECOND
        return connection.execute(self._sql.select_mixed, params).fetchall()

    def _delete(self, cutoff: int, rollup_cutoff: int | None, connection: sqlite3.Connection) -> int:
        with _transaction(connection):
            deleted: int = connection.execute(self._sql.delete_readings, (cutoff,)).rowcount
            connection.execute(self._sql.delete_batches, (cutoff,))
            if rollup_cutoff is not None:
                connection.execute(self._sql.delete_rollups, (rollup_cutoff,))
        return deleted

    def _remove(self, controller: str, connection: sqlite3.Connection) -> int:
        with _transaction(connection):
            deleted: int = connection.execute(self._sql.remove_readings, (controller,)).rowcount
            connection.execute(self._sql.remove_rollups, (controller,))
        return deleted
