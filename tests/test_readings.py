"""The readings table through Home Assistant: rows from probes and channels, queries, outages and restarts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
import os
from pathlib import Path
import shlex
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import psycopg
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.bellas_reef.const import DOMAIN
from custom_components.bellas_reef.readings import Source, database_issue_id

from .conftest import advance, probe_subentry


async def _readings(hass: HomeAssistant, entity_id: str, hours: float, buckets: int = 10) -> dict[str, Any]:
    now = dt_util.utcnow()
    return await hass.services.async_call(
        DOMAIN,
        "readings",
        {
            ATTR_ENTITY_ID: entity_id,
            "start": (now - timedelta(hours=hours)).isoformat(),
            "end": (now + timedelta(seconds=1)).isoformat(),
            "buckets": buckets,
        },
        blocking=True,
        return_response=True,
    )  # type: ignore[return-value]


async def test_probe_and_channel_rows_in_the_embedded_store(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """An hour of probe polls and a channel change land in the SQLite file and come back aggregated."""
    await advance(hass, freezer, 3600, steps=360)
    await hass.services.async_call(
        "light", "turn_on", {ATTR_ENTITY_ID: "light.royal_blue", "brightness": 128}, blocking=True
    )
    await advance(hass, freezer, 10, steps=10)

    temperature = await _readings(hass, "sensor.water_temperature", hours=2, buckets=6)
    assert temperature["metric"] == "temperature"
    assert sum(bucket["count"] for bucket in temperature["buckets"]) >= 360
    assert len(temperature["buckets"]) <= 6
    for bucket in temperature["buckets"]:
        assert bucket["min"] <= bucket["avg"] <= bucket["max"]
        assert 24 < bucket["avg"] < 27

    level = await _readings(hass, "light.royal_blue", hours=2, buckets=1)
    assert level["metric"] == "level"
    assert level["buckets"][0]["max"] == pytest.approx(100 * 128 / 255, abs=0.01)
    assert level["buckets"][0]["min"] == 0
    assert await hass.async_add_executor_job(Path(hass.config.path(f"{DOMAIN}.db")).exists)


async def test_readings_refuses_bad_questions(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Another integration's entity, or a range that ends before it starts, is a translated error."""
    hass.states.async_set("sensor.outside", "3")
    with pytest.raises(ServiceValidationError) as err:
        await _readings(hass, "sensor.outside", hours=1)
    assert err.value.translation_key == "not_a_source"
    now = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "readings",
            {
                ATTR_ENTITY_ID: "sensor.ph",
                "start": now.isoformat(),
                "end": (now - timedelta(hours=1)).isoformat(),
            },
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "invalid_range"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _readings(hass, "sensor.ph", hours=1)
    assert err.value.translation_key == "controller_not_loaded"


async def test_websocket_readings_preview_and_live_outputs(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Dashboards get readings, a day's curve and a stream of channel outputs over the WebSocket API."""
    await advance(hass, freezer, 60, steps=6)
    client = await hass_ws_client(hass)
    now = dt_util.utcnow()
    await client.send_json_auto_id(
        {
            "type": f"{DOMAIN}/readings",
            "entity_id": "sensor.ph",
            "start": (now - timedelta(minutes=5)).isoformat(),
            "buckets": 5,
        }
    )
    reply = await client.receive_json()
    assert reply["success"], reply
    assert reply["result"]["metric"] == "ph"
    assert reply["result"]["buckets"]

    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/readings", "entity_id": "sensor.nothing", "start": now.isoformat()}
    )
    reply = await client.receive_json()
    assert not reply["success"]

    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/preview", "entity_id": "light.white", "step_minutes": 60}
    )
    reply = await client.receive_json()
    assert reply["success"], reply
    assert len(reply["result"]["points"]) in (23, 24, 25)

    await client.send_json_auto_id({"type": f"{DOMAIN}/preview", "entity_id": "light.nothing"})
    reply = await client.receive_json()
    assert not reply["success"]

    await client.send_json_auto_id({"type": f"{DOMAIN}/subscribe_outputs"})
    first = await client.receive_json()
    assert first["type"] == "event"
    assert first["event"]["outputs"]["light.white"] == {"level": 0, "duty": 0}
    assert (await client.receive_json())["success"]
    subscription = first["id"]
    await hass.services.async_call(
        "light", "turn_on", {ATTR_ENTITY_ID: "light.white", "brightness": 255}, blocking=True
    )
    await advance(hass, freezer, 3, steps=60)
    seen = []
    while True:
        message = await client.receive_json()
        seen.append(message["event"]["outputs"]["light.white"])
        if seen[-1]["duty"] == round(0.8 * 4096):
            break
    assert len(seen) > 10
    assert [step["duty"] for step in seen] == sorted(step["duty"] for step in seen)

    await client.send_json_auto_id({"type": "unsubscribe_events", "subscription": subscription})
    assert (await client.receive_json())["success"]
    await client.send_json_auto_id({"type": f"{DOMAIN}/subscribe_outputs", "entry_id": "nope"})
    assert not (await client.receive_json())["success"]


@pytest.fixture
def pg_ctl() -> str:
    """How the test server is stopped and started (set by scripts/test)."""
    return os.environ["BELLAS_REEF_PG_CTL"]


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """The test server's application database, emptied of our tables before and after."""
    url = os.environ["BELLAS_REEF_PG_DSN"]

    async def drop() -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            await connection.execute("DROP TABLE IF EXISTS bellas_reef_readings, bellas_reef_batches")

    await drop()
    yield url
    await drop()


async def _server(pg_ctl: str, action: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(pg_ctl),
        action,
        *(["-m", "fast"] if action == "stop" else []),
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0


async def _stored(url: str, source: str) -> list[tuple[Any, float]]:
    async with await psycopg.AsyncConnection.connect(url) as connection:
        cursor = await connection.execute(
            "SELECT time, value FROM bellas_reef_readings WHERE source = %s ORDER BY time", (source,)
        )
        return [(row[0], row[1]) for row in await cursor.fetchall()]


async def test_postgresql_outage_across_a_restart_loses_nothing(
    hass: HomeAssistant, pg_url: str, pg_ctl: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the server down, rows spool (a repair issue shows), survive a restart, and land exactly once.

    Runs on the real clock (the database's timeouts are real); flushes every 0.1 s instead of every 10 s.
    """
    monkeypatch.setattr("custom_components.bellas_reef.readings.STORE_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr("custom_components.bellas_reef.readings.STORE_FLUSH_SECONDS", 0.1)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Frag tank",
        unique_id="frag_tank",
        data={
            "name": "Frag tank",
            "latitude": 1.0,
            "longitude": 2.0,
            "store": "postgresql",
            "db_url": pg_url,
        },
        subentries_data=[probe_subentry("Temperature", "temperature")],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    probe_id = next(iter(entry.subentries))
    source = Source(probe_id, "temperature")
    issues = ir.async_get(hass)
    sent: list[float] = []

    async def stream(count: int) -> None:
        for _ in range(count):
            value = float(len(sent))
            entry.runtime_data.readings.add(source, value)
            sent.append(value)
            await asyncio.sleep(0.005)

    async def until(condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(30):
            while not condition():
                await asyncio.sleep(0.05)

    def issue_shown() -> bool:
        return issues.async_get_issue(DOMAIN, database_issue_id(entry.entry_id)) is not None

    await stream(100)
    await _server(pg_ctl, "stop")
    try:
        await stream(100)
        await until(issue_shown)
        await stream(50)
        await until(lambda: entry.runtime_data.readings.writer.backlog >= 150)
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.runtime_data.readings.writer.backlog >= 150
        await stream(50)
    finally:
        await _server(pg_ctl, "start")
    await until(lambda: entry.runtime_data.readings.writer.backlog == 0 and not issue_shown())

    stored = [value for _, value in await _stored(pg_url, probe_id)]
    assert sorted(stored) == sent
