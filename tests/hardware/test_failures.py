"""FailureTracker: unavailable after N failures in a row, each transition reported once."""

import pytest

from custom_components.bellas_reef.hardware.failures import FailureTracker, Transition


def test_reports_each_transition_once() -> None:
    tracker = FailureTracker(threshold=3)
    assert tracker.failure(OSError("glitch")) is None
    assert tracker.success() is None
    assert [tracker.failure("gone") for _ in range(5)] == [None, None, Transition.UNAVAILABLE, None, None]
    assert (tracker.available, tracker.consecutive_failures, tracker.last_error) == (False, 5, "gone")
    assert tracker.success() is Transition.RECOVERED
    assert tracker.success() is None
    assert (tracker.available, tracker.consecutive_failures) == (True, 0)


def test_a_threshold_of_one_reports_at_once() -> None:
    tracker = FailureTracker(1)
    assert tracker.failure(ValueError("bad")) is Transition.UNAVAILABLE
    assert tracker.last_error == "bad"


def test_the_threshold_is_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FailureTracker(0)
