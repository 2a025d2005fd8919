"""What a rule watches on its probe: a limit, a range, a rate of change, silence or a flat line.

Each condition judges the probe's recent readings and says whether the rule is breached. Conditions with a limit
(above, below, outside, rate) use the rule's hysteresis: once raised, the rule stays raised until the value has
come back past the limit by the hysteresis, so a value hovering at the limit does not flap. ``stale`` and
``flatline`` clear on their own (a fresh value, a moving value) and take no hysteresis.

While the probe is unavailable every condition but ``stale`` keeps its last verdict: an unreadable probe is not a
reason to clear a rule, nor to raise it (that is what ``stale`` rules are for).

``on``, ``off`` and ``on_for`` watch a binary sensor (a leak sensor, a lid switch, a float switch) rather than a
probe: the HA layer reports it as 1.0 while on and 0.0 while off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from . import validation as v
from .readings import RecentReadings

type Condition = Above | Below | Outside | Rate | Stale | Flatline | IsOn | IsOff | OnFor
type Convert = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A condition's judgement of the readings at one moment.

    ``value`` is what was measured (the probe's value, a rate per hour, minutes without a value, or the spread
    of a flat line) and ``limit`` what it was held against. ``excess`` is how far past the limit the value is
    (negative when back inside), or None for conditions without a limit.
    """

    breached: bool
    value: float
    limit: float
    excess: float | None


def _breached(excess: float, raised: bool, hysteresis: float) -> bool:
    """Past the limit to raise; back past it by the hysteresis to clear."""
    return excess > -hysteresis if raised else excess > 0.0


@dataclass(frozen=True, slots=True)
class _Threshold:
    """A single limit the latest value must not pass; `_sign` says which way is past it."""

    _sign: ClassVar[float]
    kind: ClassVar[str]
    has_limit: ClassVar[bool] = True
    limit: float

    def __post_init__(self) -> None:
        """Reject a limit that is not a number."""
        v.check_finite("limit", self.limit)

    @property
    def window(self) -> float:
        """Seconds of past values the condition needs: only the latest."""
        return 0.0

    def check_hysteresis(self, hysteresis: float) -> None:
        """Any hysteresis leaves room to clear on the safe side of a single limit."""

    def check(self, readings: RecentReadings, now: float, raised: bool, hysteresis: float) -> Verdict | None:
        """Judge the latest value."""
        value = readings.current
        if value is None:
            return None
        excess = self._sign * (value - self.limit)
        return Verdict(_breached(excess, raised, hysteresis), value, self.limit, excess)

    def converted(self, point: Convert, step: Convert) -> Self:
        """The same condition in another unit (``point`` converts values, ``step`` differences)."""
        return type(self)(point(self.limit))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "limit": self.limit}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.number(data, "limit"))


@dataclass(frozen=True, slots=True)
class Above(_Threshold):
    """Raised while the value is above ``limit``; clears at or below ``limit`` − hysteresis."""

    kind: ClassVar[str] = "above"
    _sign: ClassVar[float] = 1.0


@dataclass(frozen=True, slots=True)
class Below(_Threshold):
    """Raised while the value is below ``limit``; clears at or above ``limit`` + hysteresis."""

    kind: ClassVar[str] = "below"
    _sign: ClassVar[float] = -1.0


@dataclass(frozen=True, slots=True)
class Outside:
    """Raised while the value is below ``low`` or above ``high``.

    It clears once the value is back inside by the hysteresis on both sides (``low`` + h .. ``high`` − h). The
    limit it reports is the nearer end of the range.
    """

    kind: ClassVar[str] = "outside"
    has_limit: ClassVar[bool] = True
    low: float
    high: float

    def __post_init__(self) -> None:
        """Reject limits that are not numbers or a range with its ends swapped."""
        v.check_finite("low", self.low)
        v.check_finite("high", self.high)
        if self.low >= self.high:
            raise v.RuleError("inverted_range", low=self.low, high=self.high)

    @property
    def window(self) -> float:
        """Seconds of past values the condition needs: only the latest."""
        return 0.0

    def check_hysteresis(self, hysteresis: float) -> None:
        """The clearing band must not be empty: the hysteresis must be under half the range."""
        half = (self.high - self.low) / 2.0
        if hysteresis >= half:
            raise v.RuleError("hysteresis_too_wide", value=hysteresis, maximum=half)

    def check(self, readings: RecentReadings, now: float, raised: bool, hysteresis: float) -> Verdict | None:
        """Judge the latest value against the nearer end of the range."""
        value = readings.current
        if value is None:
            return None
        excess = max(self.low - value, value - self.high)
        limit = self.low if value < (self.low + self.high) / 2.0 else self.high
        return Verdict(_breached(excess, raised, hysteresis), value, limit, excess)

    def converted(self, point: Convert, step: Convert) -> Self:
        """The same condition in another unit (``point`` converts values, ``step`` differences)."""
        return type(self)(point(self.low), point(self.high))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "low": self.low, "high": self.high}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.number(data, "low"), v.number(data, "high"))


@dataclass(frozen=True, slots=True)
class Rate:
    """Raised while the value moves faster than ``max_per_hour`` (probe units per hour), up or down.

    The rate is the change between the latest value and the value ``window_minutes`` before it (interpolated
    between the reports around that moment), scaled to an hour: a 0.5 °C rise over a 30-minute window is
    1 °C/h. It clears once the rate is at or below ``max_per_hour`` − hysteresis. Until the probe's values
    reach back a whole window (after a start) the rule keeps its verdict.
    """

    kind: ClassVar[str] = "rate"
    has_limit: ClassVar[bool] = True
    max_per_hour: float
    window_minutes: int

    def __post_init__(self) -> None:
        """Reject a limit that is not positive and a window outside 1 minute .. 1 day."""
        v.check_positive("max_per_hour", self.max_per_hour)
        v.check_minutes("window_minutes", self.window_minutes)

    @property
    def window(self) -> float:
        """Seconds of past values the condition needs: the whole window."""
        return self.window_minutes * 60.0

    def check_hysteresis(self, hysteresis: float) -> None:
        """The rule must be able to clear at a steady value: the hysteresis must be under the limit."""
        if hysteresis >= self.max_per_hour:
            raise v.RuleError("hysteresis_too_wide", value=hysteresis, maximum=self.max_per_hour)

    def check(self, readings: RecentReadings, now: float, raised: bool, hysteresis: float) -> Verdict | None:
        """Judge the change over the window ending at the latest value."""
        value = readings.current
        start = readings.value_before_latest(self.window)
        if value is None or start is None:
            return None
        rate = (value - start) * 60.0 / self.window_minutes
        excess = abs(rate) - self.max_per_hour
        return Verdict(_breached(excess, raised, hysteresis), rate, self.max_per_hour, excess)

    def converted(self, point: Convert, step: Convert) -> Self:
        """The same condition in another unit (``point`` converts values, ``step`` differences)."""
        return type(self)(step(self.max_per_hour), self.window_minutes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "max_per_hour": self.max_per_hour, "window_minutes": self.window_minutes}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.number(data, "max_per_hour"), v.integer(data, "window_minutes"))


@dataclass(frozen=True, slots=True)
class Stale:
    """Raised once the probe has given no value for ``minutes``; the next value clears it.

    Unavailable reports are not values. Before the first value the silence counts from when the rules started
    watching, so a probe that never reports is caught too. The HA layer must pass on every value the probe
    reports, repeats included, or a steady probe looks silent.
    """

    kind: ClassVar[str] = "stale"
    has_limit: ClassVar[bool] = False
    minutes: int

    def __post_init__(self) -> None:
        """Reject a period outside 1 minute .. 1 day."""
        v.check_minutes("minutes", self.minutes)

    @property
    def window(self) -> float:
        """Seconds of past values the condition needs: only the latest."""
        return 0.0

    def check_hysteresis(self, hysteresis: float) -> None:
        """A fresh value clears the rule: there is nothing for a hysteresis to do."""
        if hysteresis:
            raise v.RuleError("hysteresis_not_used", kind=self.kind, value=hysteresis)

    def check(self, readings: RecentReadings, now: float, raised: bool, hysteresis: float) -> Verdict | None:
        """Judge the minutes since the latest value."""
        last = readings.last_value_at
        silent = (now - (readings.watched_since if last is None else last)) / 60.0
        return Verdict(silent >= self.minutes, silent, float(self.minutes), None)

    def converted(self, point: Convert, step: Convert) -> Self:
        """Minutes do not change with the probe's unit."""
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "minutes": self.minutes}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.integer(data, "minutes"))


@dataclass(frozen=True, slots=True)
class Flatline:
    """Raised once the value has stayed within ``noise`` (highest − lowest) for ``minutes``: a stuck probe.

    The window holds the value shown when it opened and every value since. The rule clears as soon as a value
    moves more than ``noise`` from another one in the window; it can only raise again after a further
    ``minutes`` of flat values, so it cannot flap. Until the values reach back a whole window (after a start)
    the rule keeps its verdict.
    """

    kind: ClassVar[str] = "flatline"
    has_limit: ClassVar[bool] = False
    minutes: int
    noise: float

    def __post_init__(self) -> None:
        """Reject a period outside 1 minute .. 1 day and a negative noise band."""
        v.check_minutes("minutes", self.minutes)
        v.check_not_negative("noise", self.noise)

    @property
    def window(self) -> float:
        """Seconds of past values the condition needs: the whole window."""
        return self.minutes * 60.0

    def check_hysteresis(self, hysteresis: float) -> None:
        """A moving value clears the rule: there is nothing for a hysteresis to do."""
        if hysteresis:
            raise v.RuleError("hysteresis_not_used", kind=self.kind, value=hysteresis)

    def check(self, readings: RecentReadings, now: float, raised: bool, hysteresis: float) -> Verdict | None:
        """Judge the spread of the values over the window ending now."""
        if not readings.available:
            return None
        values = readings.values_since(now - self.window)
        if values is None:
            return None
        spread = max(values) - min(values)
        return Verdict(spread <= self.noise, spread, self.noise, None)

    def converted(self, point: Convert, step: Convert) -> Self:
        """The same condition in another unit (``point`` converts values, ``step`` differences)."""
        return type(self)(self.minutes, step(self.noise))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "minutes": self.minutes, "noise": self.noise}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.integer(data, "minutes"), v.number(data, "noise"))


@dataclass(frozen=True, slots=True)
class _Binary:
    """A condition on a binary sensor: no limit to derate against, nothing for a hysteresis to do."""

    kind: ClassVar[str]
    has_limit: ClassVar[bool] = False
    _breached_when_on: ClassVar[bool]

    @property
    def window(self) -> float:
        """Seconds of past values the condition needs: only the latest."""
        return 0.0

    def check_hysteresis(self, hysteresis: float) -> None:
        """The sensor's own state clears the rule: there is nothing for a hysteresis to do."""
        if hysteresis:
            raise v.RuleError("hysteresis_not_used", kind=self.kind, value=hysteresis)

    def check(self, readings: RecentReadings, now: float, raised: bool, hysteresis: float) -> Verdict | None:
        """Judge the sensor's latest state."""
        value = readings.current
        if value is None:
            return None
        return Verdict(
            (value >= 0.5) == self._breached_when_on, value, 1.0 if self._breached_when_on else 0.0, None
        )

    def converted(self, point: Convert, step: Convert) -> Self:
        """A binary sensor has no unit."""
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read the JSON form: the kind says it all."""
        return cls()


@dataclass(frozen=True, slots=True)
class IsOn(_Binary):
    """Raised while the binary sensor is on (a leak sensor wet); clears as soon as it is off."""

    kind: ClassVar[str] = "on"
    _breached_when_on: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class IsOff(_Binary):
    """Raised while the binary sensor is off (a lid switch open); clears as soon as it is on."""

    kind: ClassVar[str] = "off"
    _breached_when_on: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class OnFor:
    """Raised once the binary sensor has been on for ``seconds`` without a break (a float switch stuck low).

    It clears as soon as the sensor is off. A sensor already on when watching begins counts from then, so a
    restart never raises the rule early. The value it reports is how many seconds the sensor has been on.
    """

    kind: ClassVar[str] = "on_for"
    has_limit: ClassVar[bool] = False
    seconds: int

    def __post_init__(self) -> None:
        """Reject a period that is not a whole number of seconds from 1 second to 1 day."""
        if isinstance(self.seconds, bool) or not isinstance(self.seconds, int):
            raise v.RuleError("invalid_integer", name="seconds", value=self.seconds)
        v.check_number("seconds", self.seconds, 1, 86400)

    @property
    def window(self) -> float:
        """Seconds of past values the condition needs: the whole period."""
        return float(self.seconds)

    def check_hysteresis(self, hysteresis: float) -> None:
        """The sensor going off clears the rule: there is nothing for a hysteresis to do."""
        if hysteresis:
            raise v.RuleError("hysteresis_not_used", kind=self.kind, value=hysteresis)

    def check(self, readings: RecentReadings, now: float, raised: bool, hysteresis: float) -> Verdict | None:
        """Judge how long the sensor has been on without a break."""
        value = readings.current
        if value is None:
            return None
        if value < 0.5:
            return Verdict(False, 0.0, float(self.seconds), None)
        on_for = now - max(readings.held_since(), readings.watched_since)
        return Verdict(on_for >= self.seconds, on_for, float(self.seconds), None)

    def converted(self, point: Convert, step: Convert) -> Self:
        """A binary sensor has no unit."""
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "seconds": self.seconds}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read and validate the JSON form."""
        return cls(v.integer(data, "seconds"))


CONDITIONS: Mapping[str, type[Condition]] = {
    kind.kind: kind for kind in (Above, Below, Outside, Rate, Stale, Flatline, IsOn, IsOff, OnFor)
}
# Conditions on a binary sensor rather than a probe.
BINARY_CONDITIONS: frozenset[str] = frozenset({IsOn.kind, IsOff.kind, OnFor.kind})


def condition_from_dict(data: object) -> Condition:
    """Read any condition from its JSON form, by its ``kind``."""
    body = v.mapping(data, "condition")
    kind = v.field(body, "kind")
    v.check_choice("condition", kind, tuple(CONDITIONS))
    return CONDITIONS[kind].from_dict(body)
