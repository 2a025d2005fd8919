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

from .model import Bucket, Reading, StoreError, bucket_width, check_table_prefix

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


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
    claim_batch: str
    insert_readings: str
    select_buckets: str
    delete_readings: str
    delete_batches: str

    @classmethod
    def for_prefix(cls, prefix: str) -> _Statements:
        readings, batches = f'"{check_table_prefix(prefix)}readings"', f'"{prefix}batches"'
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
            claim_batch=(
                f"INSERT INTO {batches} (batch_id, written_at) "  # noqa: S608
                "VALUES (?, ?) ON CONFLICT DO NOTHING"
            ),
            insert_readings=(
                f"INSERT INTO {readings} (time, controller, source, metric, value) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?)"
            ),
            select_buckets=(
                "SELECT (time - ?) / ? AS bucket, avg(value), min(value), max(value), count(*) "  # noqa: S608
                f"FROM {readings} WHERE controller = ? AND source = ? AND metric = ? "
                "AND time >= ? AND time < ? GROUP BY bucket ORDER BY bucket"
            ),
            delete_readings=f"DELETE FROM {readings} WHERE time < ?",  # noqa: S608
            delete_batches=f"DELETE FROM {batches} WHERE written_at < ?",  # noqa: S608
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
        """Write the rows and the batch id in one transaction, unless the batch id is known."""
        records = [(_micros(r.time), r.controller, r.source, r.metric, r.value) for r in rows]
        written_at = _micros(datetime.now(UTC))
        return await self._run(partial(self._write, batch_id, records, written_at))

    async def query(
        self, controller: str, source: str, metric: str, *, start: datetime, end: datetime, buckets: int
    ) -> list[Bucket]:
        """Aggregate in SQL: rows are grouped by (time - start) // width, all in integers."""
        width = bucket_width(start, end, buckets)
        params = (
            _micros(start),
            width // _MICROSECOND,
            controller,
            source,
            metric,
            _micros(start),
            _micros(end),
        )
        rows = await self._run(partial(self._select, params))
        return [
            Bucket(
                start=start.astimezone(UTC) + width * index,
                end=min(start + width * (index + 1), end).astimezone(UTC),
                avg=avg,
                min=low,
                max=high,
                count=count,
            )
            for index, avg, low, high, count in rows
        ]

    async def prune(self, older_than: datetime) -> int:
        """Delete readings and batch ids older than the cutoff."""
        return await self._run(partial(self._delete, _micros(older_than)))

    async def close(self) -> None:
        """Close the file and end the worker thread."""
        async with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
            connection, self._connection = self._connection, None
        if executor is None:
            return
        if connection is not None:
            await asyncio.wrap_future(executor.submit(connection.close))
        await asyncio.to_thread(executor.shutdown)

    async def _ready(self) -> tuple[ThreadPoolExecutor, sqlite3.Connection]:
        async with self._lock:
            if self._closed:
                raise StoreError("the readings store is closed")
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bellas_reef_sqlite")
            if self._connection is None:
                self._connection = await self._in_thread(self._executor, self._connect)
            return self._executor, self._connection

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
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _write(
        self,
        batch_id: str,
        records: list[tuple[int, str, str, str, float]],
        written_at: int,
        connection: sqlite3.Connection,
    ) -> bool:
        with _transaction(connection):
            claimed = connection.execute(self._sql.claim_batch, (batch_id, written_at)).rowcount == 1
            if claimed:
                connection.executemany(self._sql.insert_readings, records)
        return claimed

    def _select(
        self, params: tuple[int, int, str, str, str, int, int], connection: sqlite3.Connection
    ) -> list[tuple[int, float, float, float, int]]:
        return connection.execute(self._sql.select_buckets, params).fetchall()

    def _delete(self, cutoff: int, connection: sqlite3.Connection) -> int:
        with _transaction(connection):
            deleted: int = connection.execute(self._sql.delete_readings, (cutoff,)).rowcount
            connection.execute(self._sql.delete_batches, (cutoff,))
        return deleted
