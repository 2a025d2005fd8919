"""The WebSocket API of a real server: auth, event and entity subscriptions, our commands and streams."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from scripts.demo.bootstrap import Client

from .server import Server
from .websocket import CommandError, Connection, authenticate

# Each test moves the moonlight to a level of its own, so it waits for its own change whatever ran before.
SUBSCRIBE_EVENTS_LEVEL = 11.0
SUBSCRIBE_ENTITIES_LEVEL = 23.0
OUTPUTS_LEVEL = 37.0
# A day far from today, so no override of the tests shows in its preview.
PREVIEW_DAY = "2030-12-21"
READINGS_SECONDS = 40.0


async def override_moonlight(websocket: Connection, level: float) -> None:
    """Hold the moonlight channel at `level` percent through call_service."""
    await websocket.command(
        "call_service",
        domain="bellas_reef",
        service="override",
        target={"entity_id": "light.moonlight"},
        service_data={"level": level},
    )


async def test_a_wrong_token_is_refused(client: Client, home_assistant: Server) -> None:
    async with client.session.ws_connect(f"{home_assistant.url}/api/websocket") as ws:
        verdict = await authenticate(ws, "not-a-token")

    assert verdict["type"] == "auth_invalid"


async def test_subscribe_events_sees_a_channel_change(websocket: Connection) -> None:
    subscription = await websocket.subscribe("subscribe_events", event_type="state_changed")

    await override_moonlight(websocket, SUBSCRIBE_EVENTS_LEVEL)

    event = await websocket.event(
        subscription,
        lambda event: (
            event["data"]["entity_id"] == "light.moonlight"
            and event["data"]["new_state"]["attributes"]["brightness"] == round(SUBSCRIBE_EVENTS_LEVEL * 2.55)
        ),
    )
    assert event["data"]["new_state"]["state"] == "on"
    assert event["data"]["new_state"]["attributes"]["override_until"] is not None


async def test_subscribe_entities_sees_a_channel_change(websocket: Connection) -> None:
    subscription = await websocket.subscribe("subscribe_entities", entity_ids=["light.moonlight"])
    first = await websocket.event(subscription, lambda event: "a" in event)
    assert first["a"]["light.moonlight"]["a"]["role"] == "moon"

    await override_moonlight(websocket, SUBSCRIBE_ENTITIES_LEVEL)

    def brightness_changed(event: dict[str, Any]) -> bool:
        change = event.get("c", {}).get("light.moonlight", {}).get("+", {})
        return bool(change.get("a", {}).get("brightness") == round(SUBSCRIBE_ENTITIES_LEVEL * 2.55))

    await websocket.event(subscription, brightness_changed)


async def test_subscribe_outputs_streams_the_ramp(websocket: Connection, home_assistant: Server) -> None:
    subscription = await websocket.subscribe(
        "bellas_reef/subscribe_outputs", entry_id=home_assistant.entry_id
    )

    await override_moonlight(websocket, OUTPUTS_LEVEL)

    seen: list[float] = []

    def settled(event: dict[str, Any]) -> bool:
        output = event["outputs"].get("light.moonlight")
        if output is not None:
            seen.append(output["level"])
        return output is not None and output["level"] == pytest.approx(OUTPUTS_LEVEL) and output["duty"] > 0

    await websocket.event(subscription, settled)
    # The output glides to the new level over several ticks instead of jumping.
    assert len(seen) > 1


async def test_subscribe_outputs_needs_a_loaded_controller(websocket: Connection) -> None:
    with pytest.raises(CommandError) as raised:
        await websocket.subscribe("bellas_reef/subscribe_outputs", entry_id="no-such-entry")

    assert raised.value.code == "not_found"


async def test_readings_command_aggregates_in_the_store(websocket: Connection) -> None:
    start = (datetime.now().astimezone() - timedelta(hours=1)).isoformat()
    deadline = asyncio.get_running_loop().time() + READINGS_SECONDS

    # Rows reach the store every 10 s; the first ones may still be on their way.
    while not (
        answer := await websocket.command(
            "bellas_reef/readings", entity_id="sensor.ph", start=start, buckets=12
        )
    )["buckets"]:
        assert asyncio.get_running_loop().time() < deadline, "no pH readings in the store"
        await asyncio.sleep(0.5)

    assert answer["metric"] == "ph"
    assert all(7.5 < bucket["min"] <= bucket["avg"] <= bucket["max"] < 8.7 for bucket in answer["buckets"])
    assert sum(bucket["count"] for bucket in answer["buckets"]) >= 1


async def test_readings_command_rejects_a_reversed_range(websocket: Connection) -> None:
    with pytest.raises(CommandError) as raised:
        await websocket.command(
            "bellas_reef/readings",
            entity_id="sensor.ph",
            start="2026-01-02T00:00:00+00:00",
            end="2026-01-01T00:00:00+00:00",
        )

    assert "must be after the start" in raised.value.message


async def test_call_service_returns_the_response(websocket: Connection) -> None:
    await websocket.command(
        "call_service",
        domain="bellas_reef",
        service="set_program",
        target={"entity_id": "light.white"},
        service_data={"program": "static", "level": 35},
    )

    reply = await websocket.command(
        "call_service",
        domain="bellas_reef",
        service="preview",
        target={"entity_id": "light.white"},
        service_data={"date": PREVIEW_DAY, "step_minutes": 240},
        return_response=True,
    )

    day = reply["response"]["light.white"]
    assert day["program"] == "static"
    assert [point["level"] for point in day["points"]] == [35.0] * 6


async def test_preview_command_answers_as_the_service_does(websocket: Connection) -> None:
    query = {"date": PREVIEW_DAY, "step_minutes": 30}

    day = await websocket.command("bellas_reef/preview", entity_id="light.blue", **query)
    reply = await websocket.command(
        "call_service",
        domain="bellas_reef",
        service="preview",
        target={"entity_id": "light.blue"},
        service_data=query,
        return_response=True,
    )

    assert len(day["points"]) == 48
    assert day == reply["response"]["light.blue"]
