"""SQLite store specifics: its worker thread, atomic batches and a loop that never waits on the disk."""

from __future__ import annotations

import asyncio
from contextlib import closing
from datetime import timedelta
import gc
from pathlib import Path
import sqlite3
import threading

import pytest

from custom_components.bellas_reef.history import SQLiteStore, StoreError

from .helpers import assert_rollups_match, series, stored_values


def _store_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bellas_reef_sqlite")]


async def test_closing_leaves_no_thread_behind(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "readings.db")
    await store.write_batch("one", series(3))
    assert len(_store_threads()) == 1
    await store.close()
    assert _store_threads() == []


async def test_an_unusable_path_fails_cleanly_and_recovers(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "not_yet" / "readings.db")
    with pytest.raises(StoreError, match="not_yet"):
        await store.open()
    (tmp_path / "not_yet").mkdir()
    await store.write_batch("later", series(2))
    await store.close()
    assert _store_threads() == []


async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "readings.db"
    path.write_bytes(b"these are not the readings you are looking for" * 100)
    store = SQLiteStore(path)
    with pytest.raises(StoreError, match="not a database"):
        await store.open()
    await store.close()
    assert _store_threads() == []


async def test_closing_a_store_that_never_opened_is_harmless(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "readings.db")
    await store.close()
    assert not (tmp_path / "readings.db").exists()
    assert repr(store) == f"SQLiteStore({str(tmp_path / 'readings.db')!r})"


async def test_a_failed_batch_leaves_no_trace(tmp_path: Path) -> None:
    path = tmp_path / "readings.db"
    store = SQLiteStore(path, table_prefix="reef_")
    await store.open()
    with closing(sqlite3.connect(path, autocommit=True)) as outside:
        outside.execute('ALTER TABLE "reef_readings" RENAME TO "reef_elsewhere"')
    with pytest.raises(StoreError, match="reef_readings"):
        await store.write_batch("doomed", series(5))
    with closing(sqlite3.connect(path, autocommit=True)) as outside:
        assert outside.execute('SELECT count(*) FROM "reef_batches"').fetchone() == (0,)
        outside.execute('ALTER TABLE "reef_elsewhere" RENAME TO "reef_readings"')
    rows = series(5)
    assert await store.write_batch("doomed", rows) is True
    assert await stored_values(store, rows) == [r.value for r in rows]
    await store.close()


async def test_writes_run_off_the_event_loop(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "readings.db")
    await store.open()
    ticks = 0
    stop = asyncio.Event()

    async def tick() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    await store.write_batch("large", series(2_000))
    during = ticks - before
    stop.set()
    await ticker
    await store.close()
    assert during > 0


async def test_readings_from_before_rollups_existed_are_rolled_up_once(tmp_path: Path) -> None:
    """A file written by a version without rollups gets them when first opened, and only then."""
    path = tmp_path / "readings.db"
    rows = series(5000, step=timedelta(seconds=10))
    store = SQLiteStore(path)
    await store.write_batch("old", rows)
    await store.close()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute('DROP TABLE "bellas_reef_rollups"')
        connection.commit()
    for _ in range(2):
        reopened = SQLiteStore(path)
        try:
            await assert_rollups_match(reopened, rows)
        finally:
            await reopened.close()


async def test_a_connect_cut_short_is_still_closed(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    """A caller cancelled (a write timeout) while the file opens leaves no connection behind once closed."""
    store = SQLiteStore(tmp_path / "readings.db")
    # The file takes its time to open (a slow SD card), so the cancel always lands while it opens.
    opened = threading.Event()
    connect = store._connect

    def slow_connect() -> sqlite3.Connection:
        opened.wait(5)
        return connect()

    store._connect = slow_connect  # type: ignore[method-assign]
    opening = asyncio.create_task(store.open())
    while not _store_threads():
        await asyncio.sleep(0)
    opening.cancel()
    with pytest.raises(asyncio.CancelledError):
        await opening
    opened.set()
    await store.close()
    del store, opening
    gc.collect()
    assert [str(w.message) for w in recwarn if issubclass(w.category, ResourceWarning)] == []
