"""Readings store on a PostgreSQL server, with its own connection pool (separate from HA's recorder).

Rows go in with binary COPY, and every value travels as a query parameter; only the table names, checked
by `check_table_prefix`, are composed into the SQL, as quoted identifiers. When the TimescaleDB extension is
installed in the database the readings table becomes a hypertable; it is never required.
Messages of every error raised here have the password removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
import math
import re
from typing import Any
from urllib.parse import unquote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool

from .model import Bucket, HistoryError, Reading, StoreError, bucket_width, check_table_prefix

_SCHEMES = ("postgresql://", "postgres://")
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)
_MISSING_DATABASE = re.compile(r'database ".*" does not exist')
_BAD_OPTION = re.compile(r"\binvalid\b.*\bvalue\b", re.IGNORECASE)
_AUTH_MARKERS = ("authentication failed", "no password supplied", "pg_hba.conf", 'role "')
_APPLICATION_NAME = "bellas_reef"


class DatabaseUrlError(HistoryError):
    """A PostgreSQL URL cannot be used; each subclass is one form error of the config flow."""


class InvalidDatabaseUrlError(DatabaseUrlError):
    """The text is not a usable postgresql:// URL."""


class DatabaseUnreachableError(DatabaseUrlError):
    """No PostgreSQL server answered at that host and port."""


class DatabaseAuthError(DatabaseUrlError):
    """The server refused the user name or password."""


class DatabaseNotFoundError(DatabaseUrlError):
    """The server has no database of that name."""


class DatabasePermissionError(DatabaseUrlError):
    """The user may not create the readings tables in that database."""


def _hide_secrets(url: str) -> tuple[str, list[str]]:
    """Return the URL with passwords masked, and the password texts to scrub from messages.

    The user part runs up to the last "@", so a password holding an unescaped "/", "?" or "@" is still
    hidden; anything that is not a URL is hidden whole.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return "***", [url]
    secrets: list[str] = []
    userinfo, at, hosts = rest.rpartition("@")
    if at and ":" in userinfo:
        user, _, password = userinfo.partition(":")
        secrets.append(password)
        rest = f"{user}:***@{hosts}"

    def hide(match: re.Match[str]) -> str:
        secrets.append(match.group(2))
        return f"{match.group(1)}***"

    rest = _QUERY_PASSWORD.sub(hide, rest)
    secrets += [unquote(secret) for secret in secrets]
    return f"{scheme}://{rest}", sorted({s for s in secrets if s}, key=len, reverse=True)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def redact_url(url: str) -> str:
    """The URL with its password replaced by ***, safe for logs, errors and diagnostics."""
    return _hide_secrets(url)[0]


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
    """Readings store on PostgreSQL; tables `<prefix>readings` and `<prefix>batches` in the default schema."""

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
        """Claim the batch id and COPY the rows in one transaction; a known batch id writes nothing."""
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
        except psycopg.Error as err:
            raise self._error("writing a batch", err) from None
        return True

    async def query(
        self, controller: str, source: str, metric: str, *, start: datetime, end: datetime, buckets: int
    ) -> list[Bucket]:
        """Aggregate in SQL with date_bin, buckets aligned on the start of the range."""
        width = bucket_width(start, end, buckets)
        pool = await self._ready()
        statement = sql.SQL(
            "SELECT date_bin(%s, time, %s) AS bucket, avg(value), min(value), max(value), count(*) "
            "FROM {} WHERE controller = %s AND source = %s AND metric = %s AND time >= %s AND time < %s "
            "GROUP BY bucket ORDER BY bucket"
        ).format(self._readings)
        try:
            async with pool.connection() as connection:
                cursor = await connection.execute(
                    statement, (width, start, controller, source, metric, start, end)
                )
                rows = await cursor.fetchall()
        except psycopg.Error as err:
            raise self._error("querying readings", err) from None
        return [
            Bucket(
                start=bucket_start.astimezone(UTC),
                end=min(bucket_start + width, end).astimezone(UTC),
                avg=avg,
                min=low,
                max=high,
                count=count,
            )
            for bucket_start, avg, low, high, count in rows
        ]

    async def prune(self, older_than: datetime) -> int:
        """Delete readings and remembered batch ids older than the cutoff, in one transaction."""
        pool = await self._ready()
        try:
            async with pool.connection() as connection:
                deleted = await connection.execute(
                    sql.SQL("DELETE FROM {} WHERE time < %s").format(self._readings), (older_than,)
                )
                await connection.execute(
                    sql.SQL("DELETE FROM {} WHERE written_at < %s").format(self._batches), (older_than,)
                )
        except psycopg.Error as err:
            raise self._error("pruning readings", err) from None
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

    def _error(self, action: str, err: psycopg.Error) -> StoreError:
        return StoreError(
            f"PostgreSQL store {self._redacted}: {action} failed: {_scrub(str(err), self._secrets)}"
        )
