"""Entity services of the light channels: programs, layers, effects, overrides and the day's preview.

The keeper speaks in percent and minutes; the behavior engine in fractions and seconds. The converters here are
the only place that translates between the two, and every value is then checked by the engine itself, whose
errors become translated ServiceValidationErrors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import date, datetime, timedelta
import math
from typing import Any, Final

from homeassistant.components.light.const import DOMAIN as LIGHT_DOMAIN
from homeassistant.components.sensor.const import DOMAIN as SENSOR_DOMAIN
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
from homeassistant.helpers.entity import Entity
from homeassistant.util import dt as dt_util
import probatio as vol
from probatio.markers import Marker

from . import checks
from .const import DEFAULT_FEED_MINUTES, DEFAULT_FEED_ROLES, DOMAIN
from .hardware.ezo import CalibrationPoint
from .lighting import (
    ChannelPlan,
    Event,
    Override,
    PlanError,
    event_from_dict,
    layer_from_dict,
    program_from_dict,
)
from .lighting.programs import INTERPOLATIONS, SHAPES
from .outlets import OutletRole
from .outlets.program import OutletProgram, ProgramError
from .readings import async_query_readings

SERVICE_SET_PROGRAM: Final = "set_program"
SERVICE_SET_LAYERS: Final = "set_layers"
SERVICE_START_EFFECT: Final = "start_effect"
SERVICE_STOP_EFFECT: Final = "stop_effect"
SERVICE_OVERRIDE: Final = "override"
SERVICE_RESUME: Final = "resume"
SERVICE_PREVIEW: Final = "preview"
SERVICE_READINGS: Final = "readings"
SERVICE_CALIBRATE_PROBE: Final = "calibrate_probe"
SERVICE_SET_OUTLET_PROGRAM: Final = "set_outlet_program"
SERVICE_FEED_MODE: Final = "feed_mode"
# Enough for a smooth chart; the store aggregates, so a month of 10 s readings still answers quickly.
MAX_BUCKETS: Final = 2000
# A point every 10 minutes; more says nothing a light can show and bloats the stored plan.
MAX_POINTS: Final = 144
MAX_WINDOWS: Final = 24
MAX_OVERRIDE: Final = timedelta(days=7)
MAX_EFFECT: Final = timedelta(days=7)
MAX_SEED: Final = 2**31 - 1
MAX_CYCLE_SECONDS: Final = 86400

PROGRAMS: Final = ("static", "schedule", "daylight", "mimic")
EFFECTS: Final = ("clouds", "storm", "lightning")
# How long an effect runs when the keeper does not say (seconds).
DEFAULT_EFFECT_SECONDS: Final = {"clouds": 1800.0, "storm": 900.0, "lightning": 10.0}
# The fields each program and effect uses; any other of their service's fields is refused, not ignored.
PROGRAM_FIELDS: Final = {
    "static": ("level",),
    "schedule": ("points", "interpolation"),
    "daylight": ("peak", "shape", "sunrise_offset", "sunset_offset", "ramp_minutes"),
    "mimic": (
        "peak",
        "latitude",
        "longitude",
        "time_zone",
        "weather_entity",
        "cloud_dimming",
        "storm_strength",
    ),
}
PROGRAM_NEEDS: Final = {
    "static": ("level",),
    "schedule": ("points",),
    "daylight": (),
    "mimic": ("latitude", "longitude", "time_zone"),
}
PROGRAM_FIELDS_ALL: Final = tuple(dict.fromkeys(name for names in PROGRAM_FIELDS.values() for name in names))
EFFECT_FIELDS: Final = {
    "clouds": ("duration", "strength", "seed", "depth"),
    "storm": ("duration", "strength", "seed"),
    "lightning": ("duration", "strength", "seed", "flashes"),
}
EFFECT_FIELDS_ALL: Final = tuple(dict.fromkeys(name for names in EFFECT_FIELDS.values() for name in names))
# A lightning flash with its pause lasts up to 0.7 s, so a burst needs this long per flash.
SECONDS_PER_FLASH: Final = 0.7


def _weather_entity(value: object) -> str:
    if isinstance(value, str):
        with suppress(vol.Invalid):
            return str(cv.entity_domain("weather")(value))
    raise checks.refuse("field_not_an_entity", "weather_entity", value=value, domain="weather")


_PROGRAM_FIELDS: Final[dict[str | Marker, Any]] = {
    vol.Optional("level"): checks.percent("level"),
    vol.Optional("points"): checks.listing(
        "points",
        checks.record("points", {"time": checks.time_of_day("points"), "level": checks.percent("points")}),
        MAX_POINTS,
        minimum=2,
    ),
    vol.Optional("interpolation"): checks.choice("interpolation", INTERPOLATIONS),
    vol.Optional("peak"): checks.percent("peak"),
    vol.Optional("shape"): checks.choice("shape", SHAPES),
    vol.Optional("sunrise_offset"): checks.number("sunrise_offset", -720, 720, "min"),
    vol.Optional("sunset_offset"): checks.number("sunset_offset", -720, 720, "min"),
    vol.Optional("ramp_minutes"): checks.number("ramp_minutes", 1, 720, "min"),
    vol.Optional("latitude"): checks.number("latitude", -90, 90, "°"),
    vol.Optional("longitude"): checks.number("longitude", -180, 180, "°"),
    vol.Optional("time_zone"): checks.time_zone("time_zone"),
    vol.Optional("weather_entity"): _weather_entity,
    vol.Optional("cloud_dimming"): checks.percent("cloud_dimming"),
    vol.Optional("storm_strength"): checks.percent("storm_strength"),
}
SET_PROGRAM_FIELDS: Final[dict[str | Marker, Any]] = {
    vol.Required("program"): checks.choice("program", PROGRAMS),
    **_PROGRAM_FIELDS,
}


def _program_fits(data: dict[str, Any]) -> dict[str, Any]:
    """The fields given are the ones the chosen program uses, and the ones it needs are there."""
    program = data["program"]
    checks.only(data, PROGRAM_FIELDS[program], PROGRAM_FIELDS_ALL, chosen="program")
    checks.require(data, *PROGRAM_NEEDS[program], because=program)
    return data


SET_LAYERS_FIELDS: Final[dict[str | Marker, Any]] = {
    vol.Optional("lunar_max_level"): checks.percent("lunar_max_level"),
    vol.Optional("moonlight_level"): checks.percent("moonlight_level"),
    vol.Optional("moonlight_start"): checks.time_of_day("moonlight_start"),
    vol.Optional("moonlight_end"): checks.time_of_day("moonlight_end"),
    vol.Optional("acclimation_days"): checks.whole("acclimation_days", 1, 365, "d"),
    vol.Optional("acclimation_start_level"): checks.percent("acclimation_start_level"),
    vol.Optional("acclimation_start_date"): checks.day("acclimation_start_date"),
}


def _layers_complete(data: dict[str, Any]) -> dict[str, Any]:
    """A moonlight window needs its level, start and end; acclimation its days and start level."""
    for layer, needs in (
        ("moonlight", ("moonlight_level", "moonlight_start", "moonlight_end")),
        ("acclimation", ("acclimation_days", "acclimation_start_level")),
    ):
        given = [key for key in data if key.startswith(f"{layer}_")]
        if given:
            checks.require(data, *needs, because=given[0])
    return data


START_EFFECT_FIELDS: Final[dict[str | Marker, Any]] = {
    vol.Required("effect"): checks.choice("effect", EFFECTS),
    vol.Optional("duration"): checks.duration("duration", timedelta(seconds=1), MAX_EFFECT),
    vol.Optional("strength"): checks.percent("strength"),
    vol.Optional("seed"): checks.whole("seed", 0, MAX_SEED),
    vol.Optional("depth"): checks.percent("depth"),
    vol.Optional("flashes"): checks.whole("flashes", 1, 100),
}


def _effect_fits(data: dict[str, Any]) -> dict[str, Any]:
    """Only the chosen effect's fields; a lightning burst long enough for its flashes."""
    checks.only(data, EFFECT_FIELDS[data["effect"]], EFFECT_FIELDS_ALL, chosen="effect")
    if data["effect"] == "lightning" and "duration" in data:
        flashes = data.get("flashes", 3)
        needed = math.ceil(SECONDS_PER_FLASH * flashes)
        if data["duration"].total_seconds() < needed:
            raise checks.refuse(
                "lightning_too_short", "duration", value=data["duration"], minimum=needed, flashes=flashes
            )
    return data


def _entity_schema(schema: dict[str | Marker, Any], check: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    return vol.All(cv.make_entity_service_schema(schema), check)


SET_PROGRAM_SCHEMA: Final = _entity_schema(SET_PROGRAM_FIELDS, _program_fits)
SET_LAYERS_SCHEMA: Final = _entity_schema(SET_LAYERS_FIELDS, _layers_complete)
START_EFFECT_SCHEMA: Final = _entity_schema(START_EFFECT_FIELDS, _effect_fits)
STOP_EFFECT_SCHEMA: Final[dict[str | Marker, Any]] = {
    vol.Optional("effect"): checks.choice("effect", EFFECTS)
}
OVERRIDE_SCHEMA: Final[dict[str | Marker, Any]] = {
    vol.Required("level"): checks.percent("level"),
    vol.Optional("duration"): checks.duration("duration", timedelta(minutes=1), MAX_OVERRIDE),
}
CALIBRATE_PROBE_SCHEMA: Final[dict[str | Marker, Any]] = {
    vol.Required("point"): checks.choice("point", tuple(point.value for point in CalibrationPoint)),
    vol.Optional("value"): checks.number("value", 0, 200000),
}
SET_OUTLET_PROGRAM_SCHEMA: Final[dict[str | Marker, Any]] = {
    vol.Optional("windows"): checks.listing(
        "windows",
        checks.record("windows", {"on": checks.time_of_day("windows"), "off": checks.time_of_day("windows")}),
        MAX_WINDOWS,
    ),
    vol.Optional("cycle_on_seconds"): checks.whole("cycle_on_seconds", 0, MAX_CYCLE_SECONDS, "s"),
    vol.Optional("cycle_off_seconds"): checks.whole("cycle_off_seconds", 0, MAX_CYCLE_SECONDS, "s"),
}
FEED_MODE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("config_entry_id"): checks.text("config_entry_id", 64),
        vol.Optional("minutes", default=DEFAULT_FEED_MINUTES): checks.number("minutes", 0.5, 240, "min"),
        vol.Optional("roles", default=list(DEFAULT_FEED_ROLES)): checks.listing(
            "roles", checks.choice("roles", tuple(role.value for role in OutletRole)), len(OutletRole)
        ),
        vol.Optional("stop", default=False): checks.boolean("stop"),
    }
)
PREVIEW_FIELDS: Final[dict[str | Marker, Any]] = {
    vol.Optional("date"): checks.day("date"),
    vol.Optional("step_minutes", default=1): checks.whole("step_minutes", 1, 1440, "min"),
}
READINGS_FIELDS: Final[dict[str | Marker, Any]] = {
    vol.Required("entity_id"): checks.entity_id("entity_id"),
    vol.Required("start"): checks.moment("start"),
    vol.Optional("end"): checks.moment("end"),
    vol.Optional("buckets", default=100): checks.whole("buckets", 1, MAX_BUCKETS),
}
READINGS_SCHEMA: Final = vol.Schema(READINGS_FIELDS)


def _fraction(data: Mapping[str, Any], key: str) -> dict[str, float]:
    """The percent field `key`, as the engine's 0..1 fraction, when given."""
    return {key: data[key] / 100} if key in data else {}


def _copy(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: data[key] for key in keys if key in data}


def program_from_service(data: Mapping[str, Any]) -> dict[str, Any]:
    """The engine's JSON form of the program a set_program call describes."""
    kind = data["program"]
    program: dict[str, Any] = {"kind": kind}
    match kind:
        case "static":
            program |= _fraction(data, "level")
        case "schedule":
            program |= _copy(data, "interpolation")
            if "points" in data:
                program["points"] = [
                    {"time": point["time"], "level": point["level"] / 100} for point in data["points"]
                ]
        case "daylight":
            program |= _fraction(data, "peak")
            program |= _copy(data, "shape", "sunrise_offset", "sunset_offset", "ramp_minutes")
        case "mimic":
            program |= _fraction(data, "peak") | _fraction(data, "cloud_dimming")
            program |= _fraction(data, "storm_strength") | _copy(data, "weather_entity")
            program["place"] = _copy(data, "latitude", "longitude", "time_zone")
    return program


def layers_from_service(data: Mapping[str, Any], today: date) -> list[dict[str, Any]]:
    """The engine's JSON form of the layers a set_layers call describes (the ones not given are removed)."""
    layers: list[dict[str, Any]] = []
    if "lunar_max_level" in data:
        layers.append({"kind": "lunar", "max_level": data["lunar_max_level"] / 100})
    if any(key.startswith("moonlight_") for key in data):
        layers.append({"kind": "moonlight"} | _moonlight_window(data))
    if any(key.startswith("acclimation_") for key in data):
        start = data.get("acclimation_start_date", today)
        layers.append(
            {"kind": "acclimation", "start_date": start.isoformat()}
            | _copy(data, "acclimation_days")
            | _fraction(data, "acclimation_start_level")
        )
    return [{key.removeprefix("acclimation_"): value for key, value in layer.items()} for layer in layers]


def _moonlight_window(data: Mapping[str, Any]) -> dict[str, Any]:
    window = {}
    for end in ("start", "end"):
        if f"moonlight_{end}" in data:
            window[end] = data[f"moonlight_{end}"]
    if "moonlight_level" in data:
        window["level"] = data["moonlight_level"] / 100
    return window


def effect_from_service(data: Mapping[str, Any], now: datetime, seed: int) -> dict[str, Any]:
    """The engine's JSON form of the event a start_effect call describes, starting `now`."""
    kind = data["effect"]
    duration: timedelta | None = data.get("duration")
    default = DEFAULT_EFFECT_SECONDS[kind]
    if kind == "lightning":
        default = max(default, math.ceil(SECONDS_PER_FLASH * data.get("flashes", 3)))
    event: dict[str, Any] = {
        "kind": kind,
        "start": now.isoformat(),
        "duration_seconds": default if duration is None else duration.total_seconds(),
        "strength": data.get("strength", 60.0) / 100,
        "seed": data.get("seed", seed),
    }
    return event | _fraction(data, "depth") | _copy(data, "flashes")


def seed_of(context_id: str) -> int:
    """A seed shared by every channel one call targets, so a cloud passes across all of them alike."""
    return int.from_bytes(context_id.encode()[-8:], "big") % 2**31


def validated[T](build: Callable[[], T]) -> T:
    """Run an engine builder; its PlanError becomes a translated ServiceValidationError."""
    try:
        return build()
    except PlanError as err:
        raise ServiceValidationError(
            str(err),
            translation_domain=DOMAIN,
            translation_key=err.translation_key,
            translation_placeholders=err.placeholders,
        ) from err


def validated_program(build: Callable[[], OutletProgram]) -> OutletProgram:
    """Build an outlet program; its ProgramError becomes a translated ServiceValidationError."""
    try:
        return build()
    except ProgramError as err:
        raise ServiceValidationError(
            str(err),
            translation_domain=DOMAIN,
            translation_key=err.translation_key,
            translation_placeholders=err.placeholders,
        ) from err


def with_program(plan: ChannelPlan, data: Mapping[str, Any]) -> ChannelPlan:
    """`plan` following the program of a set_program call; its override ends so the program shows now."""
    program = validated(lambda: program_from_dict(program_from_service(data)))
    return ChannelPlan(program, plan.layers, plan.events, None, plan.position, plan.name)


def with_layers(plan: ChannelPlan, data: Mapping[str, Any], today: date) -> ChannelPlan:
    """`plan` with exactly the layers of a set_layers call."""
    layers = validated(lambda: tuple(layer_from_dict(layer) for layer in layers_from_service(data, today)))
    return validated(
        lambda: ChannelPlan(plan.program, layers, plan.events, plan.override, plan.position, plan.name)
    )


def with_effect(plan: ChannelPlan, data: Mapping[str, Any], now: datetime, seed: int) -> ChannelPlan:
    """`plan` with a new event of a start_effect call; a running event of the same kind is replaced."""
    event: Event = validated(lambda: event_from_dict(effect_from_service(data, now, seed)))
    events = (*(e for e in plan.events if e.kind != event.kind), event)
    return ChannelPlan(plan.program, plan.layers, events, None, plan.position, plan.name)


def without_effect(plan: ChannelPlan, kind: str | None) -> ChannelPlan:
    """`plan` without its events (or only without those of `kind`)."""
    events = tuple(e for e in plan.events if kind is not None and e.kind != kind)
    return ChannelPlan(plan.program, plan.layers, events, plan.override, plan.position, plan.name)


def with_override(plan: ChannelPlan, level: float, until: datetime) -> ChannelPlan:
    """`plan` held at `level` (0..1) until `until`."""
    override = validated(lambda: Override(level, until))
    return ChannelPlan(plan.program, plan.layers, plan.events, override, plan.position, plan.name)


def resumed(plan: ChannelPlan) -> ChannelPlan:
    """`plan` back on its program: no override."""
    return ChannelPlan(plan.program, plan.layers, plan.events, None, plan.position, plan.name)


async def _async_readings(call: ServiceCall) -> ServiceResponse:
    data = call.data
    return await async_query_readings(
        call.hass, data["entity_id"], data["start"], data.get("end") or dt_util.utcnow(), data["buckets"]
    )


async def _async_feed_mode(call: ServiceCall) -> None:
    entry = call.hass.config_entries.async_get_entry(call.data["config_entry_id"])
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="controller_not_found",
            translation_placeholders={"config_entry_id": call.data["config_entry_id"]},
        )
    outlets = entry.runtime_data.outlets
    if call.data["stop"]:
        await outlets.async_stop_feed()
    else:
        await outlets.async_feed(call.data["minutes"], call.data["roles"])


async def _async_calibrate(entity: Entity, call: ServiceCall) -> None:
    """Calibrate a probe; the controller's own sensors (and power sensors) have nothing to calibrate."""
    calibrate = getattr(entity, "async_calibrate", None)
    if calibrate is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_calibratable",
            translation_placeholders={"entity_id": entity.entity_id},
        )
    await calibrate(call.data["point"], call.data.get("value"))


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the light channels' entity services and the readings query."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_READINGS,
        _async_readings,
        schema=READINGS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(DOMAIN, SERVICE_FEED_MODE, _async_feed_mode, schema=FEED_MODE_SCHEMA)
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_SET_OUTLET_PROGRAM,
        entity_domain=SWITCH_DOMAIN,
        schema=SET_OUTLET_PROGRAM_SCHEMA,
        func="async_set_program",
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_CALIBRATE_PROBE,
        entity_domain=SENSOR_DOMAIN,
        schema=CALIBRATE_PROBE_SCHEMA,
        func=_async_calibrate,
    )
    for name, schema, method, response in (
        (SERVICE_SET_PROGRAM, SET_PROGRAM_SCHEMA, "async_set_program", SupportsResponse.NONE),
        (SERVICE_SET_LAYERS, SET_LAYERS_SCHEMA, "async_set_layers", SupportsResponse.NONE),
        (SERVICE_START_EFFECT, START_EFFECT_SCHEMA, "async_start_effect", SupportsResponse.NONE),
        (SERVICE_STOP_EFFECT, STOP_EFFECT_SCHEMA, "async_stop_effect", SupportsResponse.NONE),
        (SERVICE_OVERRIDE, OVERRIDE_SCHEMA, "async_override", SupportsResponse.NONE),
        (SERVICE_RESUME, None, "async_resume", SupportsResponse.NONE),
        (SERVICE_PREVIEW, PREVIEW_FIELDS, "async_preview", SupportsResponse.ONLY),
    ):
        service.async_register_platform_entity_service(
            hass,
            DOMAIN,
            name,
            entity_domain=LIGHT_DOMAIN,
            schema=schema,
            func=method,
            supports_response=response,
        )
