"""A loopback TCP proxy that cuts connections to a database server where real networks do.

It sits between a client and a server on 127.0.0.1 and forwards bytes both ways untouched. It can drop every
connection at a random chunk (seeded, so a failure can be replayed), lose the server's reply to a COMMIT after
the COMMIT has reached the server and the server has answered it (the client cannot tell whether its
transaction is stored), and refuse connections altogether, like a server that is down.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
import random
from urllib.parse import urlsplit, urlunsplit

_CHUNK = 65536


class CuttingProxy:
    """Forwards 127.0.0.1:`port` to the target, cutting connections as told."""

    def __init__(self, target_host: str, target_port: int, *, seed: int = 0) -> None:
        """Nothing listens until `start`."""
        self.target = (target_host, target_port)
        self.random = random.Random(seed)
        # Chance that any one forwarded chunk, either way, ends its connection (before or after it is sent).
        self.cut_chance = 0.0
        # How many of the next COMMITs reach the server but have their reply dropped with the connection.
        self.lose_commit_replies = 0
        # While down, connections are accepted and closed at once, and open ones are cut.
        self.down = False
        self.cuts: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @classmethod
    def for_url(cls, url: str, *, seed: int = 0) -> CuttingProxy:
        """A proxy in front of the server a postgresql:// URL names."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 5432, seed=seed)

    @property
    def port(self) -> int:
        """The port clients connect to."""
        assert self._server is not None, "start the proxy first"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def url(self, url: str) -> str:
        """The same URL, pointed at the proxy."""
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@127.0.0.1:{self.port}" if userinfo else f"127.0.0.1:{self.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)

    def cut_all(self) -> None:
        """End every open connection now."""
        for writer in list(self._writers):
            writer.transport.abort()

    async def close(self) -> None:
        """Stop listening and end every connection."""
        if self._server is not None:
            self._server.close()
        self.cut_all()
        for link in list(self._links):
            link.cancel()
        await asyncio.gather(*self._links, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.cuts["refused"] += 1
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers |= {client_writer, server_writer}
        commit_sent = asyncio.Event()
        upstream = asyncio.create_task(self._pump(client_reader, server_writer, commit_sent, upstream=True))
        downstream = asyncio.create_task(
            self._pump(server_reader, client_writer, commit_sent, upstream=False)
        )
        self._links |= {upstream, downstream}
        try:
            await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for writer in (client_writer, server_writer):
                writer.transport.abort()
                self._writers.discard(writer)
            for link in (upstream, downstream):
                link.cancel()
                with contextlib.suppress(asyncio.CancelledError, OSError):
                    await link
                self._links.discard(link)

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        commit_sent: asyncio.Event,
        *,
        upstream: bool,
    ) -> None:
        while chunk := await reader.read(_CHUNK):
            if self.down:
                self.cuts["outage"] += 1
                return
            if not upstream and commit_sent.is_set():
                # The server has answered the COMMIT: it is stored, and the client never hears so.
                self.cuts["commit reply lost"] += 1
                return
            if self.cut_chance and self.random.random() < self.cut_chance:
                self.cuts["random"] += 1
                if self.random.random() < 0.5:
                    writer.write(chunk)
                    with contextlib.suppress(OSError):
                        await writer.drain()
                return
            writer.write(chunk)
            await writer.drain()
            if upstream and self.lose_commit_replies and b"COMMIT" in chunk.upper():
                self.lose_commit_replies -= 1
                commit_sent.set()
