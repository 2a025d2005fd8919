"""Readings history: PostgreSQL and SQLite stores, a crash-safe spool and the buffered writer.

Pure Python (no Home Assistant imports), so the HA layer stays thin and these parts are tested on their own.
"""

from .model import Bucket, HistoryError, Reading, StoreError, bucket_width
from .postgres import (
    DatabaseAuthError,
    DatabaseNotFoundError,
    DatabasePermissionError,
    DatabaseUnreachableError,
    DatabaseUrlError,
    InvalidDatabaseUrlError,
    PostgresStore,
    redact_url,
    validate_postgres_url,
)
from .spool import Spool, SpooledBatch
from .sqlite import SQLiteStore
from .store import ReadingsStore
from .writer import BufferedWriter, RunBlocking

__all__ = [
    "Bucket",
    "BufferedWriter",
    "DatabaseAuthError",
    "DatabaseNotFoundError",
    "DatabasePermissionError",
    "DatabaseUnreachableError",
    "DatabaseUrlError",
    "HistoryError",
    "InvalidDatabaseUrlError",
    "PostgresStore",
    "Reading",
    "ReadingsStore",
    "RunBlocking",
    "SQLiteStore",
    "Spool",
    "SpooledBatch",
    "StoreError",
    "bucket_width",
    "redact_url",
    "validate_postgres_url",
]
