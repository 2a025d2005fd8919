"""Lighting behavior engine: what level each channel shows at a given moment, with no Home Assistant imports.

A channel's level is ``evaluate(plan, now, context)``: the plan's program, then its layers, then running
events, then a manual override, then safety (derate / forced off) from the context, in that fixed order.
``Evaluator().evaluate`` gives the same from compiled days, cheaply enough to call for every channel at 20 Hz.
"""

from .astronomy import MoonDay, MoonPosition, SunDay, SunKind, moon_day, moon_position, sun_day
from .compiled import Evaluator, compile_days
from .context import LightingContext, Place, WeatherData
from .engine import (
    Breakdown,
    ChannelPlan,
    Evaluation,
    Override,
    Ramp,
    evaluate,
    needs_fast_tick,
    preview,
    prune,
)
from .events import Clouds, Event, Lightning, Storm, event_from_dict
from .layers import Acclimation, Layer, Lunar, Moonlight, layer_from_dict
from .programs import Daylight, Mimic, Program, Schedule, SchedulePoint, Static, program_from_dict
from .validation import PLAN_ERROR_MESSAGES, PlanError

__all__ = [
    "PLAN_ERROR_MESSAGES",
    "Acclimation",
    "Breakdown",
    "ChannelPlan",
    "Clouds",
    "Daylight",
    "Evaluation",
    "Evaluator",
    "Event",
    "Layer",
    "LightingContext",
    "Lightning",
    "Lunar",
    "Mimic",
    "MoonDay",
    "MoonPosition",
    "Moonlight",
    "Override",
    "Place",
    "PlanError",
    "Program",
    "Ramp",
    "Schedule",
    "SchedulePoint",
    "Static",
    "Storm",
    "SunDay",
    "SunKind",
    "WeatherData",
    "compile_days",
    "evaluate",
    "event_from_dict",
    "layer_from_dict",
    "moon_day",
    "moon_position",
    "needs_fast_tick",
    "preview",
    "program_from_dict",
    "prune",
    "sun_day",
]
