"""The buffered writer: cheap adds, batches on a timer or when full, spooling and replay, exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from custom_components.bellas_reef.history import BufferedWriter, Spool, SQLiteStore

from .helpers import FlakyStore, series, stored_values, until

NOW = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)


@pytest.fixture
async def flaky(tmp_path: Path) -> AsyncIterator[FlakyStore]:
    store = FlakyStore(SQLiteStore(tmp_path / "readings.db"))
    yield store
    await store.close()


@pytest.fixture
def spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "readings.spool")


def _writer(store: FlakyStore, spool: Spool, **options: Any) -> BufferedWriter:
    settings: dict[str, Any] = {
        "flush_interval": 3600.0,
        "max_batch": 1000,
        "now": lambda: NOW,
        "retry_initial": 0.01,
        "retry_max": 0.05,
    }
    return BufferedWriter(store, spool, **(settings | options))


async def test_add_only_queues_and_flush_writes(flaky: FlakyStore, spool: Spool) -> None:
    changes: list[bool] = []
    writer = _writer(flaky, spool, on_reachable_change=changes.append)
    await writer.start()
    rows = series(25)
    for reading in rows:
        writer.add(reading)
    assert (writer.backlog, writer.reachable, writer.last_write, flaky.attempts) == (25, None, None, [])
    assert writer.unwritten == 0

    await writer.flush()

    assert (writer.backlog, writer.reachable, writer.last_write) == (0, True, NOW)
    assert changes == [True]
    assert await stored_values(flaky, rows) == [r.value for r in rows]
    await writer.stop()
    assert not spool.path.exists()


async def test_a_full_batch_is_written_without_waiting_for_the_timer(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool, max_batch=10)
    await writer.start()
    for reading in series(9):
        writer.add(reading)
    await asyncio.sleep(0.05)
    assert flaky.attempts == []
    writer.add(series(10)[-1])
    await until(lambda: writer.backlog == 0)
    assert len(flaky.written) == 1
    await writer.stop()


async def test_the_timer_flushes_a_partial_batch(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool, flush_interval=0.02)
    await writer.start()
    writer.add(series(1)[0])
    await until(lambda: writer.backlog == 0)
    await writer.stop()
    assert len(flaky.written) == 1


async def test_large_flushes_are_cut_into_batches(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool, max_batch=7)
    rows = series(30)
    for reading in rows:
        writer.add(reading)
    await writer.flush()
    assert len(flaky.written) == 5
    assert await stored_values(flaky, rows) == [r.value for r in rows]
    await writer.stop()


async def test_an_outage_spools_then_replays_in_order(
    flaky: FlakyStore, spool: Spool, caplog: pytest.LogCaptureFixture
) -> None:
    changes: list[bool] = []
    writer = _writer(flaky, spool, max_batch=10, on_reachable_change=changes.append)
    await writer.start()
    rows = series(60)
    for reading in rows[:10]:
        writer.add(reading)
    await writer.flush()
    flaky.failing = True
    for reading in rows[10:40]:
        writer.add(reading)
    await writer.flush()

    assert (writer.reachable, writer.backlog, writer.unwritten) == (False, 30, 30)
    assert [batch.size for batch in Spool(spool.path).load()] == [10, 10, 10]
    assert "unreachable" in caplog.text

    for reading in rows[40:]:
        writer.add(reading)
    await writer.flush()
    assert writer.backlog == 50
    flaky.failing = False
    await until(lambda: writer.backlog == 0)

    assert changes == [True, False, True]
    assert not spool.path.exists()
    assert await stored_values(flaky, rows) == [r.value for r in rows]
    assert flaky.written_values == [r.value for r in rows]
    await writer.stop()


async def test_a_commit_whose_answer_was_lost_is_not_written_twice(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool)
    await writer.start()
    rows = series(20)
    for reading in rows:
        writer.add(reading)
    flaky.commit_then_fail = True
    await writer.flush()
    assert writer.backlog == 20
    flaky.commit_then_fail = False
    await until(lambda: writer.backlog == 0)
    await writer.stop()
    assert len(flaky.attempts) == 2
    assert flaky.written_values == [r.value for r in rows]
    assert await stored_values(flaky, rows) == [r.value for r in rows]


async def test_a_restart_delivers_the_spool_exactly_once(tmp_path: Path, flaky: FlakyStore) -> None:
    spool_path = tmp_path / "readings.spool"
    rows = series(90)
    flaky.failing = True
    first = _writer(flaky, Spool(spool_path), max_batch=20)
    await first.start()
    for reading in rows[:50]:
        first.add(reading)
    await first.flush()
    for reading in rows[50:70]:
        first.add(reading)
    await first.stop()
    assert first.backlog == 70
    assert sum(batch.size for batch in Spool(spool_path).load()) == 70

    flaky.failing = False
    second = _writer(flaky, Spool(spool_path), max_batch=20)
    for reading in rows[70:]:
        second.add(reading)
    await second.start()
    assert second.backlog == 90
    await until(lambda: second.backlog == 0)
    await second.stop()

    assert not spool_path.exists()
    assert flaky.written_values == [r.value for r in rows]
    assert await stored_values(flaky, rows) == [r.value for r in rows]


async def test_stop_writes_everything_the_store_takes(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool)
    await writer.start()
    rows = series(15)
    for reading in rows:
        writer.add(reading)
    await writer.stop()
    await writer.stop()
    assert writer.backlog == 0
    assert await stored_values(flaky, rows) == [r.value for r in rows]
    with pytest.raises(RuntimeError, match="stopped"):
        writer.add(rows[0])
    with pytest.raises(RuntimeError, match="once"):
        await writer.start()


async def test_stop_without_start_still_replays_the_spool_first(flaky: FlakyStore, spool: Spool) -> None:
    rows = series(10)
    spool.append("left-over", rows[:5])
    writer = _writer(flaky, Spool(spool.path))
    for reading in rows[5:]:
        writer.add(reading)
    await writer.stop()
    assert flaky.written[0] == "left-over"
    assert await stored_values(flaky, rows) == [r.value for r in rows]


async def test_stop_during_backoff_spools_without_trying_the_store(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool, retry_initial=60.0, retry_max=60.0)
    await writer.start()
    flaky.failing = True
    writer.add(series(1)[0])
    await writer.flush()
    writer.add(series(2)[1])
    await writer.stop()
    assert len(flaky.attempts) == 1
    assert [batch.size for batch in Spool(spool.path).load()] == [1, 1]


async def test_retries_back_off(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool, retry_initial=0.05, retry_max=0.1)
    await writer.start()
    flaky.failing = True
    writer.add(series(1)[0])
    await writer.flush()
    await asyncio.sleep(0.5)
    await writer.stop()
    assert 2 <= len(flaky.attempts) <= 8


async def test_a_hanging_store_times_out_into_the_spool(flaky: FlakyStore, spool: Spool) -> None:
    writer = _writer(flaky, spool, write_timeout=0.05, retry_initial=60.0, retry_max=60.0)
    await writer.start()
    flaky.hang = True
    writer.add(series(1)[0])
    await writer.flush()
    assert writer.reachable is False
    assert [batch.size for batch in Spool(spool.path).load()] == [1]
    await writer.stop()


async def test_an_unexpected_store_error_is_logged_and_retried(
    flaky: FlakyStore, spool: Spool, caplog: pytest.LogCaptureFixture
) -> None:
    writer = _writer(flaky, spool, flush_interval=0.01)
    await writer.start()
    flaky.failing, flaky.error = True, RuntimeError("a bug in a store")
    rows = series(3)
    for reading in rows:
        writer.add(reading)
    await until(lambda: len(flaky.attempts) >= 2)
    assert "Unexpected error while writing readings" in caplog.text
    flaky.failing = False
    await until(lambda: writer.backlog == 0)
    await writer.stop()
    assert await stored_values(flaky, rows) == [r.value for r in rows]


async def test_readings_stay_in_memory_when_the_spool_cannot_be_written(
    tmp_path: Path, flaky: FlakyStore, caplog: pytest.LogCaptureFixture
) -> None:
    spool = Spool(tmp_path / "no_such_directory" / "readings.spool")
    writer = _writer(flaky, spool)
    await writer.start()
    flaky.failing = True
    rows = series(5)
    for reading in rows:
        writer.add(reading)
    await writer.flush()
    assert writer.backlog == 5
    assert "keeping them in memory" in caplog.text
    flaky.failing = False
    await until(lambda: writer.backlog == 0)
    await writer.stop()
    assert await stored_values(flaky, rows) == [r.value for r in rows]


async def test_readings_that_fit_nowhere_are_reported_at_stop(
    tmp_path: Path, flaky: FlakyStore, caplog: pytest.LogCaptureFixture
) -> None:
    writer = _writer(flaky, Spool(tmp_path / "no_such_directory" / "readings.spool"))
    await writer.start()
    flaky.failing = True
    writer.add(series(1)[0])
    await writer.stop()
    assert "1 readings could neither be written nor spooled" in caplog.text


async def test_a_spool_read_error_is_retried(
    flaky: FlakyStore, spool: Spool, caplog: pytest.LogCaptureFixture
) -> None:
    rows = series(4)
    spool.append("left-over", rows)
    failures = [OSError("disk hiccup")]

    async def run_blocking[T](job: Callable[[], T]) -> T:
        if isinstance(job, partial) and job.func == spool.read and failures:
            raise failures.pop()
        return await asyncio.to_thread(job)

    writer = _writer(flaky, spool, run_blocking=run_blocking)
    await writer.start()
    await until(lambda: writer.backlog == 0)
    await writer.stop()
    assert "Cannot read the spool" in caplog.text
    assert await stored_values(flaky, rows) == [r.value for r in rows]


@pytest.mark.parametrize(
    "options",
    [
        {"flush_interval": 0},
        {"max_batch": 0},
        {"retry_initial": 0},
        {"retry_initial": 5, "retry_max": 1},
        {"write_timeout": 0},
    ],
)
def test_nonsense_settings_are_refused(flaky: FlakyStore, spool: Spool, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        _writer(flaky, spool, **options)
