"""State changes an idle demo tank makes in Home Assistant's state machine (what its recorder writes), per hour.

Run: scripts/run python bench/bench_state_writes.py [seconds]

A real `hass` process runs the demo configuration with the demo tank on the embedded store, as the end-to-end
tests start it. Once it has settled, every `state_changed` event is counted for `seconds` (default 120) of wall
clock over the WebSocket API, by entity, and reported per hour. Nobody touches the tank meanwhile: what changes is
what its programs, probes and outlets do by themselves. (Writes of an unchanged state fire `state_reported`, which
the WebSocket API does not stream; tests/test_readings.py checks that our entities make none.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
import sys
import tempfile
import time

import aiohttp

# Run as a plain script from the repository root: make the integration and the test helpers importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.server import bring_up, free_port, prepare_config, start, stop
from tests.e2e.websocket import Connection, authenticate

SETTLE_SECONDS = 30.0


async def count_changes(config_dir: Path, port: int, seconds: float) -> Counter[str]:
    server = await bring_up(config_dir, port, None)
    await asyncio.sleep(SETTLE_SECONDS)
    changes: Counter[str] = Counter()
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{server.url}/api/websocket") as ws,
    ):
        verdict = await authenticate(ws, server.token)
        assert verdict["type"] == "auth_ok", verdict
        connection = Connection(ws)
        subscription = await connection.subscribe("subscribe_events", event_type="state_changed")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                async with asyncio.timeout(left):
                    message = await ws.receive_json()
            except TimeoutError:
                break
            if message.get("id") == subscription and message["type"] == "event":
                changes[message["event"]["data"]["entity_id"]] += 1
    return changes


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
    with tempfile.TemporaryDirectory() as directory:
        config_dir = Path(directory)
        port = free_port()
        prepare_config(config_dir, port)
        process = start(config_dir)
        try:
            changes = asyncio.run(count_changes(config_dir, port, seconds))
        finally:
            stop(process)
    per_hour = 3600 / seconds
    by_domain: Counter[str] = Counter()
    for entity_id, count in changes.items():
        by_domain[entity_id.split(".")[0]] += count
    print(f"\nState changes of the idle demo tank, counted for {seconds:.0f} s, per hour")
    print(f"{'entity':<50} {'per hour':>10}")
    for entity_id, count in sorted(changes.items(), key=lambda item: -item[1]):
        print(f"{entity_id:<50} {count * per_hour:>10.0f}")
    print(f"{'by domain':<50}")
    for domain, count in by_domain.most_common():
        print(f"  {domain:<48} {count * per_hour:>10.0f}")
    print(f"{'all':<50} {sum(changes.values()) * per_hour:>10.0f}")


if __name__ == "__main__":
    main()
