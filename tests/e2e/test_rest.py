"""The REST API of a real server: states, light and Bella's Reef services, responses, errors and refusal."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from scripts.demo.bootstrap import CHANNELS, Client

from .server import Server

# A day far from today, so no override or effect of the tests shows in its preview.
PREVIEW_DAY = "2030-06-21"
READINGS_SECONDS = 40.0


async def post(client: Client, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
    """Status and body of a POST, whatever the status."""
    headers = {"Authorization": f"Bearer {client.token}"}
    async with client.session.post(client.base + path, json=payload, headers=headers) as response:
        body = await response.json() if response.content_type == "application/json" else await response.text()
        return response.status, body


async def state(client: Client, entity_id: str) -> dict[str, Any]:
    """One entity's state object."""
    found: dict[str, Any] = await client.call("GET", f"/api/states/{entity_id}")
    return found


async def test_states_show_every_channel_and_probe(client: Client, home_assistant: Server) -> None:
    states = {found["entity_id"]: found for found in await client.call("GET", "/api/states")}

    for light, channel in zip(home_assistant.lights, CHANNELS, strict=True):
        assert states[light]["attributes"]["role"] == channel["role"]
        assert states[light]["attributes"]["max_duty"] == 4096
    for probe in home_assistant.probes:
        assert float(states[probe]["state"]) > 0, probe
    assert states["sensor.water_temperature"]["attributes"]["unit_of_measurement"] == "°C"
    assert states["sensor.water_temperature"]["attributes"]["state_class"] == "measurement"


async def test_services_are_described_for_the_ui(client: Client) -> None:
    domains = {found["domain"]: found["services"] for found in await client.call("GET", "/api/services")}

    ours = domains["bellas_reef"]
    assert set(ours) >= {
        "set_program",
        "set_layers",
        "start_effect",
        "stop_effect",
        "override",
        "resume",
        "preview",
        "readings",
    }
    assert {"program", "latitude", "longitude", "time_zone", "weather_entity"} <= set(
        ours["set_program"]["fields"]
    )
    assert ours["override"]["fields"]["level"]["selector"]["number"]["max"] == 100


async def test_light_turn_on_holds_the_channel(client: Client) -> None:
    changed = await client.call(
        "POST", "/api/services/light/turn_on", {"entity_id": "light.white", "brightness_pct": 40}
    )

    white = await state(client, "light.white")
    assert white["state"] == "on"
    assert white["attributes"]["brightness"] == 102
    assert white["attributes"]["override_until"] is not None
    assert "light.white" in {found["entity_id"] for found in changed}


async def test_override_holds_a_level_for_its_duration(client: Client) -> None:
    before = datetime.now().astimezone()
    await client.call(
        "POST",
        "/api/services/bellas_reef/override",
        {"entity_id": "light.royal_blue", "level": 25, "duration": "00:30:00"},
    )

    royal_blue = await state(client, "light.royal_blue")
    assert royal_blue["attributes"]["brightness"] == round(0.25 * 255)
    until = datetime.fromisoformat(royal_blue["attributes"]["override_until"])
    assert timedelta(minutes=29) < until - before < timedelta(minutes=31)


async def test_preview_returns_the_programs_day(client: Client) -> None:
    await client.call(
        "POST",
        "/api/services/bellas_reef/set_program",
        {
            "entity_id": "light.blue",
            "program": "schedule",
            "interpolation": "linear",
            "points": [
                {"time": "08:00", "level": 0},
                {"time": "12:00", "level": 80},
                {"time": "20:00", "level": 0},
            ],
        },
    )

    status, body = await post(
        client,
        "/api/services/bellas_reef/preview?return_response",
        {"entity_id": "light.blue", "date": PREVIEW_DAY, "step_minutes": 60},
    )

    assert status == 200, body
    day = body["service_response"]["light.blue"]
    assert (day["date"], day["program"]) == (PREVIEW_DAY, "schedule")
    levels = {
        datetime.fromisoformat(point["time"]).strftime("%H:%M"): point["level"] for point in day["points"]
    }
    assert len(levels) == 24
    assert levels["08:00"] == 0
    assert levels["10:00"] == pytest.approx(40)
    assert levels["12:00"] == pytest.approx(80)
    assert levels["16:00"] == pytest.approx(40)
    assert levels["22:00"] == 0


async def test_readings_come_back_from_the_store(client: Client) -> None:
    start = (datetime.now().astimezone() - timedelta(minutes=10)).isoformat()
    await client.call(
        "POST", "/api/services/bellas_reef/override", {"entity_id": "light.royal_blue", "level": 62.5}
    )

    temperature = await readings_when_stored(
        client, {"entity_id": "sensor.water_temperature", "start": start}
    )
    assert temperature["metric"] == "temperature"
    assert all(20 < bucket["avg"] < 30 for bucket in temperature["buckets"])
    # The channel's newest row is the level just set: the buffered writer got it into PostgreSQL.
    deadline = asyncio.get_running_loop().time() + READINGS_SECONDS
    while True:
        royal_blue = await readings_when_stored(
            client, {"entity_id": "light.royal_blue", "start": start, "buckets": 2000}
        )
        if royal_blue["buckets"][-1]["max"] == pytest.approx(62.5):
            break
        assert asyncio.get_running_loop().time() < deadline, royal_blue["buckets"][-3:]
        await asyncio.sleep(0.5)
    assert royal_blue["metric"] == "level"


async def readings_when_stored(client: Client, query: dict[str, Any]) -> dict[str, Any]:
    """The readings service's answer once the store has any row for the query (rows are written every 10 s)."""
    deadline = asyncio.get_running_loop().time() + READINGS_SECONDS
    while True:
        status, body = await post(client, "/api/services/bellas_reef/readings?return_response", query)
        assert status == 200, body
        answer: dict[str, Any] = body["service_response"]
        if answer["buckets"]:
            return answer
        assert asyncio.get_running_loop().time() < deadline, f"no readings for {query}"
        await asyncio.sleep(0.5)


@pytest.mark.parametrize(
    ("service", "payload", "message"),
    [
        (
            "set_program",
            {"entity_id": "light.blue", "program": "schedule", "points": [{"time": "25:00", "level": 10}]},
            "must be a time of day like 07:30, got 25:00",
        ),
        (
            "readings?return_response",
            {
                "entity_id": "sensor.ph",
                "start": "2026-01-02T00:00:00+00:00",
                "end": "2026-01-01T00:00:00+00:00",
            },
            "must be after the start",
        ),
        (
            "readings?return_response",
            {"entity_id": "sensor.demo_reef_driver_errors", "start": "2026-01-01T00:00:00+00:00"},
            "sensor.demo_reef_driver_errors is not a probe or channel of a Bella's Reef controller",
        ),
    ],
    ids=["time of day", "reversed range", "not a source"],
)
async def test_bad_input_is_a_400_that_says_what_is_wrong(
    client: Client, service: str, payload: dict[str, Any], message: str
) -> None:
    status, body = await post(client, f"/api/services/bellas_reef/{service}", payload)

    assert status == 400
    assert message in body["message"]


async def test_input_outside_the_schema_is_a_400_that_changes_nothing(client: Client) -> None:
    before = await state(client, "light.moonlight")

    status, _ = await post(
        client, "/api/services/bellas_reef/override", {"entity_id": "light.moonlight", "level": 150}
    )

    assert status == 400
    after = await state(client, "light.moonlight")
    assert after["attributes"]["brightness"] == before["attributes"]["brightness"]
    assert after["attributes"]["override_until"] == before["attributes"]["override_until"]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"])
async def test_a_request_without_the_token_is_refused(
    client: Client, home_assistant: Server, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with client.session.get(f"{home_assistant.url}/api/states", headers=headers) as response:
        assert response.status == 401
    async with client.session.post(
        f"{home_assistant.url}/api/services/light/turn_on", json={"entity_id": "light.blue"}, headers=headers
    ) as response:
        assert response.status == 401
