"""Brings a fresh Home Assistant to a ready demo tank through its public API, as a user would.

Onboards an owner, creates a long-lived access token, adds a Bella's Reef controller with simulated channels and
probes through the config flows, and writes the token next to the configuration. Idempotent: a configuration that
already has its token is left alone.
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

    async def onboard(self) -> None:
        """Create the owner, finish onboarding and log in."""
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
        await self.call("POST", "/api/onboarding/core_config")
        await self.call("POST", "/api/onboarding/analytics")
        await self.call(
            "POST", "/api/onboarding/integration", {"client_id": client_id, "redirect_uri": client_id}
        )

    async def long_lived_token(self) -> str:
        """Ask the WebSocket API for a long-lived access token."""
        async with self.session.ws_connect(self.base + "/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": self.token})
            await ws.receive_json()
            await ws.send_json(
                {"id": 1, "type": "auth/long_lived_access_token", "client_name": "Demo", "lifespan": 3650}
            )
            reply = await ws.receive_json()
            return str(reply["result"])

    async def flow(self, path: str, start: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
        """Run a config flow from its start through each step's input."""
        result = await self.call("POST", path, start)
        for step in steps:
            result = await self.call("POST", f"{path}/{result['flow_id']}", step)
        return dict(result)

    async def add_tank(self) -> None:
        """Add the controller, then its channels and probes through the subentry flows."""
        entry = await self.flow("/api/config/config_entries/flow", {"handler": "bellas_reef"}, [TANK])
        entry_id = entry["result"]["entry_id"]
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
        await client.onboard()
        token = await client.long_lived_token()
        client.token = token
        await client.add_tank()
        args.token_file.write_text(token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
