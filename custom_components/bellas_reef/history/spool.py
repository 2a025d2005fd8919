"""Local file of batches the store has not taken yet, so readings survive an outage and a restart.

The file is a log of JSON lines: a batch record (id and rows) is fsynced before `append` returns, an
acknowledgement record marks a batch as written, and the file is removed once every batch is acknowledged.
Acknowledgements are not fsynced: one lost in a crash only replays a batch the store already knows by its
id, and the store writes each batch id once. A line torn by a crash is dropped on load and overwritten.
Every method does blocking file I/O: call them from a worker thread, one call at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
import json
import logging
import os
from pathlib import Path
from typing import Any

from .model import Reading

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SpooledBatch:
    """A batch waiting in the spool: its id and how many readings it holds."""

    batch_id: str
    size: int


@dataclass(frozen=True, slots=True)
class _Entry:
    offset: int
    length: int
    size: int


class Spool:
    """Append-only, crash-tolerant file of pending batches, replayed in the order they were added."""

    def __init__(self, path: Path | str) -> None:
        """Remember the file; it is read on first use."""
        self._path = Path(path)
        self._entries: dict[str, _Entry] = {}
        self._is_loaded = False
        self._end = 0

    @property
    def path(self) -> Path:
        """Where the pending batches are kept."""
        return self._path

    def load(self) -> list[SpooledBatch]:
        """Read the file, drop a torn last line and acknowledged batches; return pending batches in order."""
        entries: dict[str, _Entry] = {}
        try:
            data = self._path.read_bytes()
        except FileNotFoundError:
            data = b""
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) < len(data):
            _LOGGER.warning(
                "Dropping a torn last line of %s (%d bytes)", self._path, len(data) - len(complete)
            )
        compact = False
        offset = 0
        for line in complete.splitlines(keepends=True):
            record = self._decode(line, offset)
            if record is None:
                compact = True
            elif "ack" in record:
                entries.pop(record["ack"], None)
                compact = True
            else:
                entries[record["batch"]] = _Entry(offset, len(line), len(record["rows"]))
            offset += len(line)
        self._entries = entries
        self._end = len(data)
        self._is_loaded = True
        if compact or len(complete) < len(data):
            self._rewrite(complete)
        return [SpooledBatch(batch_id, entry.size) for batch_id, entry in self._entries.items()]

    def append(self, batch_id: str, rows: Sequence[Reading]) -> None:
        """Add a batch at the end of the file and fsync it."""
        entries = self._loaded()
        record = {
            "batch": batch_id,
            "rows": [[r.time.isoformat(), r.controller, r.source, r.metric, r.value] for r in rows],
        }
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        self._write_at(self._end, line, sync=True)
        if self._end == 0:
            self._sync_directory()
        entries[batch_id] = _Entry(self._end, len(line), len(rows))
        self._end += len(line)

    def read(self, batch_id: str) -> list[Reading]:
        """The readings of a pending batch, as they were appended."""
        entry = self._loaded()[batch_id]
        with self._path.open("rb") as file:
            file.seek(entry.offset)
            record = json.loads(file.read(entry.length))
        return [
            Reading(datetime.fromisoformat(time), controller, source, metric, value)
            for time, controller, source, metric, value in record["rows"]
        ]

    def acknowledge(self, batch_id: str) -> None:
        """Mark a batch as written; remove the file when nothing is pending any more."""
        entries = self._loaded()
        del entries[batch_id]
        if not entries:
            self._path.unlink(missing_ok=True)
            self._end = 0
            return
        line = (json.dumps({"ack": batch_id}) + "\n").encode()
        self._write_at(self._end, line, sync=False)
        self._end += len(line)

    def _loaded(self) -> dict[str, _Entry]:
        if not self._is_loaded:
            self.load()
        return self._entries

    def _decode(self, line: bytes, offset: int) -> dict[str, Any] | None:
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and (
            isinstance(record.get("ack"), str)
            or (isinstance(record.get("batch"), str) and isinstance(record.get("rows"), list))
        ):
            return record
        _LOGGER.error("Skipping an unreadable record at byte %d of %s", offset, self._path)
        return None

    def _write_at(self, offset: int, data: bytes, *, sync: bool) -> None:
        """Write at the known end, cutting off whatever a failed earlier write may have left there."""
        descriptor = os.open(self._path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.ftruncate(descriptor, offset)
            _write_all(descriptor, data, offset)
            if sync:
                os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _rewrite(self, complete: bytes) -> None:
        """Compact the file to the pending batch records: write a copy, fsync it, rename it over."""
        if not self._entries:
            self._path.unlink(missing_ok=True)
            self._end = 0
            return
        chunks: list[bytes] = []
        entries: dict[str, _Entry] = {}
        offset = 0
        for batch_id, entry in self._entries.items():
            chunks.append(complete[entry.offset : entry.offset + entry.length])
            entries[batch_id] = _Entry(offset, entry.length, entry.size)
            offset += entry.length
        temporary = self._path.with_name(f"{self._path.name}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(descriptor, b"".join(chunks), 0)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        temporary.replace(self._path)
        self._sync_directory()
        self._entries = entries
        self._end = offset

    def _sync_directory(self) -> None:
        """Make a created or renamed file survive a power cut."""
        descriptor = os.open(self._path.parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _write_all(descriptor: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(descriptor, view, offset)
        view = view[written:]
        offset += written
