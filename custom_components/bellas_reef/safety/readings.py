"""What one probe reported lately, kept only as far back as the rules on it look."""

from __future__ import annotations

import bisect
import math


class RecentReadings:
    """A probe's recent values in time order, plus whether its latest report was a value at all.

    Times are POSIX timestamps. A report of None (or a value that is not a finite number) means the probe was
    unavailable: it is not a value, so it neither resets a stale rule nor enters a rate or flatline window.
    Values older than ``keep`` seconds before the newest are dropped, except the last one at or before that
    point, which still tells what the probe showed when the oldest window opened. ``watched_since`` is when the
    rules started watching the probe: silence before its first value counts from then.
    """

    __slots__ = ("_keep", "_times", "_values", "available", "last_report", "watched_since")

    def __init__(self, keep: float, watched_since: float) -> None:
        """Start empty, keeping ``keep`` seconds of values."""
        self._keep = keep
        self.watched_since = watched_since
        self._times: list[float] = []
        self._values: list[float] = []
        self.available = False
        self.last_report: float | None = None

    def record(self, at: float, value: float | None) -> bool:
        """Add one report; a report older than the last one is ignored (False) so time never runs back."""
        if self.last_report is not None and at < self.last_report:
            return False
        self.last_report = at
        if value is None or not math.isfinite(value):
            self.available = False
            return True
        self.available = True
        self._times.append(at)
        self._values.append(float(value))
        drop = bisect.bisect_right(self._times, at - self._keep) - 1
        if drop > 0:
            del self._times[:drop]
            del self._values[:drop]
        return True

    @property
    def current(self) -> float | None:
        """The latest value while the probe is available, else None."""
        return self._values[-1] if self.available else None

    @property
    def last_value_at(self) -> float | None:
        """When the latest value arrived, whatever came after it."""
        return self._times[-1] if self._times else None

    def held_since(self) -> float:
        """When the latest value began: the first of the unbroken run of reports equal to it.

        A run longer than the values kept starts at the oldest one kept. Only asked once there is a value.
        """
        index = len(self._values) - 1
        while index > 0 and self._values[index - 1] == self._values[-1]:
            index -= 1
        return self._times[index]

    def value_before_latest(self, seconds: float) -> float | None:
        """The value ``seconds`` (> 0) before the latest one, interpolated between the reports around then.

        None when the values do not reach back that far.
        """
        if not self._times:
            return None
        at = self._times[-1] - seconds
        index = bisect.bisect_right(self._times, at) - 1
        if index < 0:
            return None
        start, end = self._times[index], self._times[index + 1]
        share = (at - start) / (end - start)
        return self._values[index] + (self._values[index + 1] - self._values[index]) * share

    def values_since(self, at: float) -> list[float] | None:
        """The value shown at ``at`` and every value after it; None when the values do not reach back to ``at``."""
        index = bisect.bisect_right(self._times, at) - 1
        if index < 0:
            return None
        return self._values[index:]
