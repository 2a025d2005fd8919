"""A doser's arithmetic: millilitres from seconds, a daily volume as evenly spread doses, a cap, a container."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
import math
from typing import Any, Final

# A scheduled dose found later than this after its time (HA was down, the pump was held) is dropped, not
# delivered late: late doses would pile up on the next ones.
MISSED_AFTER: Final = timedelta(minutes=2)


def rate_from_calibration(seconds: float, measured_ml: float) -> float:
    """The pump's rate in ml/s from a calibration run of `seconds` that delivered `measured_ml`."""
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"a calibration run lasts more than 0 s, not {seconds!r}")
    if not (math.isfinite(measured_ml) and measured_ml > 0):
        raise ValueError(f"a calibration run delivers more than 0 ml, not {measured_ml!r}")
    return measured_ml / seconds


def seconds_for(volume_ml: float, rate_ml_s: float) -> float:
    """How long the pump runs to deliver `volume_ml`."""
    if rate_ml_s <= 0:
        raise ValueError(f"an uncalibrated pump cannot dose (rate {rate_ml_s!r} ml/s)")
    return volume_ml / rate_ml_s


@dataclass(frozen=True, slots=True)
class DoseSchedule:
    """A daily volume split into equal doses spread evenly across a window of the day (local time).

    A window whose end is not after its start runs past midnight; its doses belong to the day it starts.
    """

    daily_ml: float
    doses: int
    start: time
    end: time

    def __post_init__(self) -> None:
        """Refuse a schedule that cannot be dosed."""
        if self.doses < 1:
            raise ValueError(f"a schedule has at least one dose, not {self.doses}")
        if not (math.isfinite(self.daily_ml) and self.daily_ml >= 0):
            raise ValueError(f"a daily volume is 0 ml or more, not {self.daily_ml!r}")

    @property
    def dose_ml(self) -> float:
        """The volume of each dose."""
        return self.daily_ml / self.doses

    def slots(self, day: date, zone: tzinfo) -> list[datetime]:
        """When the doses of the window starting on `day` fall."""
        begin = datetime.combine(day, self.start, zone)
        finish = datetime.combine(day, self.end, zone)
        if finish <= begin:
            finish += timedelta(days=1)
        step = (finish - begin) / self.doses
        return [begin + step * index for index in range(self.doses)]

    def due(self, after: datetime, now: datetime, zone: tzinfo) -> datetime | None:
        """The one dose to give now: the latest slot in (after, now] not older than `MISSED_AFTER`."""
        local = now.astimezone(zone).date()
        latest = None
        for day in (local - timedelta(days=1), local):
            for slot in self.slots(day, zone):
                if after < slot <= now:
                    latest = slot if latest is None else max(latest, slot)
        if latest is None or now - latest > MISSED_AFTER:
            return None
        return latest


@dataclass(slots=True)
class DailyCap:
    """Millilitres delivered on one local day, against the most the doser may ever give in a day."""

    cap_ml: float
    day: date | None = None
    delivered_ml: float = 0.0

    def allowance(self, day: date) -> float:
        """What may still be dosed on `day`."""
        return max(0.0, self.cap_ml - self.delivered_on(day))

    def delivered_on(self, day: date) -> float:
        """What was dosed on `day` so far."""
        return self.delivered_ml if day == self.day else 0.0

    def take(self, day: date, volume_ml: float) -> float:
        """Book up to `volume_ml` on `day` and return how much was booked (never more than the allowance)."""
        booked = min(volume_ml, self.allowance(day))
        self.delivered_ml = self.delivered_on(day) + booked
        self.day = day
        return booked

    def give_back(self, day: date, volume_ml: float) -> None:
        """A booked dose that never ran (the pump did not start)."""
        if day == self.day:
            self.delivered_ml = max(0.0, self.delivered_ml - volume_ml)

    def to_dict(self) -> dict[str, Any]:
        """What is saved across restarts."""
        return {"day": None if self.day is None else self.day.isoformat(), "delivered_ml": self.delivered_ml}

    def restore(self, saved: dict[str, Any]) -> None:
        """Take back what `to_dict` saved."""
        self.day = None if saved.get("day") is None else date.fromisoformat(saved["day"])
        self.delivered_ml = float(saved.get("delivered_ml", 0.0))


@dataclass(slots=True)
class Container:
    """The doser's reservoir: what it holds full, what is left, and the level that asks for a refill."""

    capacity_ml: float
    low_ml: float
    remaining_ml: float

    @property
    def low(self) -> bool:
        """Whether the keeper should refill it."""
        return self.remaining_ml <= self.low_ml

    def draw(self, volume_ml: float) -> None:
        """A dose left the container (it never goes below empty)."""
        self.remaining_ml = max(0.0, self.remaining_ml - volume_ml)

    def refill(self) -> None:
        """The keeper filled it up."""
        self.remaining_ml = self.capacity_ml
