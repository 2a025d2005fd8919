"""Debian's headless Chromium, driven over the DevTools protocol, to look at the dashboard as a person would."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import json
import os
from pathlib import Path
import shutil
import signal
import subprocess
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp

from scripts.demo.bootstrap import PASSWORD, USERNAME, Client

CHROMIUM = "chromium-headless-shell"
START_SECONDS = 20.0
STOP_SECONDS = 10.0
COMMAND_SECONDS = 30.0


def launch(profile_dir: Path, width: int, height: int) -> subprocess.Popen[bytes]:
    """Start Chromium in a process group of its own, with a fresh profile and DevTools on a free loopback port."""
    executable = shutil.which(CHROMIUM)
    if executable is None:
        raise RuntimeError(f"{CHROMIUM} is not installed (scripts/setup installs it)")
    with (profile_dir.parent / "chromium.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - a fixed command line, the browser found on PATH
            [
                executable,
                "--no-sandbox",  # the test environment runs as root, where Chromium's sandbox refuses to start
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                "--mute-audio",
                "--lang=en-US",
                f"--window-size={width},{height}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile_dir}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )


def close(process: subprocess.Popen[bytes]) -> None:
    """Stop Chromium with every process it started: Debian's launcher is a shell script, so stop its group."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def devtools_port(profile_dir: Path, process: subprocess.Popen[bytes]) -> int:
    """The port Chromium chose, from the file it writes into its profile once DevTools listens."""
    active_port = profile_dir / "DevToolsActivePort"
    deadline = time.monotonic() + START_SECONDS
    while not active_port.exists() or not active_port.read_text().strip():
        if process.poll() is not None:
            raise RuntimeError(f"Chromium exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("Chromium did not open its DevTools port")
        time.sleep(0.05)
    return int(active_port.read_text().split()[0])


async def login_url(client: Client, path: str) -> str:
    """Log in as the demo owner through HA's login flow; the URL of `path` that completes the login in a browser.

    The frontend finishes an OAuth-style login itself when it lands on `auth_callback=1` with the code and its
    state, exactly as after HA's own login page.
    """
    client_id = client.base + "/"
    flow = await client.call(
        "POST",
        "/auth/login_flow",
        {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id},
    )
    done = await client.call(
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        {"client_id": client_id, "username": USERNAME, "password": PASSWORD},
    )
    if done.get("type") != "create_entry":
        raise RuntimeError(f"login refused: {done}")
    state = base64.b64encode(json.dumps({"hassUrl": client.base, "clientId": client_id}).encode()).decode()
    query = urlencode({"auth_callback": 1, "code": done["result"], "state": state})
    return f"{client.base}{path}?{query}"


class Page:
    """One browser tab: DevTools commands by id (the tests need no DevTools events)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Talk to the tab over its DevTools socket."""
        self.ws = ws
        self._last_id = 0

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one DevTools command and return its result."""
        self._last_id += 1
        message_id = self._last_id
        await self.ws.send_json({"id": message_id, "method": method, "params": params})
        async with asyncio.timeout(COMMAND_SECONDS):
            while True:
                message = await self.ws.receive_json()
                if message.get("id") != message_id:
                    continue
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        reply = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    async def screenshot(self) -> bytes:
        """A PNG of the viewport."""
        reply = await self.send("Page.captureScreenshot", format="png")
        return base64.b64decode(reply["data"])


@asynccontextmanager
async def open_page(session: aiohttp.ClientSession, port: int) -> AsyncIterator[Page]:
    """The tab Chromium opened at start."""
    async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
        targets = await response.json()
    target = next(target for target in targets if target["type"] == "page")
    async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
        yield Page(ws)
