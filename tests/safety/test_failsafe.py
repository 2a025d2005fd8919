"""The heater fail-safe: heaters off after minutes without a temperature, back when the probe returns."""

from __future__ import annotations

import pytest

from custom_components.bellas_reef.safety import HeaterFailsafe, RuleError

from .helpers import START, at


def test_heaters_go_off_after_five_minutes_unavailable_and_come_back_with_the_probe() -> None:
    failsafe = HeaterFailsafe()
    last_good = at(1)
    timeline = [
        (2, False),  # a read failed: still within the grace
        (5.9, False),
        (6, False),  # 5 min after the last good value
        (20, False),
        (21, True),  # the probe is back
    ]
    tripped = [
        failsafe.tripped(at(minute), available=available, last_good=last_good, watching_since=START)
        for minute, available in timeline
    ]
    assert tripped == [False, False, True, True, False]


def test_the_commands_turn_heaters_off_only_while_tripped() -> None:
    failsafe = HeaterFailsafe()
    assert failsafe.outlets(at(10), available=False, last_good=at(0), watching_since=START) == {
        "heater": False
    }
    assert failsafe.outlets(at(10), available=True, last_good=at(10), watching_since=START) == {}
    assert failsafe.outlets(at(3), available=False, last_good=at(0), watching_since=START) == {}


def test_a_probe_never_read_counts_from_when_watching_began() -> None:
    failsafe = HeaterFailsafe(minutes=10)
    assert not failsafe.tripped(at(9), available=False, last_good=None, watching_since=START)
    assert failsafe.tripped(at(10), available=False, last_good=None, watching_since=START)


def test_a_restart_gives_the_probe_the_full_grace_again() -> None:
    failsafe = HeaterFailsafe()
    restarted = at(60)
    assert not failsafe.tripped(at(64), available=False, last_good=at(0), watching_since=restarted)
    assert failsafe.tripped(at(65), available=False, last_good=at(0), watching_since=restarted)


@pytest.mark.parametrize("minutes", [0, 1441, 2.5])
def test_the_delay_must_be_whole_minutes_up_to_a_day(minutes: int) -> None:
    with pytest.raises(RuleError):
        HeaterFailsafe(minutes=minutes)
