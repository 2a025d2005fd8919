"""PostgreSQL specifics on a real server: URL checks, passwords kept secret, a server restart mid-stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
import logging
from pathlib import Path
import shlex
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
import pytest

from custom_components.bellas_reef.history import (
    BufferedWriter,
    DatabaseAuthError,
    DatabaseNotFoundError,
    DatabasePermissionError,
    DatabaseUnreachableError,
    DatabaseUrlError,
    InvalidDatabaseUrlError,
    PostgresStore,
    Spool,
    StoreError,
    redact_url,
    validate_postgres_url,
)

from .helpers import assert_rollups_match, series, stored_values, until

WRONG_KEY = "not-the-right-one"
CLOSED_PORT = 1


def _with(
    dsn: str,
    *,
    user: str | None = None,
    key: str | None = None,
    port: int | None = None,
    database: str | None = None,
) -> str:
    """The DSN with some of its parts replaced."""
    parts = urlsplit(dsn)
    netloc = f"{user or parts.username}:{key or parts.password}@{parts.hostname}:{port or parts.port}"
    path = f"/{database}" if database else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


@pytest.fixture
def pg_password(pg_dsn: str) -> str:
    """The real password of the application role, which must never show."""
    password = urlsplit(pg_dsn).password
    assert password
    return password


def _assert_secret(err: BaseException, secret: str) -> None:
    assert secret not in str(err)
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__


async def test_a_good_url_validates(pg_dsn: str) -> None:
    await validate_postgres_url(pg_dsn)


async def test_an_unreachable_server_is_reported(pg_dsn: str, pg_password: str) -> None:
    url = _with(pg_dsn, port=CLOSED_PORT)
    with pytest.raises(DatabaseUnreachableError) as caught:
        await validate_postgres_url(url, connect_timeout=2)
    _assert_secret(caught.value, pg_password)
    assert "***" in str(caught.value)


async def test_a_wrong_password_is_reported(pg_dsn: str) -> None:
    with pytest.raises(DatabaseAuthError, match="authentication failed") as caught:
        await validate_postgres_url(_with(pg_dsn, key=WRONG_KEY))
    _assert_secret(caught.value, WRONG_KEY)


async def test_a_missing_database_is_reported(pg_dsn: str, pg_password: str) -> None:
    with pytest.raises(DatabaseNotFoundError, match="no_such_tank") as caught:
        await validate_postgres_url(_with(pg_dsn, database="no_such_tank"))
    _assert_secret(caught.value, pg_password)


@pytest.mark.parametrize(
    "url",
    [
        "garbage",
        "host=127.0.0.1 password=s3cr3t-pw",
        "http://reef:s3cr3t-pw@127.0.0.1/reef",
        "postgresql://reef:s3cr3t-pw@127.0.0.1/reef?no_such_option=1",
        "postgresql://reef:s3cr3t-pw@127.0.0.1:not-a-port/reef",
        "postgresql://reef:s3cr3t-pw@127.0.0.1/reef?sslmode=sometimes",
    ],
)
async def test_a_garbage_url_is_reported(url: str) -> None:
    with pytest.raises(InvalidDatabaseUrlError) as caught:
        await validate_postgres_url(url, connect_timeout=2)
    _assert_secret(caught.value, "s3cr3t-pw")


async def test_each_problem_has_its_own_error() -> None:
    errors = {DatabaseUnreachableError, DatabaseAuthError, DatabaseNotFoundError, InvalidDatabaseUrlError}
    assert len(errors | {DatabasePermissionError}) == 5
    assert all(issubclass(error, DatabaseUrlError) for error in errors)
    assert not any(issubclass(a, b) for a in errors for b in errors if a is not b)


@pytest.fixture
async def visitor_url(pg_dsn: str, pg_admin_dsn: str) -> AsyncIterator[str]:
    """A role that may log in to the database but not create tables in it."""
    async with await psycopg.AsyncConnection.connect(pg_admin_dsn, autocommit=True) as admin:
        await admin.execute("CREATE ROLE reef_visitor LOGIN PASSWORD 'visitor-pw'")
        try:
            yield _with(pg_dsn, user="reef_visitor", key="visitor-pw")
        finally:
            await admin.execute("DROP ROLE reef_visitor")


async def test_a_user_who_cannot_create_tables_is_reported(visitor_url: str) -> None:
    with pytest.raises(DatabasePermissionError, match="public") as caught:
        await validate_postgres_url(visitor_url)
    _assert_secret(caught.value, "visitor-pw")


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("postgresql://reef:pw@db:5432/reef", "postgresql://reef:***@db:5432/reef"),
        ("postgres://reef@db/reef", "postgres://reef@db/reef"),
        (
            "postgresql://db/reef?password=pw&sslmode=require",
            "postgresql://db/reef?password=***&sslmode=require",
        ),
        ("postgresql://reef:p@ss/w?rd@db/reef", "postgresql://reef:***@db/reef"),
        ("postgresql://reef:pw@db1:5432,db2:5433/reef", "postgresql://reef:***@db1:5432,db2:5433/reef"),
        ("host=db password=pw", "***"),
    ],
)
def test_redact_url_hides_the_password(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_a_store_refuses_a_garbage_url() -> None:
    with pytest.raises(InvalidDatabaseUrlError) as caught:
        PostgresStore("postgresql://reef:s3cr3t-pw@db/reef?no_such_option=1")
    _assert_secret(caught.value, "s3cr3t-pw")


async def test_store_errors_never_show_the_password(
    pg_dsn: str, pg_password: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = PostgresStore(_with(pg_dsn, port=CLOSED_PORT), timeout=1)
    assert pg_password not in repr(store)
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as caught:
        await store.write_batch("never", series(1))
    await store.close()
    _assert_secret(caught.value, pg_password)
    assert pg_password not in caplog.text


async def test_store_errors_after_open_are_store_errors(postgres_store: PostgresStore, pg_dsn: str) -> None:
    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as outside:
        await outside.execute(
            sql.SQL("ALTER TABLE {} RENAME COLUMN time TO moment").format(
                sql.Identifier(f"{postgres_store._readings_name}")
            )
        )
    rows = series(3)
    with pytest.raises(StoreError, match="writing a batch failed"):
        await postgres_store.write_batch("broken", rows)
    with pytest.raises(StoreError, match="querying readings failed"):
        await stored_values(postgres_store, rows)
    with pytest.raises(StoreError, match="pruning readings failed"):
        await postgres_store.prune(rows[0].time)


async def test_every_reading_survives_a_server_restart(
    pg_dsn: str, pg_prefix: str, pg_ctl: str, tmp_path: Path
) -> None:
    store = PostgresStore(pg_dsn, table_prefix=pg_prefix, timeout=2)
    spool = Spool(tmp_path / "readings.spool")
    changes: list[bool] = []
    writer = BufferedWriter(
        store,
        spool,
        flush_interval=0.05,
        max_batch=40,
        retry_initial=0.05,
        retry_max=0.5,
        write_timeout=5,
        on_reachable_change=changes.append,
    )
    rows = iter(series(100_000))
    sent = []

    async def stream(count: int) -> None:
        for _ in range(count):
            reading = next(rows)
            writer.add(reading)
            sent.append(reading)
            await asyncio.sleep(0.002)

    async def server(action: str, *options: str) -> None:
        process = await asyncio.create_subprocess_exec(
            *shlex.split(pg_ctl), action, *options, stdout=asyncio.subprocess.DEVNULL
        )
        assert await process.wait() == 0

    await writer.start()
    try:
        await stream(150)
        streaming = asyncio.create_task(stream(150))
        try:
            await server("stop", "-m", "fast")
        finally:
            await streaming
        try:
            async with asyncio.timeout(20):
                while writer.reachable is not False:
                    await stream(10)
            # The batch that found the server down goes to the spool file right after.
            await until(spool.path.exists)
        finally:
            await server("start")
        await stream(150)
        await until(lambda: writer.backlog == 0 and writer.reachable is True, within=30)
        await writer.stop()

        assert changes == [True, False, True]
        assert not spool.path.exists()
        assert await stored_values(store, sent) == [r.value for r in sent]
        await assert_rollups_match(store, sent)
    finally:
        await writer.stop()
        await store.close()


async def test_readings_from_before_rollups_existed_are_rolled_up_once(pg_dsn: str, pg_prefix: str) -> None:
    """Tables written by a version without rollups get them when first opened, and only then."""
    rows = series(5000, step=timedelta(seconds=10))
    store = PostgresStore(pg_dsn, table_prefix=pg_prefix, timeout=5)
    await store.write_batch("old", rows)
    await store.close()
    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as connection:
        await connection.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(f"{pg_prefix}rollups")))
    for _ in range(2):
        reopened = PostgresStore(pg_dsn, table_prefix=pg_prefix, timeout=5)
        try:
            await assert_rollups_match(reopened, rows)
        finally:
            await reopened.close()


async def test_instances_opening_at_once_create_and_fill_the_tables_once(pg_dsn: str, pg_prefix: str) -> None:
    """Several Home Assistant instances starting together against one server do not race on the schema."""
    rows = series(3000, step=timedelta(seconds=10))
    first = PostgresStore(pg_dsn, table_prefix=pg_prefix, timeout=5)
    await first.write_batch("old", rows)
    await first.close()
    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as connection:
        await connection.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(f"{pg_prefix}rollups")))
    stores = [PostgresStore(pg_dsn, table_prefix=pg_prefix, timeout=5) for _ in range(4)]
    try:
        await asyncio.gather(*(store.open() for store in stores))
        await assert_rollups_match(stores[0], rows)
    finally:
        for store in stores:
            await store.close()
