"""The contract every readings store keeps, so the writer and the HA layer need not know which one is used."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from .model import Bucket, Reading


class ReadingsStore(Protocol):
    """Durable home of the readings: batch writes, bucketed queries, retention.

    Every operation opens the store first when needed, so a store that could not be reached at start-up
    starts working as soon as its database is back. Failures raise `StoreError`.
    """

    async def open(self) -> None:
        """Connect and create the schema if missing; safe to call again."""

    async def write_batch(self, batch_id: str, rows: Sequence[Reading]) -> bool:
        """Write the rows unless this batch id was written before; True when written now.

        The batch id is recorded in the same transaction as the rows, so a batch replayed after an
        unacknowledged commit is written exactly once.
        """

    async def query(
        self, controller: str, source: str, metric: str, *, start: datetime, end: datetime, buckets: int
    ) -> list[Bucket]:
        """Aggregate one source's readings in [start, end) into at most `buckets` equal buckets.

        Empty buckets are left out; buckets come in time order with UTC times.
        """

    async def prune(self, older_than: datetime) -> int:
        """Delete readings (and remembered batch ids) older than the cutoff; return readings deleted."""

    async def close(self) -> None:
        """Release connections and threads; the store cannot be used afterwards."""
