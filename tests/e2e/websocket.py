"""Home Assistant's WebSocket API as an outside client speaks it: auth, commands by id, subscription events."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp

EVENT_SECONDS = 15.0


class CommandError(Exception):
    """A command answered with success false; carries Home Assistant's error code and message."""

    def __init__(self, error: dict[str, Any]) -> None:
        """Keep the code apart so tests can check it."""
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = str(error.get("code"))
        self.message = str(error.get("message"))


async def authenticate(ws: aiohttp.ClientWebSocketResponse, token: str) -> dict[str, Any]:
    """Answer the server's auth_required with `token`; returns its verdict (auth_ok or auth_invalid)."""
    greeting = await ws.receive_json()
    if greeting["type"] != "auth_required":
        raise AssertionError(f"expected auth_required, got {greeting}")
    await ws.send_json({"type": "auth", "access_token": token})
    verdict: dict[str, Any] = await ws.receive_json()
    return verdict


class Connection:
    """An authenticated connection; events that arrive while a command waits are kept for `event`."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Use an already authenticated socket."""
        self.ws = ws
        self._last_id = 0
        self._pending: deque[dict[str, Any]] = deque()

    async def command(self, kind: str, **fields: Any) -> Any:
        """Send one command and return its result, raising CommandError when it fails."""
        self._last_id += 1
        message_id = self._last_id
        await self.ws.send_json({"id": message_id, "type": kind, **fields})
        async with asyncio.timeout(EVENT_SECONDS):
            while True:
                message = await self.ws.receive_json()
                if message.get("id") == message_id and message["type"] == "result":
                    if not message["success"]:
                        raise CommandError(message["error"])
                    return message["result"]
                self._pending.append(message)

    async def subscribe(self, kind: str, **fields: Any) -> int:
        """Start a subscription; returns the id its events carry."""
        await self.command(kind, **fields)
        return self._last_id

    async def event(self, subscription: int, matches: Callable[[Any], bool]) -> Any:
        """The next event of `subscription` that `matches`; events before it (of any subscription) are dropped."""
        async with asyncio.timeout(EVENT_SECONDS):
            while True:
                message = self._pending.popleft() if self._pending else await self.ws.receive_json()
                if (
                    message.get("id") == subscription
                    and message["type"] == "event"
                    and matches(message["event"])
                ):
                    return message["event"]
