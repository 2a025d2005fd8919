"""What a raised rule does: lights off or dimmed, outlets switched by role, safety mode, a notification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Self

from . import validation as v

# Outlet roles a rule can switch, as the outlet subentries name them.
OUTLET_ROLES = ("heater", "chiller", "return_pump", "powerhead", "skimmer", "ato", "light", "other")
OUTLET_STATES = ("on", "off")


@dataclass(frozen=True, slots=True)
class Derate:
    """The lights dimmed in proportion to how far the value is past the rule's limit.

    The lights' output is multiplied by ``1 − (1 − floor) × min(excess / span, 1)``, where ``excess`` is how far
    the value is past the limit (in the probe's unit; per hour for a rate rule): full output at the limit,
    falling linearly to ``floor`` at ``span`` past it, and ``floor`` beyond. With a limit of 27.8 °C, a span of
    1 °C and a floor of 0.3: 28.3 °C gives 0.65 and 28.8 °C or hotter gives 0.3. While the rule is still raised
    but the value is back inside the limit (within the hysteresis) the factor is 1; when the excess is not
    known yet (a rule restored as raised before its probe's first value) it is ``floor``, the safe side.
    """

    span: float
    floor: float

    def __post_init__(self) -> None:
        """Reject a span that is not positive and a floor outside 0..1 (1 would never dim)."""
        v.check_positive("span", self.span)
        v.check_number("floor", self.floor, 0.0, 0.99)

    def factor(self, excess: float | None) -> float:
        """The multiplier for the lights' output at ``excess`` past the limit."""
        if excess is None:
            return self.floor
        share = min(max(excess / self.span, 0.0), 1.0)
        return 1.0 - (1.0 - self.floor) * share

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"span": self.span, "floor": self.floor}

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Read and validate the JSON form."""
        body = v.mapping(data, "derate_lights")
        return cls(v.number(body, "span"), v.number(body, "floor"))


@dataclass(frozen=True, slots=True)
class Actions:
    """Everything a rule does while it is raised; none of them is required (the rule still raises its alert).

    ``outlets`` maps an outlet role to True (on) or False (off): every outlet with that role is held so while
    the rule is raised. ``notify`` asks for a persistent notification while raised.
    """

    lights_off: bool = False
    derate_lights: Derate | None = None
    outlets: Mapping[str, bool] = field(default_factory=dict)
    safety_mode: bool = False
    notify: bool = False

    def __post_init__(self) -> None:
        """Reject unknown roles and non-boolean flags; freeze the outlet map."""
        v.check_boolean("lights_off", self.lights_off)
        v.check_boolean("safety_mode", self.safety_mode)
        v.check_boolean("notify", self.notify)
        if self.derate_lights is not None and not isinstance(self.derate_lights, Derate):
            raise v.RuleError("invalid_object", name="derate_lights")
        if not isinstance(self.outlets, Mapping):
            raise v.RuleError("invalid_object", name="outlets")
        for role, on in self.outlets.items():
            v.check_choice("role", role, OUTLET_ROLES)
            v.check_boolean(role, on)
        object.__setattr__(self, "outlets", MappingProxyType(dict(sorted(self.outlets.items()))))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; outlets as ``{"heater": "off"}``."""
        return {
            "lights_off": self.lights_off,
            "derate_lights": None if self.derate_lights is None else self.derate_lights.to_dict(),
            "outlets": {role: "on" if on else "off" for role, on in self.outlets.items()},
            "safety_mode": self.safety_mode,
            "notify": self.notify,
        }

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Read and validate the JSON form; absent flags are off."""
        body = v.mapping(data, "actions")
        derate = body.get("derate_lights")
        outlets: dict[str, bool] = {}
        for role, state in v.mapping(body.get("outlets", {}), "outlets").items():
            v.check_choice(role, state, OUTLET_STATES)
            outlets[role] = state == "on"
        return cls(
            lights_off=v.boolean(body, "lights_off"),
            derate_lights=None if derate is None else Derate.from_dict(derate),
            outlets=outlets,
            safety_mode=v.boolean(body, "safety_mode"),
            notify=v.boolean(body, "notify"),
        )


def combine_outlets(*commands: Mapping[str, bool]) -> dict[str, bool]:
    """One command per role from several; when they disagree, off wins.

    A device left off is a failure the keeper sees and can undo; a heater or pump left on by mistake can cook
    or flood a tank.
    """
    combined: dict[str, bool] = {}
    for command in commands:
        for role, on in command.items():
            combined[role] = combined.get(role, True) and on
    return combined
