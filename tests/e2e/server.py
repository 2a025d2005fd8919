"""A real Home Assistant process with the demo tank, reached only through its HTTP and WebSocket APIs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys

import aiohttp
from homeassistant.util import slugify

from custom_components.bellas_reef.const import DOMAIN
from scripts.demo.bootstrap import CHANNELS, OUTLETS, PROBES, Client, bootstrap
from scripts.demo.http_settings import write_http_settings

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "scripts" / "demo" / "config"
AUTOMATIONS = Path(__file__).with_name("automations.yaml")
START_SECONDS = 60.0
STOP_SECONDS = 30.0
# Config entry states a controller does not leave by itself.
_FAILED_STATES = ("setup_error", "migration_error", "failed_unload")

# One log record: "2026-01-31 12:00:00.123 ERROR (MainThread) [logger.name] message", then any traceback lines.
_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (?P<level>[A-Z]+) \([^)]*\) \[(?P<logger>[^\]]+)\]"
)
_OUR_LOGGER = "custom_components.bellas_reef"
_OUR_CODE = "custom_components/bellas_reef/"
# Home Assistant warns about every custom integration it loads; that warning is no problem of ours.
_NOTICE = f"We found a custom integration {DOMAIN} which has not been tested"


@dataclass(frozen=True, slots=True)
class Server:
    """How the tests reach the running Home Assistant, and what the demo tank has in it."""

    url: str
    token: str
    entry_id: str
    config_dir: Path
    lights: tuple[str, ...]
    probes: tuple[str, ...]

    @property
    def log_path(self) -> Path:
        """Home Assistant's own log file."""
        return self.config_dir / "home-assistant.log"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now (not 8123, where a developer's HA may run)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def prepare_config(config_dir: Path, port: int) -> None:
    """The demo configuration on `port`, with the integration linked in and the tests' automations added."""
    shutil.copytree(DEMO_CONFIG, config_dir, dirs_exist_ok=True)
    write_http_settings(config_dir, port)
    configuration = config_dir / "configuration.yaml"
    configuration.write_text(configuration.read_text() + "automation: !include automations.yaml\n")
    shutil.copy(AUTOMATIONS, config_dir / "automations.yaml")
    (config_dir / "custom_components").mkdir()
    (config_dir / "custom_components" / "bellas_reef").symlink_to(REPO / "custom_components" / "bellas_reef")


def start(config_dir: Path) -> subprocess.Popen[bytes]:
    """Start `hass` on that configuration; its console output goes next to its log file."""
    with (config_dir / "console.log").open("wb") as console:
        return subprocess.Popen(  # noqa: S603 - a fixed command line with this interpreter
            [sys.executable, "-m", "homeassistant", "--config", str(config_dir), "--skip-pip"],
            stdout=console,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes]) -> int:
    """Ask Home Assistant to stop as a service manager would, and return its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


async def bring_up(config_dir: Path, port: int, db_url: str) -> Server:
    """Wait for the server, onboard it, add the demo tank with its readings in PostgreSQL, wait for its entities."""
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        client = Client(session, url)
        await client.wait_until_up(START_SECONDS)
        entry_id = await bootstrap(client, db_url)
        found = (await client.call("GET", "/api/config"))["config_dir"]
        if Path(found) != config_dir:
            raise RuntimeError(f"port {port} is served by another Home Assistant (config in {found})")
        server = Server(
            url=url,
            token=client.token,
            entry_id=entry_id,
            config_dir=config_dir,
            lights=tuple(f"light.{slugify(str(channel['name']))}" for channel in CHANNELS),
            probes=tuple(f"sensor.{slugify(str(probe['name']))}" for probe in PROBES),
        )
        outlets = {f"switch.{slugify(str(outlet['name']))}" for outlet in OUTLETS}
        await wait_for_entities(client, {*server.lights, *server.probes, *outlets})
    return server


async def wait_for_entities(client: Client, entity_ids: set[str]) -> None:
    """Wait until every entity has a state (the controller reloads per subentry); a failed setup ends the wait."""
    deadline = asyncio.get_running_loop().time() + START_SECONDS
    while True:
        for entry in await client.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}"):
            if entry["state"] in _FAILED_STATES:
                raise RuntimeError(f"the controller failed to set up: {entry['state']} {entry.get('reason')}")
        states = await client.call("GET", "/api/states")
        ready = {state["entity_id"] for state in states if state["state"] not in ("unavailable", "unknown")}
        if entity_ids <= ready:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(f"entities never became available: {sorted(entity_ids - ready)}")
        await asyncio.sleep(0.2)


def integration_problems(log: str) -> list[str]:
    """What the log holds against the integration.

    Errors it logged itself, any record whose traceback runs through its code, and Home Assistant's warnings
    about it (a services.yaml it cannot read, for one), but for the notice every custom integration gets.
    """
    return [record for record in _records(log) if _against_us(record)]


def _against_us(record: str) -> bool:
    match = _RECORD.match(record)
    if match is None:
        return False
    if "Traceback" in record and _OUR_CODE in record:
        return True
    if match["logger"] == _OUR_LOGGER or match["logger"].startswith(f"{_OUR_LOGGER}."):
        return match["level"] in ("ERROR", "CRITICAL")
    headline = record.splitlines()[0]
    return (
        match["level"] in ("WARNING", "ERROR", "CRITICAL") and DOMAIN in headline and _NOTICE not in headline
    )


def _records(log: str) -> Iterator[str]:
    lines: list[str] = []
    for line in log.splitlines():
        if _RECORD.match(line) and lines:
            yield "\n".join(lines)
            lines = []
        lines.append(line)
    if lines:
        yield "\n".join(lines)
