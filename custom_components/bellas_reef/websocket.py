"""WebSocket commands for dashboards: aggregated readings, a channel's day, and live channel outputs."""

from __future__ import annotations

from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_INVALID_FORMAT, ERR_NOT_FOUND
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.util import dt as dt_util
import probatio as vol

from .const import DOMAIN
from .readings import async_query_readings
from .services import MAX_BUCKETS, SERVICE_PREVIEW


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the commands."""
    async_register_command(hass, ws_readings)
    async_register_command(hass, ws_preview)
    async_register_command(hass, ws_subscribe_outputs)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/readings",
        vol.Required("entity_id"): cv.entity_id,
        vol.Required("start"): cv.datetime,
        vol.Optional("end"): cv.datetime,
        vol.Optional("buckets", default=100): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_BUCKETS)),
    }
)
@async_response
async def ws_readings(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Answer with one entity's readings over a range, aggregated into buckets."""
    try:
        result = await async_query_readings(
            hass, msg["entity_id"], msg["start"], msg.get("end") or dt_util.utcnow(), msg["buckets"]
        )
    except HomeAssistantError as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
        return
    connection.send_result(msg["id"], result)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/preview",
        vol.Required("entity_id"): cv.entity_id,
        vol.Optional("date"): cv.date,
        vol.Optional("step_minutes", default=1): vol.All(vol.Coerce(int), vol.Range(min=1, max=1440)),
    }
)
@async_response
async def ws_preview(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Answer with a channel's curve for a day, as the preview service gives it."""
    data: dict[str, Any] = {"entity_id": msg["entity_id"], "step_minutes": msg["step_minutes"]}
    if "date" in msg:
        data["date"] = msg["date"]
    try:
        response = await hass.services.async_call(
            DOMAIN,
            SERVICE_PREVIEW,
            data,
            blocking=True,
            return_response=True,
            context=connection.context(msg),
        )
    except HomeAssistantError as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
        return
    connection.send_result(msg["id"], (response or {}).get(msg["entity_id"]))


@websocket_command({vol.Required("type"): f"{DOMAIN}/subscribe_outputs", vol.Optional("entry_id"): str})
@callback
def ws_subscribe_outputs(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Stream every channel's level and duty as they change (up to 20 times a second during effects)."""
    entries = [
        entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if msg.get("entry_id") in (None, entry.entry_id)
    ]
    if not entries:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "No loaded controller")
        return
    registry = er.async_get(hass)
    unsubs = []
    for entry in entries:
        lighting = entry.runtime_data.lighting
        entity_ids = {
            sid: registry.async_get_entity_id("light", DOMAIN, f"{entry.entry_id}_{sid}")
            for sid in lighting.channels
        }

        @callback
        def forward(
            outputs: dict[str, tuple[float, int]], entity_ids: dict[str, str | None] = entity_ids
        ) -> None:
            connection.send_message(
                event_message(
                    msg["id"],
                    {
                        "outputs": {
                            entity_ids[sid]: {"level": round(level * 100, 4), "duty": duty}
                            for sid, (level, duty) in outputs.items()
                            if entity_ids.get(sid)
                        }
                    },
                )
            )

        unsubs.append(lighting.async_subscribe_outputs(forward))

    @callback
    def unsubscribe() -> None:
        for unsub in unsubs:
            unsub()

    connection.subscriptions[msg["id"]] = unsubscribe
    connection.send_result(msg["id"])
