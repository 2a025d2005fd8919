"""Readings history: stores, rollups, a crash-safe spool, the buffered writer and the rows-on-change filter.

PostgreSQL and SQLite stores keep their rollups beside the rows; the filter keeps rows only on change.

Pure Python (no Home Assistant imports), so the HA layer stays thin and these parts are tested on their own.

``PostgresStore`` and ``validate_postgres_url`` load psycopg, so they are imported on first use (the HA layer
imports ``history.postgres`` in the executor before it needs them): a controller on the embedded store never
loads the driver.
"""

from typing import TYPE_CHECKING, Any

from .changes import ChangeFilter
from .model import (
    ROLLUP_RESOLUTIONS,
    Bucket,
    HistoryError,
    QueryPlan,
    Reading,
    Rollup,
    StoreError,
    bucket_width,
    plan_query,
    rollups_of,
)
from .spool import Spool, SpooledBatch
from .sqlite import SQLiteStore
from .store import ReadingsStore
from .urls import (
    DatabaseAuthError,
    DatabaseNotFoundError,
    DatabasePermissionError,
    DatabaseUnreachableError,
    DatabaseUrlError,
    InvalidDatabaseUrlError,
    redact_url,
)
from .writer import BufferedWriter, RunBlocking

if TYPE_CHECKING:
    from .postgres import PostgresStore, validate_postgres_url

__all__ = [
    "ROLLUP_RESOLUTIONS",
    "Bucket",
    "BufferedWriter",
    "ChangeFilter",
    "DatabaseAuthError",
    "DatabaseNotFoundError",
    "DatabasePermissionError",
    "DatabaseUnreachableError",
    "DatabaseUrlError",
    "HistoryError",
    "InvalidDatabaseUrlError",
    "PostgresStore",
    "QueryPlan",
    "Reading",
    "ReadingsStore",
    "Rollup",
    "RunBlocking",
    "SQLiteStore",
    "Spool",
    "SpooledBatch",
    "StoreError",
    "bucket_width",
    "plan_query",
    "redact_url",
    "rollups_of",
    "validate_postgres_url",
]


def __getattr__(name: str) -> Any:
    """Import the PostgreSQL store, and psycopg with it, when first asked for."""
    if name in {"PostgresStore", "validate_postgres_url"}:
        from . import postgres  # noqa: PLC0415 - psycopg costs megabytes that an embedded store never needs

        return getattr(postgres, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
