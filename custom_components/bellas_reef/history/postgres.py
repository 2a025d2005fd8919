"""Readings store on a PostgreSQL server, with its own connection pool (separate from HA's recorder).

Rows go in with binary COPY, and every value travels as a query parameter; only the table names, checked
by `check_table_prefix`, are composed into the SQL, as quoted identifiers. When the TimescaleDB extension is
installed in the database the readings table becomes a hypertable; it is never required.
Messages of every error raised here have the password removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
import math
import re
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool

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
from .urls import (
    DatabaseAuthError,
    DatabaseNotFoundError,
    DatabasePermissionError,
    DatabaseUnreachableError,
    DatabaseUrlError,
    InvalidDatabaseUrlError,
    hide_secrets as _hide_secrets,
    redact_url,
    scrub as _scrub,
)

_SCHEMES = ("postgresql://", "postgres://")
_MISSING_DATABASE = re.compile(r'database ".*" does not exist')
_BAD_OPTION = re.compile(r"\binvalid\b.*\bvalue\b", re.IGNORECASE)
_AUTH_MARKERS = ("authentication failed", "no password supplied", "pg_hba.conf", 'role "')
_APPLICATION_NAME = "bellas_reef"
_SECOND = timedelta(seconds=1)


def _parse_url(url: str) -> dict[str, Any]:
    redacted, secrets = _hide_secrets(url)
    if not url.startswith(_SCHEMES):
        raise InvalidDatabaseUrlError(f"not a postgresql:// URL: {redacted}")
    try:
        return conninfo_to_dict(url)
    except psycopg.Error as err:
        raise InvalidDatabaseUrlError(
            f"invalid PostgreSQL URL {redacted}: {_scrub(str(err), secrets)}"
        ) from None


def _connect_error(url: str, err: psycopg.Error) -> DatabaseUrlError:
    redacted, secrets = _hide_secrets(url)
    message = _scrub(str(err), secrets)
    if _MISSING_DATABASE.search(message):
        return DatabaseNotFoundError(f"{redacted}: {message}")
    if any(marker in message.lower() for marker in _AUTH_MARKERS):
        return DatabaseAuthError(f"{redacted}: {message}")
    if _BAD_OPTION.search(message):
        return InvalidDatabaseUrlError(f"{redacted}: {message}")
    return DatabaseUnreachableError(f"{redacted}: {message}")


async def validate_postgres_url(url: str, *, connect_timeout: float = 10.0) -> None:
    """Connect once and check the readings tables could be created; raise a `DatabaseUrlError` if not."""
    _parse_url(url)
    try:
        connection = await psycopg.AsyncConnection.connect(
            url, connect_timeout=max(math.ceil(connect_timeout), 2), application_name=_APPLICATION_NAME
        )
    except psycopg.Error as err:
        raise _connect_error(url, err) from None
    try:
        cursor = await connection.execute(
            "SELECT current_schema(), has_schema_privilege(current_schema(), 'CREATE')"
        )
        [(schema, can_create)] = await cursor.fetchall()
    finally:
        await connection.close()
    if not can_create:
        raise DatabasePermissionError(f"{redact_url(url)}: cannot create tables in schema {schema!r}")


class PostgresStore:
    """Readings store on PostgreSQL; tables `<prefix>readings`, `<prefix>rollups` and `<prefix>batches`.

    The tables live in the connection's default schema. Several Home Assistant instances may share them.
    """

    def __init__(
        self,
        url: str,
        *,
        table_prefix: str = "bellas_reef_",
        timeout: float = 10.0,
        max_connections: int = 3,
    ) -> None:
        """Check the URL; nothing connects until first use."""
        _parse_url(url)
        self._url = url
        self._redacted, self._secrets = _hide_secrets(url)
        prefix = check_table_prefix(table_prefix)
        self._readings = sql.Identifier(f"{prefix}readings")
        self._readings_name = f"{prefix}readings"
        self._batches = sql.Identifier(f"{prefix}batches")
        self._rollups = sql.Identifier(f"{prefix}rollups")
        self._rollups_name = f"{prefix}rollups"
        self._indexes = {
            "source_time": sql.Identifier(f"{prefix}readings_source_time"),
            "time": sql.Identifier(f"{prefix}readings_time"),
            "written_at": sql.Identifier(f"{prefix}batches_written_at"),
        }
        self._timeout = timeout
        self._max_connections = max_connections
        self._pool: AsyncConnectionPool | None = None
        self._schema_ready = False
        self._closed = False
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        """Name the server without the password, for logs and diagnostics."""
        return f"PostgresStore({self._redacted!r})"

    async def open(self) -> None:
        """Start the pool and create the tables and indexes if missing."""
        await self._ready()

    async def write_batch(self, batch_id: str, rows: Sequence[Reading]) -> bool:
        """Claim the batch id, COPY the rows and add them to the rollups in one transaction.

        A known batch id writes nothing, so neither rows nor rollups ever count a batch twice.
        """
        pool = await self._ready()
        try:
            async with pool.connection() as connection:
                claim = await connection.execute(
                    sql.SQL("INSERT INTO {} (batch_id) VALUES (%s) ON CONFLICT DO NOTHING").format(
                        self._batches
                    ),
                    (batch_id,),
                )
                if claim.rowcount == 0:
                    return False
                copy_rows = sql.SQL(
                    "COPY {} (time, controller, source, metric, value) FROM STDIN (FORMAT BINARY)"
                ).format(self._readings)
                async with connection.cursor() as cursor, cursor.copy(copy_rows) as copy:
                    copy.set_types(["timestamptz", "text", "text", "text", "float8"])
                    for row in rows:
                        await copy.write_row(
                            (row.time, row.controller, row.source, row.metric, float(row.value))
                        )
                async with connection.cursor() as cursor:
                    await cursor.executemany(
                        sql.SQL(
                            "INSERT INTO {} AS r (controller, source, metric, resolution, slot, total, low, "
                            "high, count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                            "ON CONFLICT (controller, source, metric, resolution, slot) DO UPDATE SET "
                            "total = r.total + excluded.total, low = least(r.low, excluded.low), "
                            "high = greatest(r.high, excluded.high), count = r.count + excluded.count"
                        ).format(self._rollups),
                        [
                            (
                                rollup.controller,
                                rollup.source,
                                rollup.metric,
                                rollup.resolution // _SECOND,
                                rollup.slot,
                                rollup.total,
                                rollup.low,
                                rollup.high,
                                rollup.count,
                            )
                            for rollup in rollups_of(rows)
                        ],
                    )
        except psycopg.Error as err:
            raise self._error("writing a batch", err) from None
        return True

    async def query(
        self, controller: str, source: str, metric: str, *, start: datetime, end: datetime, buckets: int
    ) -> list[Bucket]:
        """Aggregate in SQL with date_bin, from rollups where the buckets are wide enough (see `plan_query`)."""
        plan = plan_query(start, end, buckets)
        pool = await self._ready()
        key = {"controller": controller, "source": source, "metric": metric}
        try:
            async with pool.connection() as connection:
                cursor = await connection.execute(*self._query_statement(plan, key))
                rows = await cursor.fetchall()
        except psycopg.Error as err:
            raise self._error("querying readings", err) from None
        buckets_found = []
        for bucket_start, total, low, high, count in rows:
            first, last = plan.bucket((bucket_start - plan.origin) // plan.width)
            buckets_found.append(Bucket(first, last, total / count, low, high, count))
        return buckets_found

    def _query_statement(self, plan: QueryPlan, key: dict[str, str]) -> tuple[sql.Composed, dict[str, Any]]:
        params: dict[str, Any] = {
            **key,
            "width": plan.width,
            "origin": plan.origin,
            "start": plan.start,
            "end": plan.end,
            "inner_start": plan.inner_start,
            "inner_end": plan.inner_end,
        }
        where = sql.SQL("controller = %(controller)s AND source = %(source)s AND metric = %(metric)s")
        parts = sql.SQL(
            "SELECT time, value AS total, value AS low, value AS high, 1 AS count FROM {} "
            "WHERE {} AND time >= %(start)s AND time < %(inner_start)s"
        ).format(self._readings, where)
        if plan.resolution is not None:
            params["resolution"] = plan.resolution // _SECOND
            parts = sql.SQL(
                "{} UNION ALL SELECT slot, total, low, high, count FROM {} WHERE {} AND resolution = "
                "%(resolution)s AND slot >= %(inner_start)s AND slot < %(inner_end)s "
                "UNION ALL SELECT time, value, value, value, 1 FROM {} WHERE {} "
                "AND time >= %(inner_end)s AND time < %(end)s"
            ).format(parts, self._rollups, where, self._readings, where)
        statement = sql.SQL(
            "SELECT date_bin(%(width)s, time, %(origin)s) AS bucket, sum(total), min(low), max(high), "
            "sum(count)::bigint FROM ({}) AS parts GROUP BY bucket ORDER BY bucket"
        ).format(parts)
        return statement, params

    async def prune(self, older_than: datetime, rollups_older_than: datetime | None = None) -> int:
        """Delete readings and remembered batch ids older than the cutoff, and rollups older than theirs."""
        pool = await self._ready()
        try:
            async with pool.connection() as connection:
                deleted = await connection.execute(
                    sql.SQL("DELETE FROM {} WHERE time < %s").format(self._readings), (older_than,)
                )
                await connection.execute(
                    sql.SQL("DELETE FROM {} WHERE written_at < %s").format(self._batches), (older_than,)
                )
                if rollups_older_than is not None:
                    await connection.execute(
                        sql.SQL("DELETE FROM {} WHERE slot < %s").format(self._rollups), (rollups_older_than,)
                    )
        except psycopg.Error as err:
            raise self._error("pruning readings", err) from None
        return deleted.rowcount

    async def remove_controller(self, controller: str) -> int:
        """Delete every reading and rollup of one controller; return the readings deleted."""
        pool = await self._ready()
        try:
            async with pool.connection() as connection:
                deleted = await connection.execute(
                    sql.SQL("DELETE FROM {} WHERE controller = %s").format(self._readings), (controller,)
                )
                await connection.execute(
                    sql.SQL("DELETE FROM {} WHERE controller = %s").format(self._rollups), (controller,)
                )
        except psycopg.Error as err:
            raise self._error("removing a controller's readings", err) from None
        return deleted.rowcount

    async def close(self) -> None:
        """Close the pool and its connections."""
        async with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _ready(self) -> AsyncConnectionPool:
        async with self._lock:
            if self._closed:
                raise StoreError(f"PostgreSQL store {self._redacted} is closed")
            if self._pool is None:
                self._pool = AsyncConnectionPool(
                    self._url,
                    kwargs={
                        "connect_timeout": max(math.ceil(self._timeout), 2),
                        "application_name": _APPLICATION_NAME,
                    },
                    min_size=1,
                    max_size=self._max_connections,
                    open=False,
                    check=AsyncConnectionPool.check_connection,
                    name=_APPLICATION_NAME,
                    timeout=self._timeout,
                )
                await self._pool.open()
            if not self._schema_ready:
                try:
                    async with self._pool.connection() as connection:
                        await self._create_schema(connection)
                except psycopg.Error as err:
                    raise self._error("creating the tables", err) from None
                self._schema_ready = True
            return self._pool

    async def _create_schema(self, connection: psycopg.AsyncConnection[Any]) -> None:
        readings, batches, indexes = self._readings, self._batches, self._indexes
        # One instance at a time: others sharing the server wait here instead of racing to create (or fill)
        # the same tables. The lock ends with the transaction.
        await connection.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._readings_name,))
        await connection.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (time timestamptz NOT NULL, controller text NOT NULL, "
                "source text NOT NULL, metric text NOT NULL, value double precision NOT NULL)"
            ).format(readings)
        )
        timescale = await connection.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
        if await timescale.fetchone():
            await connection.execute(
                "SELECT create_hypertable(%s::regclass, 'time', if_not_exists => TRUE, migrate_data => TRUE)",
                (self._readings_name,),
            )
        await connection.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (controller, source, metric, time)").format(
                indexes["source_time"], readings
            )
        )
        await connection.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING brin (time)").format(indexes["time"], readings)
        )
        await connection.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (batch_id text PRIMARY KEY, "
                "written_at timestamptz NOT NULL DEFAULT now())"
            ).format(batches)
        )
        await connection.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (written_at)").format(indexes["written_at"], batches)
        )
        exists = await connection.execute("SELECT to_regclass(%s)", (self._rollups_name,))
        if (await exists.fetchone() or (None,))[0] is not None:
            return
        await connection.execute(
            sql.SQL(
                "CREATE TABLE {} (controller text NOT NULL, source text NOT NULL, metric text NOT NULL, "
                "resolution integer NOT NULL, slot timestamptz NOT NULL, total double precision NOT NULL, "
                "low double precision NOT NULL, high double precision NOT NULL, count bigint NOT NULL, "
                "PRIMARY KEY (controller, source, metric, resolution, slot))"
            ).format(self._rollups)
        )
        # Readings stored before rollups existed are rolled up once, as the table is created.
        for resolution in ROLLUP_RESOLUTIONS:
            await connection.execute(
                sql.SQL(
                    "INSERT INTO {} (controller, source, metric, resolution, slot, total, low, high, count) "
                    "SELECT controller, source, metric, %(seconds)s, date_bin(%(resolution)s, time, %(epoch)s) "
                    "AS slot, sum(value), min(value), max(value), count(*) FROM {} "
                    "GROUP BY controller, source, metric, slot"
                ).format(self._rollups, readings),
                {"seconds": resolution // _SECOND, "resolution": resolution, "epoch": EPOCH},
            )

    def _error(self, action: str, err: psycopg.Error) -> StoreError:
        return StoreError(
            f"PostgreSQL store {self._redacted}: {action} failed: {_scrub(str(err), self._secrets)}"
        )
