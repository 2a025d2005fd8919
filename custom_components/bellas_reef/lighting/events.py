"""Events: effects a reef keeper starts for a while (clouds, storm, lightning) on top of program and layers.

Every event has a start, a duration, a strength (0..1) and a seed. Its randomness is a pure function of
(seed, time), so the same seed replays the same sky; starting an event on several channels with one seed
keeps them in step, and a clouds event's ``travel_seconds`` delays each channel by its position across the
tank so a cloud's shadow drifts from one end to the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import datetime as dt
from typing import Any, ClassVar, Self

from . import validation as v
from .effects import Sample, cloud_cover, envelope, lightning, storm

type Event = Clouds | Storm | Lightning

_MAX_DURATION_SECONDS = 7 * 86400.0
_MAX_SEED = (1 << 63) - 1


def _check_common(start: dt.datetime, duration_seconds: float, strength: float, seed: int) -> None:
    v.check_aware("start", start)
    v.check_number("duration_seconds", duration_seconds, 1.0, _MAX_DURATION_SECONDS)
    v.check_number("strength", strength, 0.0, 1.0)
    v.check_integer("seed", seed, 0, _MAX_SEED)


def _common_dict(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "start": event.start.isoformat(),
        "duration_seconds": event.duration_seconds,
        "strength": event.strength,
        "seed": event.seed,
    }


def _common_fields(data: Mapping[str, Any]) -> tuple[dt.datetime, float, float, int]:
    return (
        v.aware_datetime(v.field(data, "start"), "start"),
        v.number(data, "duration_seconds"),
        v.number(data, "strength"),
        v.integer(data, "seed"),
    )


@dataclass(frozen=True, slots=True)
class Clouds:
    """Passing clouds: ``strength`` is how much of the sky is cloud, ``depth`` how much a cloud dims (0..1).

    A channel at ``position`` p (0..1 across the tank) sees the cloud pattern ``p × travel_seconds`` later.
    """

    kind: ClassVar[str] = "clouds"
    start: dt.datetime
    duration_seconds: float
    strength: float = 0.5
    seed: int = 0
    depth: float = 0.6
    travel_seconds: float = 8.0
    start_timestamp: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Reject out-of-range parameters and a naive start."""
        _check_common(self.start, self.duration_seconds, self.strength, self.seed)
        v.check_number("depth", self.depth, 0.0, 1.0)
        v.check_number("travel_seconds", self.travel_seconds, 0.0, 600.0)
        object.__setattr__(self, "start_timestamp", self.start.timestamp())

    @property
    def end_timestamp(self) -> float:
        """When the event is over."""
        return self.start_timestamp + self.duration_seconds

    def apply(self, level: float, timestamp: float, position: float) -> Sample:
        """``level`` under the clouds passing over a channel at ``position``."""
        cover = cloud_cover(self.seed, timestamp - position * self.travel_seconds, self.strength)
        fade = envelope(timestamp, self.start_timestamp, self.end_timestamp)
        return Sample(level * (1.0 - self.depth * cover * fade), False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return _common_dict(self) | {"depth": self.depth, "travel_seconds": self.travel_seconds}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        start, duration, strength, seed = _common_fields(data)
        return cls(
            start,
            duration,
            strength,
            seed,
            v.number(data, "depth", 0.6),
            v.number(data, "travel_seconds", 8.0),
        )


@dataclass(frozen=True, slots=True)
class Storm:
    """A storm: the light darkens (more with ``strength``) and random lightning flashes through it."""

    kind: ClassVar[str] = "storm"
    start: dt.datetime
    duration_seconds: float
    strength: float = 0.6
    seed: int = 0
    start_timestamp: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Reject out-of-range parameters and a naive start."""
        _check_common(self.start, self.duration_seconds, self.strength, self.seed)
        object.__setattr__(self, "start_timestamp", self.start.timestamp())

    @property
    def end_timestamp(self) -> float:
        """When the event is over."""
        return self.start_timestamp + self.duration_seconds

    def apply(self, level: float, timestamp: float, position: float) -> Sample:
        """``level`` darkened, or a flash; lightning lights the whole tank at once, so position is unused."""
        return storm(
            self.seed,
            timestamp,
            start=self.start_timestamp,
            end=self.end_timestamp,
            strength=self.strength,
            base=level,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return _common_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(*_common_fields(data))


@dataclass(frozen=True, slots=True)
class Lightning:
    """A burst of ``flashes`` lightning flashes spread over the duration, ``strength`` bright."""

    kind: ClassVar[str] = "lightning"
    start: dt.datetime
    duration_seconds: float
    strength: float = 1.0
    seed: int = 0
    flashes: int = 3
    start_timestamp: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Reject out-of-range parameters, a naive start, and flashes packed tighter than one per 0.7 s."""
        _check_common(self.start, self.duration_seconds, self.strength, self.seed)
        v.check_integer("flashes", self.flashes, 1, 100)
        v.check_number("duration_seconds", self.duration_seconds, 0.7 * self.flashes, _MAX_DURATION_SECONDS)
        object.__setattr__(self, "start_timestamp", self.start.timestamp())

    @property
    def end_timestamp(self) -> float:
        """When the event is over."""
        return self.start_timestamp + self.duration_seconds

    def apply(self, level: float, timestamp: float, position: float) -> Sample:
        """``level``, or a flash over it."""
        return lightning(
            self.seed,
            timestamp,
            start=self.start_timestamp,
            end=self.end_timestamp,
            flashes=self.flashes,
            strength=self.strength,
            base=level,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return _common_dict(self) | {"flashes": self.flashes}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(*_common_fields(data), flashes=v.integer(data, "flashes", 3))


EVENTS: Mapping[str, type[Event]] = {event.kind: event for event in (Clouds, Storm, Lightning)}


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Build any event from its JSON form, chosen by its ``kind``."""
    data = v.mapping(data, "event")
    kind = v.field(data, "kind")
    v.check_choice("kind", kind, tuple(EVENTS))
    return EVENTS[kind].from_dict(data)
