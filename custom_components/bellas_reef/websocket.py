"""WebSocket commands for dashboards: aggregated readings, a channel's day, and live channel outputs."""

from __future__ import annotations

from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_HOME_ASSISTANT_ERROR,
    ERR_NOT_FOUND,
    ERR_SERVICE_VALIDATION_ERROR,
)
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.util import dt as dt_util
import probatio as vol

from . import checks
from .const import DOMAIN
from .readings import async_query_readings
from .services import READINGS_SCHEMA, SERVICE_PREVIEW


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the commands."""
    async_register_command(hass, ws_readings)
    async_register_command(hass, ws_preview)
    async_register_command(hass, ws_subscribe_outputs)


# Schema errors (a missing or unknown key) are invalid_format, as Home Assistant's own commands answer; a value
# the fields refuse is service_validation_error with its translation; an entity with no readings is not_found.
ERR_NOT_A_SOURCE = ERR_NOT_FOUND
_NOT_A_SOURCE = frozenset({"not_a_source", "not_a_channel", "controller_not_loaded", "controller_not_found"})


def send_error(connection: ActiveConnection, msg_id: int, err: HomeAssistantError) -> None:
    """Answer with the error's translation and the code that says what kind of mistake it was."""
    if err.translation_key in _NOT_A_SOURCE:
        code = ERR_NOT_A_SOURCE
    elif isinstance(err, ServiceValidationError):
        code = ERR_SERVICE_VALIDATION_ERROR
    else:
        code = ERR_HOME_ASSISTANT_ERROR
    connection.send_error(
        msg_id,
        code,
        str(err),
        translation_key=err.translation_key,
        translation_domain=err.translation_domain,
        translation_placeholders=err.translation_placeholders,
    )


def _fields_of(msg: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in msg.items() if key not in ("id", "type")}


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/readings",
        vol.Required("entity_id"): cv.match_all,
        vol.Required("start"): cv.match_all,
        vol.Optional("end"): cv.match_all,
        vol.Optional("buckets"): cv.match_all,
    }
)
@async_response
async def ws_readings(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Answer with one entity's readings over a range, aggregated into buckets."""
    try:
        data = READINGS_SCHEMA(_fields_of(msg))
        result = await async_query_readings(
            hass, data["entity_id"], data["start"], data.get("end") or dt_util.utcnow(), data["buckets"]
        )
    except HomeAssistantError as err:
        send_error(connection, msg["id"], err)
        return
    connection.send_result(msg["id"], result)


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/preview",
        vol.Required("entity_id"): cv.match_all,
        vol.Optional("date"): cv.match_all,
        vol.Optional("step_minutes"): cv.match_all,
    }
)
@async_response
async def ws_preview(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """Answer with a channel's curve for a day, as the preview service gives it."""
    try:
        entity_id = checks.entity_id("entity_id")(msg["entity_id"])
        check_channel(hass, entity_id)
        response = await hass.services.async_call(
            DOMAIN,
            SERVICE_PREVIEW,
            {**_fields_of(msg), "entity_id": entity_id},
            blocking=True,
            return_response=True,
            context=connection.context(msg),
        )
    except HomeAssistantError as err:
        send_error(connection, msg["id"], err)
        return
    connection.send_result(msg["id"], (response or {}).get(entity_id))


def check_channel(hass: HomeAssistant, entity_id: str) -> None:
    """Refuse an entity that is not one of our channel lights, or whose controller is not running."""
    entity = er.async_get(hass).async_get(entity_id)
    if entity is None or entity.platform != DOMAIN or entity.domain != "light":
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_channel",
            translation_placeholders={"entity_id": entity_id},
        )
    entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="controller_not_loaded",
            translation_placeholders={"entity_id": entity_id},
        )


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
        send_error(
            connection,
            msg["id"],
            ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="controller_not_found",
                translation_placeholders={"config_entry_id": checks.shown(msg.get("entry_id", ""))},
            ),
        )
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
