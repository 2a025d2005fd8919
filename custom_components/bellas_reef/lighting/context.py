"""What the engine needs to know about the world besides the plan: the place, the weather and safety."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
import datetime as dt
from typing import Any, Self
from zoneinfo import ZoneInfo

from . import validation as v
from .astronomy import zone

# Weather conditions (HA's weather entity states) that start a storm in the mimic program.
STORM_CONDITIONS = frozenset({"lightning", "lightning-rainy"})


@dataclass(frozen=True, slots=True)
class Place:
    """A point on Earth with the time zone its clocks follow (an IANA name such as ``Pacific/Tahiti``)."""

    latitude: float
    longitude: float
    time_zone: str

    def __post_init__(self) -> None:
        """Reject coordinates off the globe and unknown time zones."""
        v.check_number("latitude", self.latitude, -90.0, 90.0)
        v.check_number("longitude", self.longitude, -180.0, 180.0)
        v.check_time_zone(self.time_zone)

    @property
    def tzinfo(self) -> ZoneInfo:
        """The place's time zone."""
        return zone(self.time_zone)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"latitude": self.latitude, "longitude": self.longitude, "time_zone": self.time_zone}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        time_zone = v.field(data, "time_zone")
        if not isinstance(time_zone, str):
            raise v.PlanError("invalid_time_zone", value=time_zone)
        return cls(v.number(data, "latitude"), v.number(data, "longitude"), time_zone)


@dataclass(frozen=True, slots=True)
class WeatherData:
    """One HA weather entity as the engine sees it: cloud cover now, hourly forecast and condition.

    ``forecast`` holds (start of the hour, cloud cover %) pairs in time order, as ``weather.get_forecasts``
    returns them for an hourly forecast.
    """

    cloud_cover: float | None = None
    condition: str | None = None
    forecast: tuple[tuple[dt.datetime, float], ...] = ()
    _starts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check percentages and index the forecast for per-tick lookups."""
        if self.cloud_cover is not None:
            v.check_number("cloud_cover", self.cloud_cover, 0.0, 100.0)
        for start, cover in self.forecast:
            v.check_aware("forecast", start)
            v.check_number("cloud_cover", cover, 0.0, 100.0)
        object.__setattr__(self, "_starts", tuple(start.timestamp() for start, _ in self.forecast))

    def cloud_cover_at(self, timestamp: float) -> float | None:
        """Forecast cloud cover for the hour holding ``timestamp``, else the current cover, else None."""
        index = bisect.bisect_right(self._starts, timestamp) - 1
        if index >= 0 and timestamp < self._starts[index] + 3600.0:
            return self.forecast[index][1]
        return self.cloud_cover

    @property
    def stormy(self) -> bool:
        """Whether the entity reports lightning."""
        return self.condition in STORM_CONDITIONS


@dataclass(frozen=True, slots=True)
class LightingContext:
    """Everything outside the plan that a channel's level depends on.

    ``derate`` (0..1) and ``forced_off`` come from the safety rules and always win over the plan.
    """

    place: Place
    weather: Mapping[str, WeatherData] = field(default_factory=dict)
    derate: float = 1.0
    forced_off: bool = False

    def __post_init__(self) -> None:
        """Reject a derate outside 0..1."""
        v.check_number("derate", self.derate, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class Moment:
    """One instant as every stage needs it: a timestamp plus the controller's local wall clock."""

    timestamp: float
    local: dt.datetime
    seconds_of_day: float

    @classmethod
    def at(cls, now: dt.datetime, place: Place) -> Self:
        """``now`` (aware) seen from ``place``."""
        v.check_aware("now", now)
        local = now.astimezone(place.tzinfo)
        seconds = local.hour * 3600.0 + local.minute * 60.0 + local.second + local.microsecond / 1e6
        return cls(now.timestamp(), local, seconds)


def wall_clock(place: Place, day: dt.date, seconds_of_day: float) -> float:
    """Timestamp when the clocks at ``place`` show ``seconds_of_day`` on ``day`` (for a plan's daily times)."""
    midnight = dt.datetime.combine(day, dt.time(0), place.tzinfo)
    return (midnight + dt.timedelta(seconds=seconds_of_day)).timestamp()
