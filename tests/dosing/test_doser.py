"""The doser's arithmetic without Home Assistant: calibration, slots, missed doses, the cap, the container."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
import math
from zoneinfo import ZoneInfo

import pytest

from custom_components.bellas_reef.dosing import (
    MISSED_AFTER,
    Container,
    DailyCap,
    DoseSchedule,
    rate_from_calibration,
    seconds_for,
)

ZONE = ZoneInfo("Europe/Amsterdam")


def test_calibration_math() -> None:
    """60 s that filled 12.5 ml is 0.2083 ml/s, and 2.5 ml then takes 12 s."""
    rate = rate_from_calibration(60, 12.5)
    assert rate == pytest.approx(12.5 / 60)
    assert seconds_for(2.5, rate) == pytest.approx(12.0)
    for seconds, measured in ((0, 1), (-5, 1), (math.nan, 1), (10, 0), (10, math.inf)):
        with pytest.raises(ValueError, match="calibration run"):
            rate_from_calibration(seconds, measured)
    with pytest.raises(ValueError, match="uncalibrated"):
        seconds_for(1, 0)


def test_slots_spread_evenly_and_past_midnight() -> None:
    """24 doses from 00:00 to 23:59 are 59.96 min apart; a 22:00-02:00 window runs into the next day."""
    schedule = DoseSchedule(daily_ml=60, doses=24, start=time(0), end=time(23, 59))
    slots = schedule.slots(date(2026, 6, 1), ZONE)
    assert len(slots) == 24
    assert slots[0] == datetime(2026, 6, 1, tzinfo=ZONE)
    assert slots[1] - slots[0] == timedelta(minutes=1439 / 24)
    assert schedule.dose_ml * len(slots) == pytest.approx(60)
    night = DoseSchedule(daily_ml=4, doses=4, start=time(22), end=time(2))
    assert [slot.hour for slot in night.slots(date(2026, 6, 1), ZONE)] == [22, 23, 0, 1]
    with pytest.raises(ValueError, match="at least one dose"):
        DoseSchedule(daily_ml=1, doses=0, start=time(0), end=time(1))
    with pytest.raises(ValueError, match="daily volume"):
        DoseSchedule(daily_ml=-1, doses=1, start=time(0), end=time(1))


def test_due_gives_one_dose_and_drops_missed_ones() -> None:
    """Only the latest slot since the last check, and only while it is fresh: an outage never piles doses up."""
    schedule = DoseSchedule(daily_ml=24, doses=24, start=time(0), end=time(0))
    one = datetime(2026, 6, 1, 1, tzinfo=ZONE)
    assert schedule.due(one - timedelta(seconds=1), one, ZONE) == one
    assert schedule.due(one, one + timedelta(seconds=1), ZONE) is None
    # Down from 00:30 to 03:00:30: the 01:00 and 02:00 doses are gone, 03:00 is given once.
    back = datetime(2026, 6, 1, 3, 0, 30, tzinfo=ZONE)
    assert schedule.due(one - timedelta(minutes=30), back, ZONE) == back - timedelta(seconds=30)
    late = back + MISSED_AFTER
    assert schedule.due(one - timedelta(minutes=30), late, ZONE) is None
    # Just after midnight, the window that started yesterday counts too.
    night = DoseSchedule(daily_ml=2, doses=2, start=time(23), end=time(1))
    midnight = datetime(2026, 6, 2, 0, 0, 10, tzinfo=ZONE)
    assert night.due(midnight - timedelta(seconds=20), midnight, ZONE) == datetime(2026, 6, 2, tzinfo=ZONE)


def test_daily_cap_counts_one_day_and_survives_a_save() -> None:
    """The cap clips a dose to what is left today, starts over tomorrow, and comes back from its saved form."""
    cap = DailyCap(cap_ml=10)
    today, tomorrow = date(2026, 6, 1), date(2026, 6, 2)
    assert cap.take(today, 6) == 6
    assert cap.take(today, 6) == 4
    assert cap.take(today, 1) == 0
    saved = cap.to_dict()
    again = DailyCap(cap_ml=10)
    again.restore(saved)
    assert again.allowance(today) == 0
    assert again.allowance(tomorrow) == 10
    again.give_back(tomorrow, 5)
    assert again.delivered_on(today) == 10
    again.give_back(today, 4)
    assert again.allowance(today) == 4
    assert again.take(tomorrow, 3) == 3
    assert again.delivered_on(today) == 0
    fresh = DailyCap(cap_ml=1)
    fresh.restore(DailyCap(cap_ml=1).to_dict())
    assert fresh.day is None


def test_container_low_and_refill() -> None:
    """Doses draw the container down to empty, never below; a refill makes it full."""
    container = Container(capacity_ml=20, low_ml=5, remaining_ml=20)
    container.draw(14)
    assert not container.low
    container.draw(1)
    assert container.low
    container.draw(50)
    assert container.remaining_ml == 0
    container.refill()
    assert container.remaining_ml == 20
    assert not container.low
