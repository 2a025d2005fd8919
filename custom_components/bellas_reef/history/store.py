"""The contract every readings store keeps, so the writer and the HA layer need not know which one is used."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from .model import Bucket, Reading


class ReadingsStore(Protocol):
    """Durable home of the readings: batch writes, bucketed queries, retention.

    Besides the rows it keeps rollups (sum, minimum, maximum and count per source and slot of one minute,
    five minutes and one hour), updated in the transaction that writes their rows, and answers wide queries
    from them (see `plan_query`).

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
        """Aggregate one source's readings in [start, end) into at most `buckets` buckets.

        Buckets lie on the grid `plan_query` gives, clipped to the range; empty ones are left out; they come
        in time order with UTC times.
        """

    async def prune(self, older_than: datetime, rollups_older_than: datetime | None = None) -> int:
        """Delete readings (and remembered batch ids) older than the cutoff; return readings deleted.

        Rollups are kept, unless `rollups_older_than` is given: then those of slots before it go.
        """

    async def remove_controller(self, controller: str) -> int:
        """Delete every reading and rollup of one controller; return the readings deleted."""

    async def close(self) -> None:
        """Release connections and threads; the store cannot be used afterwards."""
