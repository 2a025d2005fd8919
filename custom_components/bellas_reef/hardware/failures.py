"""When to call a device unavailable, and when to say so: once on the way down, once on the way back."""

from enum import Enum

DEFAULT_THRESHOLD = 3


class Transition(Enum):
    """A change worth one log line (and a repair issue raised or cleared)."""

    UNAVAILABLE = "unavailable"
    RECOVERED = "recovered"


class FailureTracker:
    """Counts consecutive failures of one device: N in a row make it unavailable, one success brings it back.

    A single glitch on a busy bus does not flap the entities; a device that stays away is reported once.
    """

    def __init__(self, threshold: int = DEFAULT_THRESHOLD) -> None:
        """A device presumed available."""
        if threshold < 1:
            raise ValueError(f"threshold must be at least 1, not {threshold}")
        self.threshold = threshold
        self.consecutive_failures = 0
        self.available = True
        self.last_error: str | None = None

    def failure(self, error: BaseException | str) -> Transition | None:
        """Record a failed attempt; returns UNAVAILABLE exactly when this one crosses the threshold."""
        self.consecutive_failures += 1
        self.last_error = str(error)
        if self.available and self.consecutive_failures >= self.threshold:
            self.available = False
            return Transition.UNAVAILABLE
        return None

    def success(self) -> Transition | None:
        """Record a successful attempt; returns RECOVERED if the device had been unavailable."""
        self.consecutive_failures = 0
        if self.available:
            return None
        self.available = True
        return Transition.RECOVERED
