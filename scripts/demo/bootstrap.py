"""Brings a fresh Home Assistant to a ready demo tank through its public API, as a user would.

Onboards an owner, creates a long-lived access token, adds a Bella's Reef controller with simulated channels,
probes and outlets through the config flows, gives the channels real programs for the demo's place and switches the
outlets as their roles want, and writes the token next to the configuration. The end-to-end tests bring up their
server with the same steps. Idempotent: a configuration that already has its token is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
from typing import Any

import aiohttp

USERNAME = "reef"
PASSWORD = "reef-demo"  # noqa: S105 - the demo's printed login, on a loopback-only server
COUNTRY = "NL"
TANK = {"name": "Demo reef", "location": {"latitude": 52.3676, "longitude": 4.9041}}
CHANNELS = [
    {"name": "Royal blue", "output": 0, "role": "royal_blue"},
    {"name": "Blue", "output": 1, "role": "blue"},
    {"name": "White", "output": 2, "role": "white", "max_output": 80},
    {"name": "Violet", "output": 3, "role": "violet"},
    {"name": "UV", "output": 4, "role": "uv"},
    {"name": "Moonlight", "output": 5, "role": "moon"},
]
PROBES = [
    {"name": "Water temperature", "kind": "temperature"},
    {"name": "pH", "kind": "ph"},
    {"name": "ORP", "kind": "orp"},
    {"name": "Salinity", "kind": "salinity"},
]
OUTLETS = [
    {"name": "Heater", "role": "heater", "boot_delay": 0, "watts": 200},
    {"name": "Return pump", "role": "return_pump", "boot_delay": 10},
    {"name": "Skimmer", "role": "skimmer", "boot_delay": 20},
    {"name": "Wave maker", "role": "powerhead", "boot_delay": 5},
]
# What each channel does from the first start: the sun's day at the tank's place on the whites and blues (a bell,
# never full power), the real moon and a late moonlight window on the moonlight, and new corals acclimating under
# the UV. Violet stays off for the tests that drive it by hand.
PROGRAMS: dict[str, dict[str, Any]] = {
    "light.royal_blue": {"program": "daylight", "shape": "bell", "peak": 85, "sunrise_offset": -30},
    "light.blue": {"program": "daylight", "shape": "bell", "peak": 75, "sunrise_offset": -15},
    "light.white": {"program": "daylight", "shape": "bell", "peak": 60, "sunset_offset": -30},
    "light.uv": {"program": "daylight", "shape": "bell", "peak": 40},
    "light.moonlight": {"program": "static", "level": 0},
}
LAYERS: dict[str, dict[str, Any]] = {
    "light.moonlight": {
        "lunar_max_level": 3,
        "moonlight_level": 0.5,
        "moonlight_start": "21:00",
        "moonlight_end": "23:30",
    },
    "light.uv": {"acclimation_days": 30, "acclimation_start_level": 40},
}
# Outlets whose role runs all day: on from the start (the heater waits for temperature control).
RUNNING_OUTLETS = ("switch.return_pump", "switch.skimmer", "switch.wave_maker")
START_SECONDS = 120.0
CHANNEL_DEFAULTS = {
    "address": 64,
    "curve": "cie1931",
    "min_output": 0,
    "max_output": 100,
    "override_minutes": 60,
}


class Client:
    """A thin REST and WebSocket client for the steps a person would click through."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Talk to the server at `base`."""
        self.session = session
        self.base = base
        self.token = ""

    async def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        """Send one request and return its JSON, failing loudly on an error status."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(method, self.base + path, json=payload, headers=headers) as response:
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {await response.text()}")
            return await response.json()

    async def wait_until_up(self, seconds: float) -> None:
        """Wait for the HTTP server to answer."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            try:
                async with self.session.get(self.base + "/manifest.json") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError("Home Assistant did not start in time")
            await asyncio.sleep(0.5)

    async def wait_until_running(self, seconds: float) -> None:
        """Wait for Home Assistant to finish starting (needs a token)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while (await self.call("GET", "/api/config"))["state"] != "RUNNING":
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError("Home Assistant did not finish starting in time")
            await asyncio.sleep(0.2)

    async def onboard(self) -> None:
        """Create the owner and log in, then finish onboarding once Home Assistant has started.

        Finishing onboarding sets up HA's default integrations; on a server still starting, its start would wait
        for them.
        """
        client_id = self.base + "/"
        created = await self.call(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": client_id,
                "name": "Reef keeper",
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        )
        form = {"grant_type": "authorization_code", "code": created["auth_code"], "client_id": client_id}
        async with self.session.post(self.base + "/auth/token", data=form) as response:
            self.token = (await response.json())["access_token"]
        await self.wait_until_running(60)
        await self.call("POST", "/api/onboarding/core_config")
        await self.call("POST", "/api/onboarding/analytics")
        await self.call(
            "POST", "/api/onboarding/integration", {"client_id": client_id, "redirect_uri": client_id}
        )

    async def command(self, kind: str, **fields: Any) -> Any:
        """Run one WebSocket API command with the client's token and return its result."""
        async with self.session.ws_connect(self.base + "/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (verdict := await ws.receive_json())["type"] != "auth_ok":
                raise RuntimeError(f"WebSocket API refused the token: {verdict}")
            await ws.send_json({"id": 1, "type": kind, **fields})
            reply = await ws.receive_json()
            if not reply.get("success"):
                raise RuntimeError(f"{kind}: {reply.get('error')}")
            return reply.get("result")

    async def set_country(self) -> None:
        """Say where Home Assistant is, as onboarding's location step asks (else it raises a repair)."""
        await self.command("config/core/update", country=COUNTRY)

    async def long_lived_token(self) -> str:
        """Ask the WebSocket API for a long-lived access token."""
        return str(await self.command("auth/long_lived_access_token", client_name="Demo", lifespan=3650))

    async def flow(self, path: str, start: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
        """Run a config flow from its start through each step's input; a form shown again is a failure."""
        result = await self.call("POST", path, start)
        for step in steps:
            result = await self.call("POST", f"{path}/{result['flow_id']}", step)
        if result.get("type") != "create_entry":
            raise RuntimeError(f"{path} ended with {result.get('type')}: {result.get('errors')}")
        return dict(result)

    async def add_tank(self, db_url: str | None = None) -> str:
        """Add the controller (its readings in PostgreSQL when `db_url` is given), then its channels, probes, outlets.

        Returns the controller's config entry id.
        """
        store = {"store": "embedded"} if db_url is None else {"store": "postgresql", "db_url": db_url}
        entry = await self.flow("/api/config/config_entries/flow", {"handler": "bellas_reef"}, [TANK | store])
        entry_id = str(entry["result"]["entry_id"])
        subentries = "/api/config/config_entries/subentries/flow"
        for channel in CHANNELS:
            await self.flow(
                subentries,
                {"handler": [entry_id, "channel"]},
                [{"next_step_id": "simulated"}, CHANNEL_DEFAULTS | channel],
            )
        for probe in PROBES:
            await self.flow(
                subentries, {"handler": [entry_id, "probe"]}, [{"next_step_id": "simulated"}, probe]
            )
        for outlet in OUTLETS:
            await self.flow(
                subentries, {"handler": [entry_id, "outlet"]}, [{"next_step_id": "simulated"}, outlet]
            )
        return entry_id

    async def wait_for_states(self, entity_ids: set[str]) -> None:
        """Wait until every entity is there and available (the controller sets up again after each subentry)."""
        deadline = asyncio.get_running_loop().time() + START_SECONDS
        while True:
            states = await self.call("GET", "/api/states")
            ready = {
                state["entity_id"] for state in states if state["state"] not in ("unavailable", "unknown")
            }
            if entity_ids <= ready:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"entities never became available: {sorted(entity_ids - ready)}")
            await asyncio.sleep(0.2)

    async def start_programs(self) -> None:
        """Give the channels their programs and layers, and switch on the outlets that run all day."""
        await self.wait_for_states({*PROGRAMS, *RUNNING_OUTLETS})
        for entity_id, program in PROGRAMS.items():
            await self.call(
                "POST", "/api/services/bellas_reef/set_program", {"entity_id": entity_id, **program}
            )
        for entity_id, layers in LAYERS.items():
            await self.call(
                "POST", "/api/services/bellas_reef/set_layers", {"entity_id": entity_id, **layers}
            )
        await self.call("POST", "/api/services/switch/turn_on", {"entity_id": list(RUNNING_OUTLETS)})


async def bootstrap(client: Client, db_url: str | None = None) -> str:
    """Onboard, switch the client to a new long-lived token, add the demo tank and start its programs.

    Returns the controller's config entry id.
    """
    await client.onboard()
    client.token = await client.long_lived_token()
    await client.set_country()
    entry_id = await client.add_tank(db_url)
    await client.start_programs()
    return entry_id


async def main() -> int:
    """Bootstrap the server given on the command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--token-file", type=Path, required=True)
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        client = Client(session, args.url)
        await client.wait_until_up(180)
        if args.token_file.exists():
            return 0
        await bootstrap(client)
        args.token_file.write_text(client.token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
