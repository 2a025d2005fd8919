"""A fake VeSync cloud on 127.0.0.1: the two-step login, the device list, and outlet detail/switch calls.

It serves an Etekcity ESW15-USA (the bypass V1 `deviceDetail`/`deviceStatus` calls), a BSDOG01 smart plug
(bypass V2 `getProperty`/`setProperty`) and an ESW10-USA without a meter (bypass V2 `getSwitch`/`setSwitch`),
with the error codes the real cloud uses for bad passwords, expired
tokens and offline devices.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
import hashlib
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

TRACE_ID = "1773480600"
PASSWORD_ERROR = -11201000
TOKEN_EXPIRED = -11001022
DEVICE_OFFLINE = -11300030


@dataclass
class CloudPlug:
    """One outlet bound to the account."""

    cid: str
    model: str
    name: str
    is_on: bool = True
    watts: float = 0.0
    online: bool = True
    ignore_commands: bool = False
    garbled_commands: bool = False

    def press_button(self) -> None:
        """Flip the relay on the plug itself; the cloud learns it from the plug."""
        self.is_on = not self.is_on


@dataclass
class CloudAccount:
    """The account and its plugs."""

    email: str = "reef@example.com"
    password: str = "brain-coral"
    account_id: str = "8876543"
    plugs: list[CloudPlug] = field(
        default_factory=lambda: [
            CloudPlug("0LZ3T0bCEI9iC2Y0HGp7", "ESW15-USA", "Chiller", is_on=False, watts=180.0),
            CloudPlug("vsaq5d3b0b2a4a8e9c1f0e7d", "BSDOG01", "Kalkwasser stirrer", is_on=True, watts=6.5),
            CloudPlug("vsfe12a0c93b7d4e0f8a6b21", "ESW10-USA", "Sump light", is_on=False),
        ]
    )
    token_generation: int = 0

    @property
    def token(self) -> str:
        return f"token-{self.token_generation}"

    def plug(self, cid: str) -> CloudPlug:
        return next(plug for plug in self.plugs if plug.cid == cid)


def _reply(code: int = 0, msg: str | None = "request success", **extra: Any) -> web.Response:
    return web.json_response({"traceId": TRACE_ID, "code": code, "msg": msg, **extra})


class VeSyncCloud:
    """The cloud's HTTP API as pyvesync 3 calls it."""

    def __init__(self, account: CloudAccount) -> None:
        self.account = account
        self.stall = False
        self.refuse_tokens = False
        self.logins = 0
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_post("/globalPlatform/api/accountAuth/v1/authByPWDOrOTM", self._authorize)
        app.router.add_post("/user/api/accountManage/v1/loginByAuthorizeCode4Vesync", self._login)
        app.router.add_post("/cloud/v1/deviceManaged/devices", self._devices)
        app.router.add_post("/cloud/v1/deviceManaged/deviceDetail", self._v1_detail)
        app.router.add_post("/cloud/v1/deviceManaged/deviceStatus", self._v1_status)
        app.router.add_post("/cloud/v2/deviceManaged/bypassV2", self._bypass_v2)
        self._server = TestServer(app)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    def expire_token(self) -> None:
        """Invalidate the issued token, as the cloud does after a while."""
        self.account.token_generation += 1

    async def start(self) -> int:
        await self._server.start_server()
        assert self._server.port is not None
        return self._server.port

    async def stop(self) -> None:
        self._release.set()
        await self._server.close()

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if self.stall:
            await self._release.wait()
        body: dict[str, Any] = await request.json()
        return body

    async def _authorize(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        account = self.account
        hashed = hashlib.md5(account.password.encode()).hexdigest()  # noqa: S324 - the cloud's own scheme
        if body.get("email") != account.email or body.get("password") != hashed:
            return _reply(PASSWORD_ERROR, "password error", result=None)
        return _reply(
            msg=None,
            result={
                "accountID": account.account_id,
                "avatarIcon": "",
                "nickName": "reef",
                "mailConfirmation": True,
                "verifyEmail": account.email,
                "bizToken": None,
                "mfaMethodList": None,
                "authorizeCode": f"code-for-{account.account_id}",
                "userType": "1",
            },
        )

    async def _login(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        account = self.account
        if body.get("authorizeCode") != f"code-for-{account.account_id}":
            return _reply(PASSWORD_ERROR, "authorize code invalid", result=None)
        self.logins += 1
        account.token_generation += 1
        return _reply(
            result={
                "accountID": account.account_id,
                "acceptLanguage": "en",
                "countryCode": "US",
                "currentRegion": "US",
                "token": account.token,
                "bizToken": None,
            }
        )

    def _authorized(self, body: dict[str, Any]) -> bool:
        if self.refuse_tokens:
            return False
        return body.get("token") == self.account.token and body.get("accountID") == self.account.account_id

    async def _devices(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not self._authorized(body):
            return _reply(TOKEN_EXPIRED, "token expired")
        return _reply(
            result={
                "total": len(self.account.plugs),
                "pageSize": 100,
                "pageNo": 1,
                "list": [self._listing(plug) for plug in self.account.plugs],
            }
        )

    def _listing(self, plug: CloudPlug) -> dict[str, Any]:
        return {
            "deviceRegion": "US",
            "isOwner": True,
            "authKey": None,
            "deviceName": plug.name,
            "deviceImg": "",
            "cid": plug.cid,
            "uuid": f"uuid-{plug.cid}",
            "macID": "c4:dd:57:0a:1b:2c" if plug.model == "ESW15-USA" else None,
            "connectionType": "wifi",
            "deviceType": plug.model,
            "type": "wifi-switch",
            "configModule": f"WFON_PLG_{plug.model}",
            "mode": None,
            "speed": None,
            "currentFirmVersion": "1.0.4",
            "subDeviceNo": None,
            "extension": None,
            "deviceProp": None,
            "deviceStatus": "on" if plug.is_on else "off",
            "connectionStatus": "online" if plug.online else "offline",
        }

    async def _v1_detail(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not self._authorized(body):
            return _reply(TOKEN_EXPIRED, "token expired")
        plug = self.account.plug(body["cid"])
        return _reply(  # an offline plug's detail is the state the cloud last saw, marked offline
            result={
                "deviceStatus": "on" if plug.is_on else "off",
                "connectionStatus": "online" if plug.online else "offline",
                "activeTime": 1440,
                "power": plug.watts if plug.is_on else 0.0,
                "voltage": 120.4,
                "energy": 2.75,
                "nightLightStatus": "off",
                "nightLightAutoMode": "off",
                "nightLightBrightness": 50,
            }
        )

    async def _v1_status(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not self._authorized(body):
            return _reply(TOKEN_EXPIRED, "token expired")
        plug = self.account.plug(body["cid"])
        if not plug.online:
            return _reply(DEVICE_OFFLINE, "device offline", result=None)
        if plug.garbled_commands:
            return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
        if not plug.ignore_commands:
            plug.is_on = body["status"] == "on"
        return _reply()

    async def _bypass_v2(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not self._authorized(body):
            return _reply(TOKEN_EXPIRED, "token expired")
        plug = self.account.plug(body["cid"])
        if not plug.online:
            return _reply(DEVICE_OFFLINE, "device offline", result=None)
        payload = body["payload"]
        inner: dict[str, Any] = {}
        if payload["method"] == "getProperty":
            inner = {
                "powerSwitch_1": int(plug.is_on),
                "realTimeVoltage": 120.2,
                "realTimePower": plug.watts if plug.is_on else 0.0,
                "electricalEnergy": 0.42,
                "protectionStatus": "normal",
                "voltageUpperThreshold": 280,
                "currentUpperThreshold": 16,
                "scheduleNum": 0,
            }
        elif payload["method"] == "getSwitch":
            inner = {"id": 0, "enabled": plug.is_on}
        elif payload["method"] == "setProperty" and not plug.ignore_commands:
            plug.is_on = bool(payload["data"]["powerSwitch_1"])
        elif payload["method"] == "setSwitch" and not plug.ignore_commands:
            plug.is_on = bool(payload["data"]["enabled"])
        return _reply(result={"traceId": TRACE_ID, "code": 0, "result": inner})


_SWITCH_VALUES: dict[str, tuple[Any, Any]] = {
    "deviceStatus": ("on", "off"),
    "subDeviceStatus": ("on", "off"),
    "enabled": (True, False),
    "powerSwitch_1": (1, 0),
}
"""The fields VeSync's plugs report their relay in, with their on and off values."""


class RecordedCloud(VeSyncCloud):
    """The cloud answering from pyvesync's published call/response records of real outlet models.

    Each record (tests/outlets/dumps/vesync) holds the device list entry, the request pyvesync sends to read
    and to switch the plug, and the cloud's detail answer. A request is answered only if it matches a record's
    request (method, path, and the body's command fields), so a driver that sends anything else fails.
    """

    def __init__(self, records: list[dict[str, Any]]) -> None:
        super().__init__(CloudAccount(plugs=[]))
        self.records = copy.deepcopy(records)
        self.unmatched: list[str] = []
        self._server.app.router.add_route("*", "/{tail:.*}", self._recorded)

    def is_on(self, record: dict[str, Any]) -> bool:
        """The relay state the record's detail now reports (a sub-socket's own where it has one)."""
        field, value = self._switch_field(record)
        return bool(value == _SWITCH_VALUES[field][0])

    async def _devices(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if not self._authorized(body):
            return _reply(TOKEN_EXPIRED, "token expired")
        listing = [record["listing"] for record in self.records]
        return _reply(result={"total": len(listing), "pageSize": 100, "pageNo": 1, "list": listing})

    async def _v1_detail(self, request: web.Request) -> web.Response:
        return await self._recorded(request)

    async def _v1_status(self, request: web.Request) -> web.Response:
        return await self._recorded(request)

    async def _bypass_v2(self, request: web.Request) -> web.Response:
        return await self._recorded(request)

    async def _recorded(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        for record in self.records:
            for call, recorded in record["calls"].items():
                if self._matches(request, body, recorded):
                    return self._answer(record, call)
        self.unmatched.append(f"{request.method} {request.path} {body.get('method')}")
        return web.Response(status=404)

    def _matches(self, request: web.Request, body: dict[str, Any], recorded: dict[str, Any]) -> bool:
        if request.method != recorded["method"].upper() or request.path != recorded["url"]:
            return False
        wanted = recorded.get("json") or {}
        for key in ("cid", "method", "status", "switchNo"):
            if key in wanted and body.get(key) != wanted[key]:
                return False
        if "payload" in wanted:
            sent = body.get("payload") or {}
            return bool(
                sent.get("method") == wanted["payload"]["method"]
                and sent.get("data") == wanted["payload"]["data"]
            )
        return True

    def _answer(self, record: dict[str, Any], call: str) -> web.Response:
        if call == "update":
            return web.json_response(record["detail"])
        self._set(record, call == "turn_on")
        if record["calls"][call]["url"].startswith("/v1/"):
            return web.Response()  # the oldest plugs' API answers a switch with an empty 200
        if "bypassV2" in record["calls"][call]["url"]:
            return _reply(result={"traceId": TRACE_ID, "code": 0, "result": {}})
        return _reply()

    def _switch_field(self, record: dict[str, Any]) -> tuple[str, Any]:
        detail = record["detail"]
        result = detail.get("result", detail)
        if isinstance(result.get("result"), dict):
            result = result["result"]
        number = record["listing"].get("subDeviceNo")
        for sub in result.get("subDevices") or []:
            if sub["subDeviceNo"] == number:
                return "subDeviceStatus", sub["subDeviceStatus"]
        field = next(name for name in _SWITCH_VALUES if name in result)
        return field, result[field]

    def _set(self, record: dict[str, Any], on: bool) -> None:
        detail = record["detail"]
        result = detail.get("result", detail)
        if isinstance(result.get("result"), dict):
            result = result["result"]
        number = record["listing"].get("subDeviceNo")
        subs = [sub for sub in result.get("subDevices") or [] if sub["subDeviceNo"] == number]
        target, field = (subs[0], "subDeviceStatus") if subs else (result, self._switch_field(record)[0])
        target[field] = _SWITCH_VALUES[field][0 if on else 1]
