"""One real `hass` process for these tests, started on the demo configuration, onboarded and given the demo tank.

No Home Assistant runs inside pytest here: the tests reach the server over HTTP and WebSocket on 127.0.0.1 with
the owner's long-lived token, as any outside client would. After the last of them the server is stopped as a
service manager would stop it, and its log must hold no error or traceback from the integration.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
import os
from pathlib import Path

import aiohttp
import pytest
import pytest_socket

from scripts.demo.bootstrap import Client

from .server import Server, bring_up, free_port, integration_problems, prepare_config, start, stop
from .websocket import Connection, authenticate


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process Home Assistant: the server under test is a process of its own."""


@pytest.fixture(autouse=True)
def loopback(socket_enabled: None) -> None:
    """Let the tests open sockets; pytest-socket still refuses every host but 127.0.0.1."""


@pytest.fixture(scope="package")
def home_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The running server with the demo tank, its readings in the session's PostgreSQL server."""
    db_url = os.environ.get("BELLAS_REEF_PG_DSN", "")
    if not db_url:
        pytest.fail("BELLAS_REEF_PG_DSN is not set: run these tests with `scripts/run --postgres`")
    # This fixture sets up before any test's socket_enabled; the loopback-only rule still holds.
    pytest_socket.enable_socket()
    config_dir = tmp_path_factory.mktemp("home-assistant")
    port = free_port()
    prepare_config(config_dir, port)
    process = start(config_dir)
    try:
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            server = runner.run(bring_up(config_dir, port, db_url))
    except BaseException as err:
        stop(process)
        raise RuntimeError(f"Home Assistant did not come up; its log ends:\n{_tail(config_dir)}") from err
    yield server
    code = stop(process)
    assert code == 0, f"hass exited with {code}; its log ends:\n{_tail(config_dir)}"
    problems = integration_problems(server.log_path.read_text())
    assert not problems, "the log holds problems of the integration:\n\n" + "\n\n".join(problems)


def _tail(config_dir: Path) -> str:
    log = config_dir / "home-assistant.log"
    return "\n".join(log.read_text().splitlines()[-40:]) if log.exists() else "(no log)"


@pytest.fixture
async def client(home_assistant: Server) -> AsyncIterator[Client]:
    """A REST client holding the owner's long-lived token."""
    async with aiohttp.ClientSession() as session:
        client = Client(session, home_assistant.url)
        client.token = home_assistant.token
        yield client


@pytest.fixture
async def websocket(client: Client, home_assistant: Server) -> AsyncIterator[Connection]:
    """A WebSocket API connection, authenticated with the same token."""
    async with client.session.ws_connect(f"{home_assistant.url}/api/websocket") as ws:
        verdict = await authenticate(ws, home_assistant.token)
        assert verdict["type"] == "auth_ok", verdict
        yield Connection(ws)
