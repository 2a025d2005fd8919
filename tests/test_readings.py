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
from homeassistant.const import ATTR_ENTITY_ID, EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import psycopg
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.bellas_reef.const import DOMAIN
from custom_components.bellas_reef.history import Reading, SQLiteStore
from custom_components.bellas_reef.readings import HEARTBEAT, LEVEL_SETTLE, Source, database_issue_id

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
    # The fade's last level is a row once the output has stood still for LEVEL_SETTLE.
    await advance(hass, freezer, 10 + LEVEL_SETTLE.total_seconds(), steps=20)

    temperature = await _readings(hass, "sensor.water_temperature", hours=2, buckets=6)
    assert temperature["metric"] == "temperature"
    # Rows only on change: fewer than the 361 polls, never fewer than one heartbeat per ten minutes.
    assert 3600 / HEARTBEAT.total_seconds() <= sum(bucket["count"] for bucket in temperature["buckets"]) < 361
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
    # Rows of a source of the test's own, beside the probe's.
    probe_id = "stream"
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


def _probe_id(entry: MockConfigEntry, title: str) -> str:
    return next(sid for sid, sub in entry.subentries.items() if sub.title == title)


async def _rows(
    entry: MockConfigEntry, source: Source, start: Any, end: Any
) -> list[tuple[float, float, int]]:
    """(min, max, count) of the rows of one source in [start, end), one bucket per second."""
    readings = entry.runtime_data.readings
    await readings.writer.flush()
    seconds = max(int((end - start).total_seconds()), 1)
    buckets = await readings.store.query(
        entry.entry_id, source.subentry_id, source.metric, start=start, end=end, buckets=seconds
    )
    return [(bucket.min, bucket.max, bucket.count) for bucket in buckets]


async def test_the_first_reading_of_every_setup_is_stored(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The reading HA shows right after a setup, a reload or a restart is in the table too."""
    source = Source(_probe_id(init_integration, "Water temperature"), "temperature")
    for restart in (None, "reload", "restart"):
        if restart == "reload":
            assert await hass.config_entries.async_reload(init_integration.entry_id)
        elif restart == "restart":
            assert await hass.config_entries.async_unload(init_integration.entry_id)
            assert await hass.config_entries.async_setup(init_integration.entry_id)
        await hass.async_block_till_done()
        state = hass.states.get("sensor.water_temperature")
        assert state is not None
        shown = float(state.state)
        # The reading is taken a moment before its sensor shows it; the one before came 5 s earlier.
        shown_at = state.last_updated
        stored = await _rows(
            init_integration, source, shown_at - timedelta(seconds=2), shown_at + timedelta(seconds=1)
        )
        assert stored == [(shown, shown, 1)], restart
        await advance(hass, freezer, 5)


async def test_rows_only_on_change_with_a_heartbeat(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Changes within the metric's deadband repeat the last row; a steady source still writes a heartbeat."""
    readings = init_integration.runtime_data.readings
    source = Source("probe_steady", "temperature")
    start = dt_util.utcnow()
    sent = [25.0, 25.004, 25.009, 25.01, 25.015, 25.02, 24.9]
    for value in sent:
        readings.record(source, value)
        freezer.tick(timedelta(seconds=10))
    for _ in range(int(HEARTBEAT / timedelta(seconds=10)) + 1):
        readings.record(source, 24.9)
        freezer.tick(timedelta(seconds=10))
    rows = await _rows(init_integration, source, start, dt_util.utcnow())
    assert [low for low, _high, _count in rows] == [25.0, 25.01, 25.02, 24.9, 24.9]


async def test_moonlight_steps_below_one_brightness_step_are_recorded(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A channel's level rows follow its output's duty, not HA's 1/255 brightness."""
    channel = _probe_id(init_integration, "Royal blue")
    start = dt_util.utcnow()
    for level in (0.2, 0.4, 0.58):
        await hass.services.async_call(
            DOMAIN,
            "override",
            {ATTR_ENTITY_ID: "light.royal_blue", "level": level, "duration": 60},
            blocking=True,
        )
        await advance(hass, freezer, 10, steps=10)
        assert hass.states.get("light.royal_blue").attributes["brightness"] == 1
    rows = await _rows(init_integration, Source(channel, "level"), start, dt_util.utcnow())
    levels = sorted({low for low, _high, _count in rows} | {high for _low, high, _count in rows})
    assert {0.2, 0.4, 0.58} <= {round(level, 6) for level in levels}


async def test_an_idle_tank_writes_no_state_it_already_shows(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Rules, safety mode and the store's diagnostics write HA's state only when it changes; backlog reads 0."""
    writes: list[str] = []

    @callback
    def watched(data: Any) -> bool:
        entity_id: str = data["entity_id"]
        return entity_id.startswith("binary_sensor.") or "store" in entity_id

    @callback
    def count(event: Event) -> None:
        writes.append(event.data["entity_id"])

    await advance(hass, freezer, 30, steps=3)
    backlog = hass.states.get("sensor.display_reef_readings_store_backlog")
    assert backlog is not None
    assert backlog.state == "0"
    for event_type in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
        hass.bus.async_listen(event_type, count, event_filter=watched)
    await advance(hass, freezer, 300, steps=30)
    # The last write moves with every flush: a real change. Nothing else may write.
    assert [w for w in writes if not w.endswith("last_readings_store_write")] == []
    rules = [s for s in hass.states.async_all("binary_sensor") if s.attributes.get("condition")]
    assert rules
    assert all("value" not in rule.attributes for rule in rules)


async def test_removing_a_controller_deletes_its_spool_and_rows(
    hass: HomeAssistant, init_integration: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    entry_id = init_integration.entry_id
    await advance(hass, freezer, 60, steps=6)
    await init_integration.runtime_data.readings.writer.flush()
    spool = Path(hass.config.path(".storage", f"{DOMAIN}.{entry_id}.spool"))
    await hass.async_add_executor_job(spool.write_text, "left over\n")
    other = MockConfigEntry(
        domain=DOMAIN, title="Frag tank", unique_id="frag_tank", data=dict(init_integration.data)
    )
    store = init_integration.runtime_data.readings.store
    await store.write_batch("frag", [_reading(other.entry_id)])

    assert await hass.config_entries.async_remove(entry_id)
    await hass.async_block_till_done()

    assert not await hass.async_add_executor_job(spool.exists)
    reopened = SQLiteStore(Path(hass.config.path(f"{DOMAIN}.db")))
    try:
        day = {"start": dt_util.utcnow() - timedelta(days=1), "end": dt_util.utcnow() + timedelta(hours=1)}
        gone = _probe_id(init_integration, "pH")
        assert await reopened.query(entry_id, gone, "ph", buckets=1, **day) == []
        assert [b.count for b in await reopened.query(other.entry_id, "probe", "ph", buckets=1, **day)] == [1]
    finally:
        await reopened.close()


def _reading(controller: str) -> Reading:
    return Reading(dt_util.utcnow(), controller, "probe", "ph", 8.2)


async def test_rollup_retention_is_set_in_the_options_flow(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The history step keeps a whole number of days; a fraction is refused on its field and changes nothing."""
    assert init_integration.runtime_data.readings.rollup_retention_days == 5 * 365
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert "history" in result["menu_options"]
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "history"})
    assert result["step_id"] == "history"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"rollup_retention_days": 400.5}
    )
    assert result["type"] is FlowResultType.FORM
    assert list(result["errors"]) == ["rollup_retention_days"]
    assert "rollup_retention_days" not in init_integration.options
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"rollup_retention_days": 3650}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["rollup_retention_days"] == 3650
    assert init_integration.runtime_data.readings.rollup_retention_days == 3650


async def test_rollups_are_never_kept_shorter_than_readings(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={**mock_config_entry.data, "retention_days": 900},
        options={**mock_config_entry.options, "rollup_retention_days": 30},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    readings = mock_config_entry.runtime_data.readings
    assert (readings.retention_days, readings.rollup_retention_days) == (900, 900)
