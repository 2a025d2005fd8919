"""Stores for the history tests: SQLite in a temporary directory, PostgreSQL from BELLAS_REEF_PG_DSN."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
import os
from pathlib import Path
from uuid import uuid4

import psycopg
from psycopg import sql
import pytest

from custom_components.bellas_reef.history import PostgresStore, ReadingsStore, SQLiteStore


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """The history package is pure Python: its tests need no Home Assistant instance."""


def _environment(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"{name} is not set: run these tests with `scripts/run --postgres`")
    return value


@pytest.fixture
def pg_dsn() -> str:
    """The application role's DSN of the throw-away PostgreSQL server; missing means failure, not a skip."""
    return _environment("BELLAS_REEF_PG_DSN")


@pytest.fixture
def pg_admin_dsn() -> str:
    """The superuser's DSN of the same server."""
    return _environment("BELLAS_REEF_PG_ADMIN_DSN")


@pytest.fixture
def pg_ctl() -> str:
    """Command prefix that stops and starts that server."""
    return _environment("BELLAS_REEF_PG_CTL")


@pytest.fixture
async def pg_prefix(pg_dsn: str) -> AsyncIterator[str]:
    """A table prefix of this test alone; its tables are dropped afterwards."""
    prefix = f"t{uuid4().hex[:12]}_"
    yield prefix
    async with await psycopg.AsyncConnection.connect(pg_dsn, autocommit=True) as connection:
        await connection.execute(
            sql.SQL("DROP TABLE IF EXISTS {}, {}, {}").format(
                sql.Identifier(f"{prefix}readings"),
                sql.Identifier(f"{prefix}batches"),
                sql.Identifier(f"{prefix}rollups"),
            )
        )


@pytest.fixture
async def postgres_store(pg_dsn: str, pg_prefix: str) -> AsyncIterator[PostgresStore]:
    """An open PostgreSQL store on tables of its own."""
    store = PostgresStore(pg_dsn, table_prefix=pg_prefix, timeout=5)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    """An open SQLite store in a fresh file."""
    store = SQLiteStore(tmp_path / "readings.db")
    await store.open()
    yield store
    await store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> ReadingsStore:
    """Each store in turn, for the contract both must keep."""
    found: ReadingsStore = request.getfixturevalue(f"{request.param}_store")
    return found


@pytest.fixture(params=["sqlite", "postgres"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], ReadingsStore]:
    """Builds fresh, unopened stores on the same tables, to test what survives a reopen."""
    if request.param == "sqlite":
        return lambda: SQLiteStore(tmp_path / "reopen.db")
    dsn: str = request.getfixturevalue("pg_dsn")
    prefix: str = request.getfixturevalue("pg_prefix")
    return lambda: PostgresStore(dsn, table_prefix=prefix, timeout=5)
