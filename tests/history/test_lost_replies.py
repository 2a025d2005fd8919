"""PostgreSQL behind a proxy that cuts connections, replies to COMMIT included: still every reading once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from custom_components.bellas_reef.history import BufferedWriter, PostgresStore, Spool

from .helpers import assert_rollups_match, series, stored_values, until
from .proxy import CuttingProxy

SEED = 20261130


@pytest.fixture
async def proxy(pg_dsn: str, socket_enabled: None) -> AsyncIterator[CuttingProxy]:
    """A cutting proxy in front of the test server (loopback only, like every network test here)."""
    cutting = CuttingProxy.for_url(pg_dsn, seed=SEED)
    await cutting.start()
    yield cutting
    await cutting.close()


@pytest.fixture
async def direct_store(pg_dsn: str, pg_prefix: str) -> AsyncIterator[PostgresStore]:
    """The same tables, reached without the proxy, to check what was really stored."""
    store = PostgresStore(pg_dsn, table_prefix=pg_prefix, timeout=5)
    yield store
    await store.close()


def _writer(store: PostgresStore, spool: Spool) -> BufferedWriter:
    return BufferedWriter(
        store, spool, flush_interval=0.02, max_batch=50, retry_initial=0.01, retry_max=0.05, write_timeout=3
    )


async def test_a_commit_whose_reply_is_lost_is_stored_once(
    proxy: CuttingProxy, pg_dsn: str, pg_prefix: str, direct_store: PostgresStore, tmp_path: Path
) -> None:
    store = PostgresStore(proxy.url(pg_dsn), table_prefix=pg_prefix, timeout=2)
    await store.open()
    writer = _writer(store, Spool(tmp_path / "readings.spool"))
    await writer.start()
    rows = series(500, step=timedelta(seconds=10))
    proxy.lose_commit_replies = 3
    try:
        for reading in rows:
            writer.add(reading)
        await until(lambda: writer.backlog == 0 and proxy.lose_commit_replies == 0, within=30)
    finally:
        await writer.stop()
        await store.close()
    assert proxy.cuts["commit reply lost"] == 3
    assert await stored_values(direct_store, rows, step=timedelta(seconds=10)) == [r.value for r in rows]
    await assert_rollups_match(direct_store, rows)


async def test_random_cuts_lose_and_duplicate_nothing(
    proxy: CuttingProxy, pg_dsn: str, pg_prefix: str, direct_store: PostgresStore, tmp_path: Path
) -> None:
    """Connections cut at random chunks, replies to COMMIT lost, an outage and a restart of the writer."""
    spool_path = tmp_path / "readings.spool"
    rows = series(3000, step=timedelta(seconds=10))
    store = PostgresStore(proxy.url(pg_dsn), table_prefix=pg_prefix, timeout=2)
    await store.open()
    proxy.cut_chance = 0.05
    proxy.lose_commit_replies = 5
    first = _writer(store, Spool(spool_path))
    await first.start()
    for reading in rows[:1000]:
        first.add(reading)
    await until(lambda: first.backlog < 600, within=30)
    proxy.down = True
    proxy.cut_all()
    for reading in rows[1000:2000]:
        first.add(reading)
    await first.flush()
    await first.stop()
    await store.close()
    assert first.backlog > 0

    proxy.down = False
    store = PostgresStore(proxy.url(pg_dsn), table_prefix=pg_prefix, timeout=2)
    second = _writer(store, Spool(spool_path))
    for reading in rows[2000:]:
        second.add(reading)
    await second.start()
    try:
        await until(lambda: second.backlog == 0, within=60)
    finally:
        await second.stop()
        await store.close()

    assert proxy.cuts["random"] > 0, proxy.cuts
    assert proxy.cuts["commit reply lost"] > 0, proxy.cuts
    assert not spool_path.exists()
    assert await stored_values(direct_store, rows, step=timedelta(seconds=10)) == [r.value for r in rows]
    for day in range(0, len(rows), 8640):
        await assert_rollups_match(direct_store, rows[day : day + 8640])
