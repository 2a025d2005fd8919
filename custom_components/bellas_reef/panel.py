"""The Reef panel in Home Assistant's sidebar: its files, its registration, and the commands only it needs.

The panel is one JavaScript module (built from frontend/ in the repository) served from this package, so HACS
installs it with the integration and nothing loads from outside Home Assistant. It reads the tank over WebSocket
and saves through the same services a keeper calls, so every change is validated the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
import hashlib
from pathlib import Path
from typing import Any, Final

from homeassistant.components import panel_custom
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_INVALID_FORMAT
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.util import dt as dt_util
import probatio as vol

from . import checks
from .const import (
    CONF_ADDRESS,
    CONF_DRIVER,
    CONF_OUTPUT,
    DOMAIN,
    SUBENTRY_CHANNEL,
    SUBENTRY_OUTLET,
    SUBENTRY_PROBE,
)
from .lighting import ChannelPlan, preview
from .models import ReefConfigEntry
from .services import PREVIEW_FIELDS, SET_LAYERS_SCHEMA, SET_PROGRAM_SCHEMA, with_layers, with_program
from .websocket import check_channel, send_error

# The day and step of a preview, checked as the preview service checks them.
PREVIEW_SCHEMA: Final = vol.Schema(PREVIEW_FIELDS)

PANEL_PATH: Final = "reef"
PANEL_ELEMENT: Final = "reef-panel"
PANEL_TITLE: Final = "Reef"
PANEL_ICON: Final = "mdi:fishbowl"
STATIC_URL: Final = f"/{DOMAIN}/frontend"
MODULE: Final = "reef-panel.js"
FRONTEND_DIR: Final = Path(__file__).parent / "frontend"


def _module_version() -> str:
    """A short digest of the bundle, so a browser fetches it again exactly when it changed."""
    return hashlib.sha256((FRONTEND_DIR / MODULE).read_bytes()).hexdigest()[:12]


async def async_setup_panel(hass: HomeAssistant) -> None:
    """Serve the bundle, add "Reef" to the sidebar and register the panel's commands."""
    version = await hass.async_add_executor_job(_module_version)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(STATIC_URL, str(FRONTEND_DIR), cache_headers=True)]
    )
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=f"{STATIC_URL}/{MODULE}?v={version}",
    )
    async_register_command(hass, ws_tanks)
    async_register_command(hass, ws_preview_plan)


def _percent(fraction: float) -> float:
    return round(fraction * 100, 4)


def program_to_service(program: Mapping[str, Any]) -> dict[str, Any]:
    """The set_program fields that describe a program in the engine's JSON form (the converse of the service)."""
    kind = program["kind"]
    fields: dict[str, Any] = {"program": kind}
    match kind:
        case "static":
            fields["level"] = _percent(program["level"])
        case "schedule":
            fields["interpolation"] = program["interpolation"]
            fields["points"] = [
                {"time": point["time"], "level": _percent(point["level"])} for point in program["points"]
            ]
        case "daylight":
            fields["peak"] = _percent(program["peak"])
            for key in ("shape", "sunrise_offset", "sunset_offset", "ramp_minutes"):
                fields[key] = program[key]
        case "mimic":
            fields |= dict(program["place"])
            for key in ("peak", "cloud_dimming", "storm_strength"):
                fields[key] = _percent(program[key])
            if program.get("weather_entity"):
                fields["weather_entity"] = program["weather_entity"]
    return fields


def layers_to_service(layers: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The set_layers fields that describe a channel's layers."""
    fields: dict[str, Any] = {}
    for layer in layers:
        match layer["kind"]:
            case "lunar":
                fields["lunar_max_level"] = _percent(layer["max_level"])
            case "moonlight":
                fields["moonlight_level"] = _percent(layer["level"])
                fields["moonlight_start"] = layer["start"]
                fields["moonlight_end"] = layer["end"]
            case "acclimation":
                fields["acclimation_days"] = layer["days"]
                fields["acclimation_start_level"] = _percent(layer["start_level"])
                fields["acclimation_start_date"] = layer["start_date"]
    return fields


def _tank(hass: HomeAssistant, entry: ReefConfigEntry) -> dict[str, Any]:
    """What the panel shows of one controller: its entities by part, and each channel's plan."""
    registry = er.async_get(hass)
    entities = er.async_entries_for_config_entry(registry, entry.entry_id)
    by_unique_id = {entity.unique_id: entity.entity_id for entity in entities}
    runtime = entry.runtime_data
    channels, probes, outlets = [], [], []
    for subentry_id, subentry in entry.subentries.items():
        entity_id = by_unique_id.get(f"{entry.entry_id}_{subentry_id}")
        if entity_id is None:
            continue
        part = {"entity_id": entity_id, "name": subentry.title}
        if subentry.subentry_type == SUBENTRY_CHANNEL and subentry_id in runtime.lighting.channels:
            channel = runtime.lighting.channels[subentry_id]
            plan = channel.plan.to_dict()
            channels.append(
                part
                | {
                    key: subentry.data[key]
                    for key in (CONF_DRIVER, CONF_ADDRESS, CONF_OUTPUT)
                    if key in subentry.data
                }
                | {
                    "role": channel.role,
                    "program": program_to_service(plan["program"]),
                    "layers": layers_to_service(plan["layers"]),
                }
            )
        elif subentry.subentry_type == SUBENTRY_PROBE:
            probes.append(part)
        elif subentry.subentry_type == SUBENTRY_OUTLET:
            outlets.append(part)
    prefix = f"{entry.entry_id}_"
    return {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "channels": channels,
        "probes": probes,
        "outlets": outlets,
        "rules": sorted(
            entity.entity_id
            for entity in entities
            if entity.unique_id.startswith(f"{prefix}rule_") or entity.unique_id == f"{prefix}safety_mode"
        ),
        "feed_mode": by_unique_id.get(f"{prefix}feed_mode"),
        "feed_button": by_unique_id.get(f"{prefix}feed"),
        "stop_effects_button": by_unique_id.get(f"{prefix}stop_effects"),
    }


@websocket_command({vol.Required("type"): f"{DOMAIN}/panel/tanks"})
@callback
def ws_tanks(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Answer with every loaded controller as the panel shows it."""
    connection.send_result(
        msg["id"], [_tank(hass, entry) for entry in hass.config_entries.async_loaded_entries(DOMAIN)]
    )


def _channel_plan(hass: HomeAssistant, entity_id: str) -> tuple[ReefConfigEntry, ChannelPlan] | None:
    """The controller and current plan of the channel behind a light entity of ours."""
    entity = er.async_get(hass).async_get(entity_id)
    if entity is None or entity.platform != DOMAIN or entity.config_entry_id is None:
        return None
    entry: ReefConfigEntry | None = hass.config_entries.async_get_entry(entity.config_entry_id)
    if entry is None or entry not in hass.config_entries.async_loaded_entries(DOMAIN):
        return None
    channel = entry.runtime_data.lighting.channels.get(entity.config_subentry_id or "")
    return None if channel is None else (entry, channel.plan)


def _service_data(schema: Any, entity_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` checked by a service's own schema, as a call targeting `entity_id` would be."""
    data: dict[str, Any] = schema({ATTR_ENTITY_ID: entity_id, **fields})
    return {key: value for key, value in data.items() if key not in cv.ENTITY_SERVICE_FIELDS}


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/panel/preview_plan",
        vol.Required("entity_id"): cv.match_all,
        vol.Required("program"): dict,
        vol.Optional("layers", default={}): dict,
        vol.Optional("date"): cv.match_all,
        vol.Optional("step_minutes"): cv.match_all,
    }
)
@async_response
async def ws_preview_plan(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Answer with the day a channel would have under a plan the keeper has not saved, without applying it.

    The program and layers are the set_program and set_layers fields, checked exactly as those services check
    them, and refusals answer as the other commands do (service_validation_error or not_found, translated), so
    the panel shows the same errors before Save as the services would after it.
    """
    try:
        entity_id = checks.entity_id("entity_id")(msg["entity_id"])
        check_channel(hass, entity_id)
        found = _channel_plan(hass, entity_id)
        if found is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_a_channel",
                translation_placeholders={"entity_id": entity_id},
            )
        entry, plan = found
        when = PREVIEW_SCHEMA({key: msg[key] for key in ("date", "step_minutes") if key in msg})
        program = _service_data(SET_PROGRAM_SCHEMA, entity_id, msg["program"])
        layers = _service_data(SET_LAYERS_SCHEMA, entity_id, msg["layers"])
        unsaved = with_layers(with_program(plan, program), layers, dt_util.now().date())
    except vol.Invalid as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err)[:200])
        return
    except HomeAssistantError as err:
        send_error(connection, msg["id"], err)
        return
    day: date = when.get("date") or dt_util.now().date()
    msg = {**msg, "step_minutes": when["step_minutes"]}
    context = entry.runtime_data.lighting.context
    points = await hass.async_add_executor_job(preview, unsaved, day, context, msg["step_minutes"])
    connection.send_result(
        msg["id"],
        {
            "date": day.isoformat(),
            "program": unsaved.program.kind,
            "points": [{"time": when.isoformat(), "level": _percent(level)} for when, level in points],
        },
    )
