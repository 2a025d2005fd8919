"""Running fake device servers for one test, and a port nothing listens on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import socket
from typing import Protocol


class FakeServer(Protocol):
    """A fake device server."""

    async def start(self) -> int:
        """Listen on an ephemeral loopback port and return it."""

    async def stop(self) -> None:
        """Stop listening and end every connection."""


@asynccontextmanager
async def serving(server: FakeServer) -> AsyncIterator[int]:
    """Run a fake device server for one test and yield its port."""
    port = await server.start()
    try:
        yield port
    finally:
        await server.stop()


def closed_port() -> int:
    """A loopback port with nothing listening: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
