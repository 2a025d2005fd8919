"""Fake Shelly devices on 127.0.0.1: a Gen1 HTTP API, and a Gen2 device with `/shelly` and WebSocket RPC.

Replies follow the shapes of real firmware (Shelly Plug S / 2.5 / 1 for Gen1, Plus 1PM / Pro 2 for Gen2),
including basic auth on Gen1 and the SHA-256 digest challenge Gen2 devices answer unauthenticated calls with.
`DumpedGen1Server` and `DumpedGen2Server` answer instead from a real device's published dump.
"""

from __future__ import annotations

import asyncio
import base64
import copy
from dataclasses import dataclass, field
import hashlib
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer


@dataclass
class Relay:
    """One relay channel and the load on it."""

    name: str | None
    is_on: bool
    watts: float | None


class _FakeServer:
    """An aiohttp app on an ephemeral loopback port that can be told to stall."""

    def __init__(self) -> None:
        self.stall = False
        self._release = asyncio.Event()
        self.app = web.Application()
        self._server = TestServer(self.app)

    async def start(self) -> int:
        await self._server.start_server()
        assert self._server.port is not None
        return self._server.port

    async def stop(self) -> None:
        self._release.set()
        await self._close_connections()
        await self._server.close()

    async def _close_connections(self) -> None:
        """Let subclasses end long-lived connections before the server stops."""

    async def _maybe_stall(self) -> None:
        if self.stall:
            await self._release.wait()


@dataclass
class Gen1Data:
    """The state of a Gen1 device."""

    model: str = "SHPLG-S"
    mac: str = "E868E7AABBCC"
    name: str | None = "Skimmer plug"
    relays: list[Relay] = field(default_factory=lambda: [Relay("Skimmer", True, 17.5)])
    metered: bool = True
    username: str | None = None
    password: str | None = None
    ignore_commands: bool = False
    status_error: int | None = None
    status_reads: int = 0

    def press_button(self, channel: int = 0) -> None:
        """Flip a relay from the device itself."""
        self.relays[channel].is_on = not self.relays[channel].is_on


class Gen1Server(_FakeServer):
    """The Gen1 HTTP API: /shelly, /settings, /status and /relay/N."""

    def __init__(self, device: Gen1Data) -> None:
        super().__init__()
        self.device = device
        self.app.router.add_get("/shelly", self._shelly)
        self.app.router.add_get("/settings", self._settings)
        self.app.router.add_get("/status", self._status)
        self.app.router.add_get("/relay/{channel}", self._relay)

    def _authorized(self, request: web.Request) -> bool:
        device = self.device
        if device.password is None:
            return True
        token = base64.b64encode(f"{device.username}:{device.password}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {token}"

    async def _shelly(self, _request: web.Request) -> web.Response:
        await self._maybe_stall()
        device = self.device
        return web.json_response(
            {
                "type": device.model,
                "mac": device.mac,
                "auth": device.password is not None,
                "fw": "20230913-114244/v1.14.0-gcb84623",
                "discoverable": False,
                "longid": 1,
                "num_outputs": len(device.relays),
                "num_meters": len(device.relays) if device.metered else 0,
            }
        )

    async def _settings(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401, text="401 Unauthorized")
        device = self.device
        return web.json_response(
            {
                "device": {
                    "type": device.model,
                    "mac": device.mac,
                    "hostname": f"shellyplug-s-{device.mac[-6:]}",
                    "num_outputs": len(device.relays),
                },
                "name": device.name,
                "fw": "20230913-114244/v1.14.0-gcb84623",
                "relays": [
                    {
                        "name": relay.name,
                        "appliance_type": "General",
                        "ison": relay.is_on,
                        "default_state": "last",
                    }
                    for relay in device.relays
                ],
            }
        )

    async def _status(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401, text="401 Unauthorized")
        device = self.device
        device.status_reads += 1
        if device.status_error is not None:
            return web.Response(status=device.status_error, text="Internal error")
        meters: list[dict[str, Any]] = []
        for relay in device.relays:
            if device.metered:
                power = relay.watts if relay.is_on and relay.watts is not None else 0.0
                meters.append(
                    {
                        "power": power,
                        "overpower": 0.0,
                        "is_valid": True,
                        "counters": [0, 0, 0],
                        "total": 90000,
                    }
                )
            else:
                meters.append({"power": 0, "is_valid": True})
        return web.json_response(
            {
                "wifi_sta": {"connected": True, "ssid": "reef", "ip": "127.0.0.1", "rssi": -58},
                "relays": [
                    {"ison": relay.is_on, "has_timer": False, "overpower": False, "source": "http"}
                    for relay in device.relays
                ],
                "meters": meters,
                "temperature": 31.2,
                "uptime": 86400,
            }
        )

    async def _relay(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401, text="401 Unauthorized")
        device = self.device
        channel = int(request.match_info["channel"])
        if channel >= len(device.relays):
            return web.Response(status=404, text="Page not found")
        relay = device.relays[channel]
        turn = request.query.get("turn")
        if turn in {"on", "off"} and not device.ignore_commands:
            relay.is_on = turn == "on"
        return web.json_response({"ison": relay.is_on, "has_timer": False, "source": "http"})


@dataclass
class Gen2Data:
    """The state of a Gen2 device."""

    model: str = "SNSW-001P16EU"
    app: str = "Plus1PM"
    mac: str = "A8032AB12345"
    name: str | None = "Return pump switch"
    relays: list[Relay] = field(default_factory=lambda: [Relay("Return pump", True, 41.7)])
    password: str | None = None
    ignore_commands: bool = False
    given_id: str | None = None

    @property
    def device_id(self) -> str:
        """The id the device names itself by (and authenticates in); newer models do not follow the app name."""
        return self.given_id or f"shelly{self.app.lower()}-{self.mac.lower()}"


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Gen2Server(_FakeServer):
    """A Gen2 device: /shelly over HTTP and JSON-RPC frames over the /rpc WebSocket."""

    def __init__(self, device: Gen2Data) -> None:
        super().__init__()
        self.device = device
        self.stall_rpc = False
        self.calls: list[str] = []
        self._nonces: set[int] = set()
        self._sockets: dict[web.WebSocketResponse, str | None] = {}
        self.app.router.add_get("/shelly", self._shelly)
        self.app.router.add_get("/rpc", self._websocket)

    async def press_button(self, channel: int = 0) -> None:
        """Flip a relay from the device itself; the device notifies its WebSocket clients."""
        relay = self.device.relays[channel]
        relay.is_on = not relay.is_on
        await self._notify(channel, "button")

    async def drop_connections(self) -> None:
        """Close every WebSocket, as a device does when it reboots."""
        await self._close_connections()

    async def _close_connections(self) -> None:
        for socket in list(self._sockets):
            await socket.close()

    def _info(self) -> dict[str, Any]:
        device = self.device
        return {
            "name": device.name,
            "id": device.device_id,
            "mac": device.mac,
            "slot": 1,
            "model": device.model,
            "gen": 2,
            "fw_id": "20241011-114455/1.4.4-g6d2a586",
            "ver": "1.4.4",
            "app": device.app,
            "auth_en": device.password is not None,
            "auth_domain": device.device_id if device.password is not None else None,
        }

    async def _shelly(self, _request: web.Request) -> web.Response:
        await self._maybe_stall()
        return web.json_response(self._info())

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets[socket] = None
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                self._sockets[socket] = frame.get("src")
                if self.stall_rpc:
                    continue
                reply = {"id": frame["id"], "src": self.device.device_id, "dst": frame.get("src")}
                reply.update(await self._call(frame))
                await socket.send_str(json.dumps(reply))
        finally:
            del self._sockets[socket]
        return socket

    async def _call(self, frame: dict[str, Any]) -> dict[str, Any]:
        method = frame["method"]
        self.calls.append(method)
        if method != "Shelly.GetDeviceInfo" and not self._authenticated(frame.get("auth")):
            return {"error": {"code": 401, "message": json.dumps(self._challenge())}}
        params = frame.get("params") or {}
        match method:
            case "Shelly.GetDeviceInfo":
                return {"result": self._info()}
            case "Shelly.GetConfig":
                return {"result": self._config()}
            case "Shelly.GetStatus":
                return {"result": self._status()}
            case "Shelly.GetComponents":
                return {"result": {"components": [], "cfg_rev": 12, "offset": 0, "total": 0}}
            case "Switch.GetStatus" | "Switch.Set" if not self._has_switch(params.get("id", 0)):
                return {"error": {"code": -105, "message": f"Argument 'id', value {params['id']} not found!"}}
            case "Switch.GetStatus":
                return {"result": self._switch_status(params["id"])}
            case "Switch.Set":
                was_on = self._switch_status(params["id"])["output"]
                if not self.device.ignore_commands and was_on != params["on"]:
                    self._set_output(params["id"], params["on"])
                    await self._notify(params["id"], "WS_in")
                return {"result": {"was_on": was_on}}
        return {"error": {"code": 404, "message": f"No handler for {method}"}}

    def _challenge(self) -> dict[str, Any]:
        nonce = secrets.randbelow(2**31)
        self._nonces.add(nonce)
        return {
            "auth_type": "digest",
            "nonce": nonce,
            "nc": 1,
            "realm": self.device.device_id,
            "algorithm": "SHA-256",
        }

    def _authenticated(self, auth: dict[str, Any] | None) -> bool:
        password = self.device.password
        if password is None:
            return True
        if not auth or auth.get("nonce") not in self._nonces or auth.get("username") != "admin":
            return False
        ha1 = _sha256_hex(f"admin:{self.device.device_id}:{password}")
        ha2 = _sha256_hex("dummy_method:dummy_uri")
        expected = _sha256_hex(f"{ha1}:{auth['nonce']}:{auth['nc']}:{auth['cnonce']}:auth:{ha2}")
        return bool(auth.get("response") == expected)

    def _config(self) -> dict[str, Any]:
        device = self.device
        config: dict[str, Any] = {
            "sys": {
                "device": {"name": device.name, "mac": device.mac, "fw_id": "20241011-114455/1.4.4-g6d2a586"}
            },
        }
        for index, relay in enumerate(device.relays):
            config[f"switch:{index}"] = {"id": index, "name": relay.name, "in_mode": "follow"}
        return config

    def _has_switch(self, channel: int) -> bool:
        return 0 <= channel < len(self.device.relays)

    def _set_output(self, channel: int, on: bool) -> None:
        self.device.relays[channel].is_on = on

    def _switch_status(self, channel: int) -> dict[str, Any]:
        relay = self.device.relays[channel]
        status: dict[str, Any] = {"id": channel, "source": "init", "output": relay.is_on}
        if relay.watts is not None:
            status.update(
                apower=relay.watts if relay.is_on else 0.0,
                voltage=230.1,
                current=0.19 if relay.is_on else 0.0,
                aenergy={"total": 2500.0, "by_minute": [0.0, 0.0, 0.0], "minute_ts": 1773480600},
                temperature={"tC": 41.3, "tF": 106.3},
            )
        return status

    def _status(self) -> dict[str, Any]:
        status: dict[str, Any] = {"sys": {"mac": self.device.mac, "restart_required": False, "uptime": 86400}}
        for index in range(len(self.device.relays)):
            status[f"switch:{index}"] = self._switch_status(index)
        return status

    async def _notify(self, channel: int, source: str) -> None:
        change = {"id": channel, "output": self._switch_status(channel)["output"], "source": source}
        for socket, client in list(self._sockets.items()):
            if client is not None:
                frame = {
                    "src": self.device.device_id,
                    "dst": client,
                    "method": "NotifyStatus",
                    "params": {"ts": 1773480600.0, f"switch:{channel}": change},
                }
                await socket.send_str(json.dumps(frame))


class DumpedGen1Server(Gen1Server):
    """A real Gen1 device as dumped by aioshelly's project: /shelly, /settings and /status from the dump.

    `/relay/N?turn=` changes the dumped relay; a device without relays answers /relay/N with 404.
    """

    def __init__(self, dump: dict[str, Any]) -> None:
        super().__init__(Gen1Data(mac=dump["shelly"]["mac"]))
        self.dump = copy.deepcopy(dump)

    @property
    def relays(self) -> list[bool]:
        """Each relay's state as the device would report it now."""
        return [relay["ison"] for relay in self.dump["status"].get("relays", [])]

    async def _shelly(self, _request: web.Request) -> web.Response:
        return web.json_response(self.dump["shelly"])

    async def _settings(self, _request: web.Request) -> web.Response:
        return web.json_response(self.dump["settings"])

    async def _status(self, _request: web.Request) -> web.Response:
        return web.json_response(self.dump["status"])

    async def _relay(self, request: web.Request) -> web.Response:
        relays = self.dump["status"].get("relays", [])
        channel = int(request.match_info["channel"])
        if channel >= len(relays):
            return web.Response(status=404, text="Page not found")
        turn = request.query.get("turn")
        if turn in {"on", "off"}:
            relays[channel]["ison"] = turn == "on"
        return web.json_response(relays[channel])


class DumpedGen2Server(Gen2Server):
    """A real Gen2+ device as dumped: device info, config and status over RPC come from the dump.

    With `password` the device asks for digest authentication, as the dumped device did when `auth_en`.
    """

    def __init__(self, dump: dict[str, Any], password: str | None = None) -> None:
        shelly = dump["shelly"]
        super().__init__(
            Gen2Data(
                model=shelly["model"],
                app=shelly["app"],
                mac=shelly["mac"],
                relays=[],
                password=password,
                given_id=shelly["id"],
            )
        )
        self.dump = copy.deepcopy(dump)

    @property
    def relays(self) -> list[bool]:
        """Each switch's output as the device would report it now, by id."""
        status = self.dump["status"]
        ids = sorted(int(key.removeprefix("switch:")) for key in status if key.startswith("switch:"))
        return [status[f"switch:{index}"]["output"] for index in ids]

    def _info(self) -> dict[str, Any]:
        info = dict(self.dump["shelly"])
        info["auth_en"] = self.device.password is not None
        info["auth_domain"] = self.device.device_id if self.device.password is not None else None
        return info

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.dump["config"]
        return config

    def _status(self) -> dict[str, Any]:
        status: dict[str, Any] = self.dump["status"]
        return status

    def _has_switch(self, channel: int) -> bool:
        return f"switch:{channel}" in self.dump["status"]

    def _set_output(self, channel: int, on: bool) -> None:
        self.dump["status"][f"switch:{channel}"]["output"] = on

    def _switch_status(self, channel: int) -> dict[str, Any]:
        status: dict[str, Any] = self.dump["status"][f"switch:{channel}"]
        return status
