"""Buffered, batched writes of readings that never block the event loop and never lose a reading.

Readings collect in memory and are cut into batches, each with a fresh id, on a timer or when a batch is
full. A batch the store refuses goes to the spool, and the spool is replayed, oldest batch first, before
anything newer is written; retries back off exponentially. Batch ids make a replay of a batch the store
did commit harmless, so every reading is stored exactly once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
import logging
from typing import Protocol
from uuid import uuid4

from .model import Reading, StoreError
from .spool import Spool, SpooledBatch
from .store import ReadingsStore

_LOGGER = logging.getLogger(__name__)


class RunBlocking(Protocol):
    """Runs a blocking call off the event loop, like asyncio.to_thread or hass.async_add_executor_job."""

    def __call__[T](self, job: Callable[[], T], /) -> Awaitable[T]:
        """Run the job in a worker thread and return its result."""
        ...


class _SpoolUnreadableError(Exception):
    """Reading or acknowledging a spooled batch failed; the batch stays in the spool."""


@dataclass(frozen=True, slots=True)
class _Batch:
    batch_id: str
    rows: list[Reading]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BufferedWriter:
    """Feeds readings to a store in batches, spooling them to disk while the store is unreachable."""

    def __init__(
        self,
        store: ReadingsStore,
        spool: Spool,
        flush_interval: float = 10.0,
        max_batch: int = 500,
        *,
        now: Callable[[], datetime] = _utc_now,
        run_blocking: RunBlocking = asyncio.to_thread,
        retry_initial: float = 1.0,
        retry_max: float = 300.0,
        write_timeout: float = 60.0,
        on_reachable_change: Callable[[bool], None] | None = None,
    ) -> None:
        """Set the writer up; nothing runs until `start`."""
        if flush_interval <= 0 or write_timeout <= 0 or not 0 < retry_initial <= retry_max:
            raise ValueError("flush interval, write timeout and retry delays must be positive")
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        self._store = store
        self._spool = spool
        self._flush_interval = flush_interval
        self._max_batch = max_batch
        self._now = now
        self._run_blocking = run_blocking
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._write_timeout = write_timeout
        self._on_reachable_change = on_reachable_change
        self._buffer: list[Reading] = []
        self._fresh: deque[_Batch] = deque()
        self._fresh_rows = 0
        self._spooled: deque[SpooledBatch] = deque()
        self._spooled_rows = 0
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self._retry_at = 0.0
        self._retry_delay = retry_initial
        self._reachable: bool | None = None
        self._last_write: datetime | None = None

    @property
    def backlog(self) -> int:
        """Readings not in the store yet: buffered, batched or spooled."""
        return len(self._buffer) + self._fresh_rows + self._spooled_rows

    @property
    def unwritten(self) -> int:
        """Readings a delivery tried and failed to store: spooled, or kept in memory when the spool failed.

        Readings waiting for the next regular flush, or being written right now, do not count, so a healthy
        store reads 0.
        """
        return self._spooled_rows + (self._fresh_rows if self._reachable is False else 0)

    @property
    def delivering(self) -> bool:
        """Whether a delivery to the store (or to the spool) is under way right now."""
        return self._lock.locked()

    @property
    def last_write(self) -> datetime | None:
        """When the store last took a batch; None before the first one."""
        return self._last_write

    @property
    def reachable(self) -> bool | None:
        """Whether the last write to the store worked; None before the first attempt."""
        return self._reachable

    async def start(self) -> None:
        """Load the spool left by an earlier run and start flushing in the background."""
        if self._stopped or self._task is not None:
            raise RuntimeError("the writer can be started once")
        await self._load_spool()
        self._task = asyncio.create_task(self._run(), name="bellas_reef readings writer")

    def add(self, reading: Reading) -> None:
        """Queue one reading; cheap, never waits. Call it from the event loop."""
        if self._stopped:
            raise RuntimeError("the writer is stopped")
        self._buffer.append(reading)
        if len(self._buffer) >= self._max_batch:
            self._wake.set()

    async def flush(self) -> None:
        """Write what is queued now, e.g. before a query; spool it instead while the store is failing."""
        async with self._lock:
            await self._deliver()

    async def stop(self) -> None:
        """Stop the background flush, write what the store takes and leave the rest in the spool."""
        if self._stopped:
            return
        self._stopped = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        else:
            await self._load_spool()
        async with self._lock:
            await self._deliver()
        if self._fresh_rows:
            _LOGGER.error("%d readings could neither be written nor spooled", self._fresh_rows)

    async def _load_spool(self) -> None:
        pending = await self._run_blocking(self._spool.load)
        self._spooled.extend(pending)
        self._spooled_rows += sum(batch.size for batch in pending)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait = self._flush_interval
            if self._spooled or self._fresh:
                wait = min(wait, max(self._retry_at - loop.time(), 0.0))
            try:
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            if self._stopped:
                return
            async with self._lock:
                await self._deliver()

    async def _deliver(self) -> None:
        self._cut_batches()
        if not (self._spooled or self._fresh):
            return
        if asyncio.get_running_loop().time() < self._retry_at:
            await self._spool_fresh()
            return
        try:
            await self._replay_spool()
            await self._write_fresh()
        except Exception as err:
            if isinstance(err, _SpoolUnreadableError):
                _LOGGER.exception("Cannot read the spool %s, will retry", self._spool.path)
            else:
                if isinstance(err, StoreError):
                    if self._reachable is not False:
                        _LOGGER.warning("Readings store unreachable, spooling readings: %s", err)
                else:
                    _LOGGER.exception("Unexpected error while writing readings, spooling them")
                self._set_reachable(False)
            self._back_off()
            await self._spool_fresh()
        else:
            self._retry_at = 0.0
            self._retry_delay = self._retry_initial

    def _cut_batches(self) -> None:
        buffer, self._buffer = self._buffer, []
        for first in range(0, len(buffer), self._max_batch):
            rows = buffer[first : first + self._max_batch]
            self._fresh.append(_Batch(uuid4().hex, rows))
            self._fresh_rows += len(rows)

    async def _replay_spool(self) -> None:
        while self._spooled:
            batch = self._spooled[0]
            rows = await self._from_spool(partial(self._spool.read, batch.batch_id))
            await self._write(batch.batch_id, rows)
            await self._from_spool(partial(self._spool.acknowledge, batch.batch_id))
            self._spooled.popleft()
            self._spooled_rows -= batch.size

    async def _from_spool[T](self, job: Callable[[], T]) -> T:
        try:
            return await self._run_blocking(job)
        except OSError as err:
            raise _SpoolUnreadableError(str(err)) from err

    async def _write_fresh(self) -> None:
        while self._fresh:
            batch = self._fresh[0]
            await self._write(batch.batch_id, batch.rows)
            self._fresh.popleft()
            self._fresh_rows -= len(batch.rows)

    async def _write(self, batch_id: str, rows: list[Reading]) -> None:
        try:
            async with asyncio.timeout(self._write_timeout):
                await self._store.write_batch(batch_id, rows)
        except TimeoutError:
            raise StoreError(f"writing a batch took longer than {self._write_timeout} s") from None
        self._last_write = self._now()
        if self._reachable is False:
            _LOGGER.info("Readings store reachable again")
        self._set_reachable(True)

    async def _spool_fresh(self) -> None:
        while self._fresh:
            batch = self._fresh[0]
            try:
                await self._run_blocking(partial(self._spool.append, batch.batch_id, batch.rows))
            except Exception:
                _LOGGER.exception("Cannot spool readings to %s, keeping them in memory", self._spool.path)
                return
            self._fresh.popleft()
            self._fresh_rows -= len(batch.rows)
            self._spooled.append(SpooledBatch(batch.batch_id, len(batch.rows)))
            self._spooled_rows += len(batch.rows)

    def _back_off(self) -> None:
        self._retry_at = asyncio.get_running_loop().time() + self._retry_delay
        self._retry_delay = min(self._retry_delay * 2, self._retry_max)

    def _set_reachable(self, reachable: bool) -> None:
        if self._reachable is reachable:
            return
        self._reachable = reachable
        if self._on_reachable_change is not None:
            self._on_reachable_change(reachable)
