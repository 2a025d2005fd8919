"""Two Home Assistant instances, each with its own controller, writing to one PostgreSQL server through its outage.

Each `hass` process runs the demo tank with its readings in one database of the session's server, the way several
tanks or rooms share one. They reach it through a loopback proxy (tests/history/proxy.py), so the outage is theirs
alone and the other end-to-end tests' server never notices: while both write, the proxy refuses and cuts every
connection, then lets them through again. Meanwhile each instance's wave maker is switched at known moments, so
the rows it must hold are known exactly. Afterwards every instance's rows are there once, no row of any probe or
outlet is stored twice, and the rollups equal the rows rolled up again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
import os
from pathlib import Path
import subprocess
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import aiohttp
import psycopg
from psycopg import sql
import pytest

from custom_components.bellas_reef.history import ROLLUP_RESOLUTIONS
from scripts.demo.bootstrap import Client
from tests.history.proxy import CuttingProxy

from .server import Server, bring_up, free_port, integration_problems, prepare_config, start, stop
from .websocket import Connection, authenticate

SWITCHED = "switch.wave_maker"
BACKLOG = "sensor.demo_reef_readings_store_backlog"
TOGGLES = 6
SETTLE_SECONDS = 90.0


@dataclass
class Instance:
    """One running Home Assistant and a client holding its owner's token."""

    process: subprocess.Popen[bytes]
    server: Server
    client: Client


def _environment(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"{name} is not set: run these tests with `scripts/run --postgres`")
    return value


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A database of this test's own on the session's server, owned by the application role."""
    url, admin = _environment("BELLAS_REEF_PG_DSN"), _environment("BELLAS_REEF_PG_ADMIN_DSN")
    parts = urlsplit(url)
    database = f"scale_out_{uuid4().hex[:8]}"
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
        await connection.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(parts.username or "")
            )
        )
    yield urlunsplit(parts._replace(path=f"/{database}"))
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
        await connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


@pytest.fixture
async def proxy(pg_url: str) -> AsyncIterator[CuttingProxy]:
    """The instances' way to the server, to take it away from them."""
    cutting = CuttingProxy.for_url(pg_url)
    await cutting.start()
    yield cutting
    await cutting.close()


@pytest.fixture
async def instances(
    pg_url: str, proxy: CuttingProxy, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[list[Instance]]:
    """Two `hass` processes on the demo configuration, each given the demo tank on the one server."""
    started: list[tuple[subprocess.Popen[bytes], Path, int]] = []
    try:
        for _ in range(2):
            config_dir = tmp_path_factory.mktemp("scale-out")
            port = free_port()
            prepare_config(config_dir, port)
            started.append((start(config_dir), config_dir, port))
        servers = await asyncio.gather(
            *(bring_up(config_dir, port, proxy.url(pg_url)) for _, config_dir, port in started)
        )
        async with AsyncExitStack() as stack:
            running = []
            for (process, _, _), server in zip(started, servers, strict=True):
                session = await stack.enter_async_context(aiohttp.ClientSession())
                client = Client(session, server.url)
                client.token = server.token
                running.append(Instance(process, server, client))
            yield running
    finally:
        # Off the event loop: the proxy the instances flush through at their stop runs on it.
        codes = await asyncio.gather(*(asyncio.to_thread(stop, process) for process, _, _ in started))
    assert list(codes) == [0, 0]
    for _, config_dir, _ in started:
        problems = integration_problems((config_dir / "home-assistant.log").read_text())
        # The outage itself is reported: our warning, and the connection pool's own while it retries.
        outage = ("Readings store unreachable", "[psycopg.pool] error connecting")
        assert [p for p in problems if not any(text in p for text in outage)] == []


async def _switch(instance: Instance) -> str:
    """Switch the wave maker the other way and wait until HA shows it; return the state it was switched to."""
    wanted = "off" if await _state(instance, SWITCHED) == "on" else "on"
    await instance.client.call("POST", f"/api/services/switch/turn_{wanted}", {"entity_id": SWITCHED})

    async def shown(instance: Instance) -> bool:
        return await _state(instance, SWITCHED) == wanted

    await _until(shown, instance)
    return wanted


async def _state(instance: Instance, entity_id: str) -> str:
    state: str = (await instance.client.call("GET", f"/api/states/{entity_id}"))["state"]
    return state


async def _until(condition: Callable[[Instance], Awaitable[bool]], *instances: Instance) -> None:
    async with asyncio.timeout(SETTLE_SECONDS):
        while not all([await condition(instance) for instance in instances]):
            await asyncio.sleep(0.5)


async def _subentry(instance: Instance, entity_id: str) -> str:
    """The subentry (the rows' source) behind one of the instance's entities, from its entity registry."""
    async with instance.client.session.ws_connect(f"{instance.server.url}/api/websocket") as ws:
        verdict = await authenticate(ws, instance.server.token)
        assert verdict["type"] == "auth_ok", verdict
        entry = await Connection(ws).command("config/entity_registry/get", entity_id=entity_id)
    return str(entry["config_subentry_id"])


async def _stored_changes(
    connection: psycopg.AsyncConnection[Any], instance: Instance, source: str, since: datetime
) -> list[str]:
    """The states an outlet's rows went through since a moment, each change once.

    A setup (the controller reloads after each subentry the demo adds) records the state it finds again; a row
    stored twice would have the same time and is caught by the test.
    """
    cursor = await connection.execute(
        "SELECT value FROM bellas_reef_readings WHERE controller = %s AND source = %s AND metric = 'on' "
        "AND time >= %s ORDER BY time",
        (instance.server.entry_id, source, since),
    )
    stored = ["on" if value else "off" for (value,) in await cursor.fetchall()]
    return [state for number, state in enumerate(stored) if number == 0 or stored[number - 1] != state]


async def test_two_instances_share_one_server_through_its_outage(
    instances: list[Instance], proxy: CuttingProxy, pg_url: str
) -> None:
    sources = [await _subentry(instance, SWITCHED) for instance in instances]
    expected: list[list[str]] = [[], []]

    async def toggle_all() -> None:
        for index, instance in enumerate(instances):
            expected[index].append(await _switch(instance))

    async def written(instance: Instance) -> bool:
        return await _state(instance, BACKLOG) == "0"

    await _until(written, *instances)
    async with await psycopg.AsyncConnection.connect(pg_url) as connection:
        cursor = await connection.execute("SELECT now()")
        (since,) = await cursor.fetchone() or (None,)
    for _ in range(TOGGLES // 2):
        await toggle_all()
        await asyncio.sleep(1)
    proxy.down = True
    proxy.cut_all()
    try:
        for _ in range(TOGGLES):
            await toggle_all()
            await asyncio.sleep(1)

        async def spooling(instance: Instance) -> bool:
            return int(await _state(instance, BACKLOG)) > 0

        await _until(spooling, *instances)
    finally:
        proxy.down = False
    for _ in range(TOGGLES // 2):
        await toggle_all()
        await asyncio.sleep(1)
    # The backlog counts only what failed: the last switches may still wait for the next regular flush.
    await _until(written, *instances)

    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as connection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while True:
            changes = [
                await _stored_changes(connection, instance, source, since)
                for instance, source in zip(instances, sources, strict=True)
            ]
            arrived = all(
                got[-len(wanted) :] == wanted for got, wanted in zip(changes, expected, strict=True)
            )
            if arrived or loop.time() > deadline:
                break
            await asyncio.sleep(0.5)
        for index, instance in enumerate(instances):
            assert changes[index][-len(expected[index]) :] == expected[index], (instance.server.url, changes)
        cursor = await connection.execute(
            "SELECT controller, source, metric, time, count(*) FROM bellas_reef_readings "
            "GROUP BY controller, source, metric, time HAVING count(*) > 1"
        )
        assert await cursor.fetchall() == []
        cursor = await connection.execute("SELECT count(DISTINCT controller) FROM bellas_reef_readings")
        assert await cursor.fetchone() == (2,)
        for resolution in ROLLUP_RESOLUTIONS:
            cursor = await connection.execute(
                "SELECT count(*) FROM (SELECT controller, source, metric, "
                "date_bin(%(width)s, time, 'epoch') AS slot, sum(value) AS total, min(value) AS low, "
                "max(value) AS high, count(*) AS count FROM bellas_reef_readings "
                "GROUP BY controller, source, metric, slot) AS raw FULL JOIN (SELECT * FROM bellas_reef_rollups "
                "WHERE resolution = %(seconds)s) AS rolled USING (controller, source, metric, slot) "
                "WHERE rolled.count IS DISTINCT FROM raw.count OR rolled.low IS DISTINCT FROM raw.low "
                "OR rolled.high IS DISTINCT FROM raw.high OR abs(rolled.total - raw.total) > 1e-6 * abs(raw.total) "
                "OR rolled.total IS NULL OR raw.total IS NULL",
                {"width": resolution, "seconds": int(resolution.total_seconds())},
            )
            assert await cursor.fetchone() == (0,), resolution
