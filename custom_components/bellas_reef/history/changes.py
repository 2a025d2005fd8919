"""Rows only on change: a reading becomes a row when it moved beyond its metric's deadband, or as a heartbeat.

A probe polled every 10 s that holds steady, or a plug that meters 0 W every second, would otherwise fill the table
with the same value. The deadband is measured from the last value kept, so a slow drift is recorded as soon as it
adds up to one deadband; a heartbeat row per source every so often shows on a chart that the source was alive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from .model import Reading

# Floating-point noise must not hide a change of exactly one deadband (25.00 to 25.01 °C).
_TOLERANCE = 1e-9


class ChangeFilter:
    """Decides which readings become rows; remembers the last row and the latest reading of each source."""

    def __init__(
        self,
        deadbands: Mapping[str, float],
        heartbeat: timedelta,
        relative: Mapping[str, float] | None = None,
    ) -> None:
        """Deadbands by metric (a metric not listed keeps every change); one heartbeat row per `heartbeat`.

        A `relative` deadband (a share of the last value kept) widens a metric's deadband as its value grows,
        like the eye judges light: a 1 % step counts at a moonlight level as at full daylight.
        """
        relative = dict(relative or {})
        bands = [*deadbands.values(), *relative.values()]
        if heartbeat <= timedelta(0) or any(band < 0 for band in bands):
            raise ValueError("the heartbeat must be positive and deadbands must not be negative")
        self._deadbands = dict(deadbands)
        self._relative = relative
        self._heartbeat = heartbeat
        self._kept: dict[tuple[str, str, str], Reading] = {}
        self._latest: dict[tuple[str, str, str], Reading] = {}

    def offer(self, reading: Reading) -> bool:
        """Whether the reading becomes a row: the source's first, a change beyond the deadband, or a heartbeat."""
        key = (reading.controller, reading.source, reading.metric)
        self._latest[key] = reading
        kept = self._kept.get(key)
        if kept is not None and reading.time - kept.time < self._heartbeat:
            change = abs(reading.value - kept.value)
            band = max(
                self._deadbands.get(reading.metric, 0.0),
                self._relative.get(reading.metric, 0.0) * abs(kept.value),
            )
            if change == 0 or change < band * (1 - _TOLERANCE):
                return False
        self._kept[key] = reading
        return True

    def due(self, now: datetime, settle: timedelta) -> list[Reading]:
        """Rows for sources that only report changes (a channel's output), to call every few seconds.

        A source that stopped moving `settle` ago at a value within the deadband of its last row gets that value
        as a row (the end of a fade is never left out), and one that stays put gets its heartbeat, stamped now.
        """
        due = []
        for key, kept in self._kept.items():
            latest = self._latest[key]
            if latest.value != kept.value and now - latest.time >= settle:
                row = latest
            elif now - kept.time >= self._heartbeat:
                row = replace(latest, time=now)
            else:
                continue
            self._kept[key] = row
            due.append(row)
        return due

    def forget(self, controller: str, source: str, metric: str) -> None:
        """Stop sending heartbeats for a source that went away or stopped answering."""
        self._kept.pop((controller, source, metric), None)
        self._latest.pop((controller, source, metric), None)
