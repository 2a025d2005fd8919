"""A day of the demo tank's sources, counted as rows before (every poll a row) and after (only on change).

The demo tank (scripts/demo): four probes read every 10 s from the simulated water (the integration's own
TankModel, heater switching included), four metering outlets polled every second (heater, return pump,
skimmer, wave maker, drawing their simulated watts), and six channels whose 12-bit outputs follow a day: a
bell from 08:00 to 21:00 at the demo programs' peaks on four of them, a violet left off, and a moonlight window
at 0.5 % from 21:00 to 23:30. The channel curve is a stand-in for the engine's daylight (same shape and peaks,
fixed times), enough to count output changes.

Before: probes and outlet power wrote a row per poll, outlet states and channel levels a row per change (the
channels' at HA's 1/255 brightness steps). After: the readings recorder's deadbands, heartbeat and settle rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import math

from custom_components.bellas_reef.hardware.tank import ProbeKind, TankModel
from custom_components.bellas_reef.history import ChangeFilter, Reading
from custom_components.bellas_reef.outlets.base import OutletRole
from custom_components.bellas_reef.outlets.simulated import ROLE_WATTS
from custom_components.bellas_reef.readings import (
    DEADBANDS,
    HEARTBEAT,
    LEVEL_SETTLE,
    METRIC_LEVEL,
    METRIC_ON,
    METRIC_POWER,
    RELATIVE_DEADBANDS,
)

DAY = datetime(2026, 6, 21, tzinfo=UTC)
PROBES = (ProbeKind.TEMPERATURE, ProbeKind.PH, ProbeKind.ORP, ProbeKind.SALINITY)
OUTLETS = (OutletRole.HEATER, OutletRole.RETURN_PUMP, OutletRole.SKIMMER, OutletRole.POWERHEAD)
# Peak percent of each channel's daylight bell (the demo's programs); None: no daylight.
CHANNELS: dict[str, float | None] = {
    "royal_blue": 85.0,
    "blue": 75.0,
    "white": 60.0,
    "uv": 40.0,
    "violet": None,
    "moonlight": None,
}
SUNRISE, SUNSET = 8.0, 21.0
MOONLIGHT = (21.0, 23.5, 0.5)
MAX_DUTY = 4095


def _level(channel: str, hour: float) -> float:
    """Percent of full output at that hour of the day."""
    if (peak := CHANNELS[channel]) is not None:
        if SUNRISE <= hour < SUNSET:
            return peak * math.sin(math.pi * (hour - SUNRISE) / (SUNSET - SUNRISE)) ** 2
        return 0.0
    start, end, level = MOONLIGHT
    return level if channel == "moonlight" and start <= hour < end else 0.0


def _seconds() -> Iterator[datetime]:
    for second in range(24 * 3600):
        yield DAY + timedelta(seconds=second)


def rows_a_day() -> list[tuple[str, int, int]]:
    """(source, rows before, rows after) for each of the demo tank's sources over one day."""
    polled = ChangeFilter(DEADBANDS, HEARTBEAT)
    levels = ChangeFilter(DEADBANDS, HEARTBEAT, RELATIVE_DEADBANDS)
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    last_before: dict[str, float] = {}

    def count(name: str, reading: Reading, kept: bool, *, every_poll: bool) -> None:
        if every_poll or last_before.get(name) != reading.value:
            before[name] = before.get(name, 0) + 1
            last_before[name] = reading.value
        after[name] = after.get(name, 0) + kept

    tank = TankModel()
    duties: dict[str, int] = {}
    for now in _seconds():
        hour = (now - DAY) / timedelta(hours=1)
        light = sum(_level(channel, hour) for channel in CHANNELS) / (100 * len(CHANNELS))
        tank.advance(now, light)
        if now.second % 10 == 0:
            for kind in PROBES:
                reading = Reading(now, "demo", kind, kind, tank.value(kind))
                count(f"probe {kind}", reading, polled.offer(reading), every_poll=True)
        for role in OUTLETS:
            on = tank.heater_on if role is OutletRole.HEATER else True
            state = Reading(now, "demo", role, METRIC_ON, 1.0 if on else 0.0)
            count(f"outlet {role} on/off", state, polled.offer(state), every_poll=False)
            power = Reading(now, "demo", role, METRIC_POWER, ROLE_WATTS[role] if on else 0.0)
            count(f"outlet {role} power", power, polled.offer(power), every_poll=True)
        for channel in CHANNELS:
            level = _level(channel, hour)
            duty = round(level / 100 * MAX_DUTY)
            name = f"channel {channel}"
            # Before: a row whenever HA's brightness (1/255) changed.
            brightness = round(level / 100 * 255)
            if last_before.get(name) != brightness:
                before[name] = before.get(name, 0) + 1
                last_before[name] = brightness
            if duties.get(channel) != duty:
                duties[channel] = duty
                after[name] = after.get(name, 0) + levels.offer(
                    Reading(now, "demo", channel, METRIC_LEVEL, round(duty / MAX_DUTY * 100, 6))
                )
        if now.second % (LEVEL_SETTLE.seconds // 10) == 0:
            for reading in levels.due(now, LEVEL_SETTLE):
                after[f"channel {reading.source}"] = after.get(f"channel {reading.source}", 0) + 1
    return [(name, before[name], after.get(name, 0)) for name in before]
