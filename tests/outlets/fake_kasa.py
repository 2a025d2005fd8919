"""A fake Kasa plug or power strip on 127.0.0.1, speaking the legacy XOR protocol or KLAP over HTTP.

Both transports carry the same IOT JSON requests; the device answers them from sysinfo, emeter and time data
shaped like real HS300/KP115 firmware replies, and reports unknown modules the way the firmware does.
`DumpedKasa` answers instead from a real device's dump, as python-kasa's project publishes them, and
`DumpedSmartKasa` from a Tapo or newer Kasa device's dump in the SMART protocol (served over KLAP v2 or AES).
"""

from __future__ import annotations

import asyncio
import base64
from contextlib import suppress
import copy
from dataclasses import dataclass, field
import hashlib
import json
import os
import struct
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_LENGTH = struct.Struct(">I")
_SEQ = struct.Struct(">l")
_XOR_KEY = 171
_MODULE_NOT_SUPPORTED = {"err_code": -1, "err_msg": "module not support"}
_MEMBER_NOT_SUPPORTED = {"err_code": -2, "err_msg": "member not support"}


@dataclass
class KasaSocketData:
    """One relay of the fake device."""

    alias: str
    is_on: bool
    watts: float


@dataclass
class FakeKasa:
    """The device: its relays, their meters, and how it misbehaves when told to."""

    model: str = "HS300(US)"
    mac: str = "C0:06:C3:12:34:56"
    alias: str = "Sump strip"
    device_id: str = "8006A1B2C3D4E5F60718293A4B5C6D7E8F901234"
    strip: bool = True
    metering: bool = True
    sockets: list[KasaSocketData] = field(
        default_factory=lambda: [
            KasaSocketData("Return pump", True, 38.5),
            KasaSocketData("Heater", False, 200.0),
            KasaSocketData("Skimmer", True, 17.2),
            KasaSocketData("Powerhead", True, 12.0),
            KasaSocketData("ATO", False, 8.0),
            KasaSocketData("Refugium light", False, 24.0),
        ]
    )
    extra_sysinfo: dict[str, Any] = field(default_factory=dict)
    missing_sysinfo: tuple[str, ...] = ()
    ignore_commands: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)

    def press_button(self, socket: int = 0) -> None:
        """Flip a relay from the device itself, as its physical button does."""
        self.sockets[socket].is_on = not self.sockets[socket].is_on

    @property
    def reads(self) -> int:
        """How many sysinfo reads the device has answered."""
        return sum(1 for request in self.requests if "get_sysinfo" in request.get("system", {}))

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one IOT request the way the firmware does, module by module."""
        self.requests.append(request)
        child_ids = request.get("context", {}).get("child_ids")
        indexes = [self._index(child) for child in child_ids] if child_ids else [0]
        response: dict[str, Any] = {}
        for module, commands in request.items():
            if module == "context":
                continue
            handlers = self._modules().get(module)
            if handlers is None:
                response[module] = dict(_MODULE_NOT_SUPPORTED)
                continue
            response[module] = {
                command: handlers[command](args or {}, indexes)
                if command in handlers
                else dict(_MEMBER_NOT_SUPPORTED)
                for command, args in commands.items()
            }
        return response

    def _modules(self) -> dict[str, dict[str, Any]]:
        modules: dict[str, dict[str, Any]] = {
            "system": {"get_sysinfo": self._sysinfo, "set_relay_state": self._set_relay_state},
            "time": {"get_time": _time, "get_timezone": _timezone},
        }
        if self.metering:
            modules["emeter"] = {
                "get_realtime": self._realtime,
                "get_daystat": lambda _args, _indexes: {"day_list": [], "err_code": 0},
                "get_monthstat": lambda _args, _indexes: {"month_list": [], "err_code": 0},
            }
        return modules

    def _index(self, child_id: str) -> int:
        return int(child_id[-2:])

    def _sysinfo(self, _args: dict[str, Any], _indexes: list[int]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "sw_ver": "1.0.12 Build 220121 Rel.175814",
            "hw_ver": "2.0",
            "model": self.model,
            "deviceId": self.device_id,
            "oemId": "32BD0B21AA9BF8E84737D1DB1C66E883",
            "hwId": "955F433CBA24823A248A59AA64571A73",
            "rssi": -44,
            "latitude_i": 523676,
            "longitude_i": 48936,
            "alias": self.alias,
            "status": "new",
            "mic_type": "IOT.SMARTPLUGSWITCH",
            "feature": "TIM:ENE" if self.metering else "TIM",
            "mac": self.mac,
            "updating": 0,
            "led_off": 0,
            "err_code": 0,
        }
        if self.strip:
            info["child_num"] = len(self.sockets)
            info["children"] = [
                {
                    "id": f"{self.device_id}{index:02d}",
                    "state": int(socket.is_on),
                    "alias": socket.alias,
                    "on_time": 3600 if socket.is_on else 0,
                    "next_action": {"type": -1},
                }
                for index, socket in enumerate(self.sockets)
            ]
        else:
            socket = self.sockets[0]
            info.update(
                dev_name="Smart Wi-Fi Plug Mini",
                icon_hash="",
                relay_state=int(socket.is_on),
                on_time=3600 if socket.is_on else 0,
                active_mode="none",
                next_action={"type": -1},
                ntc_state=0,
                obd_src="tplink",
            )
        info.update(self.extra_sysinfo)
        for key in self.missing_sysinfo:
            del info[key]
        return info

    def _set_relay_state(self, args: dict[str, Any], indexes: list[int]) -> dict[str, Any]:
        if not self.ignore_commands:
            for index in indexes:
                self.sockets[index].is_on = bool(args["state"])
        return {"err_code": 0}

    def _realtime(self, _args: dict[str, Any], indexes: list[int]) -> dict[str, Any]:
        socket = self.sockets[indexes[0]]
        power_mw = round(socket.watts * 1000) if socket.is_on else 0
        return {
            "voltage_mv": 120110,
            "current_ma": round(power_mw / 120.11),
            "power_mw": power_mw,
            "total_wh": 1234 + indexes[0],
            "slot_id": indexes[0],
            "err_code": 0,
        }


class DumpedKasa:
    """A real device as python-kasa's project dumped it: every IOT answer comes from the dump.

    Modules and commands the dump lacks are answered the way the firmware answers unknown ones. Relay
    commands change the dumped relay states, so switching is read back as on a real plug or strip.
    """

    def __init__(self, dump: dict[str, Any]) -> None:
        self.dump = copy.deepcopy(dump)
        self.requests: list[dict[str, Any]] = []

    @property
    def sysinfo(self) -> dict[str, Any]:
        info: dict[str, Any] = self.dump["system"]["get_sysinfo"]
        return info

    @property
    def relays(self) -> list[bool]:
        """Each socket's relay (a strip's children in order, or the plug's one)."""
        children = self.sysinfo.get("children")
        if children:
            return [bool(child["state"]) for child in children]
        return [bool(self.sysinfo["relay_state"])]

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one IOT request from the dump."""
        self.requests.append(request)
        child_ids = request.get("context", {}).get("child_ids") or []
        response: dict[str, Any] = {}
        for module, commands in request.items():
            if module == "context":
                continue
            dumped = self.dump.get(module)
            if not isinstance(dumped, dict) or "err_code" in dumped:
                response[module] = dumped if isinstance(dumped, dict) else dict(_MODULE_NOT_SUPPORTED)
                continue
            answers: dict[str, Any] = {}
            for command, args in commands.items():
                if module == "system" and command == "set_relay_state":
                    answers[command] = self._set_relay_state(args["state"], child_ids)
                else:
                    answers[command] = copy.deepcopy(dumped.get(command, _MEMBER_NOT_SUPPORTED))
            response[module] = answers
        return response

    def _set_relay_state(self, state: int, child_ids: list[str]) -> dict[str, Any]:
        if child_ids:
            for child in self.sysinfo["children"]:
                if child["id"] in child_ids:
                    child["state"] = state
        else:
            self.sysinfo["relay_state"] = state
        return {"err_code": 0}


class AesServer:
    """The device over HTTP with the AES transport older Tapo firmware speaks, carrying SMART requests.

    A handshake sends the client's RSA public key and gets an AES key and IV encrypted with it; every request
    after that is a `securePassthrough` of AES-encrypted JSON, and a `login_device` with the hashed TP-Link
    login yields the token later requests carry. Login version 2 hashes the password, version 1 does not.
    """

    def __init__(self, device: DumpedSmartKasa, username: str, password: str, login_version: int = 2) -> None:
        self.device = device
        self._username = _b64(_sha1_hex(username))
        self._password = (
            ("password2", _b64(_sha1_hex(password))) if login_version == 2 else ("password", _b64(password))
        )
        self._sessions: dict[str, tuple[bytes, bytes]] = {}
        self._tokens: set[str] = set()
        app = web.Application()
        app.router.add_post("/app", self._app)
        self._server = TestServer(app)

    async def start(self) -> int:
        await self._server.start_server()
        assert self._server.port is not None
        return self._server.port

    async def stop(self) -> None:
        await self._server.close()

    async def _app(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("method") == "handshake":
            public_key = serialization.load_pem_public_key(body["params"]["key"].encode())
            assert isinstance(public_key, rsa.RSAPublicKey)
            key, iv = os.urandom(16), os.urandom(16)
            session_id = os.urandom(16).hex()
            self._sessions[session_id] = (key, iv)
            sealed = public_key.encrypt(key + iv, asymmetric_padding.PKCS1v15())
            response = web.json_response(
                {"error_code": 0, "result": {"key": base64.b64encode(sealed).decode()}}
            )
            response.set_cookie("TP_SESSIONID", session_id)
            response.set_cookie("TIMEOUT", "86400")
            return response
        keys = self._sessions.get(request.cookies.get("TP_SESSIONID", ""))
        if keys is None or body.get("method") != "securePassthrough":
            return web.json_response({"error_code": _SESSION_EXPIRED})
        inner = json.loads(_aes(keys, body["params"]["request"], decrypt=True))
        if inner.get("method") == "login_device":
            reply = self._login(inner.get("params") or {})
        elif request.query.get("token") in self._tokens:
            reply = self.device.answer(inner)
        else:
            reply = {"error_code": _LOGIN_ERROR}
        return web.json_response({"error_code": 0, "result": {"response": _aes(keys, json.dumps(reply))}})

    def _login(self, params: dict[str, Any]) -> dict[str, Any]:
        field, hashed = self._password
        if params.get("username") != self._username or params.get(field) != hashed:
            return {"error_code": _LOGIN_ERROR}
        token = os.urandom(16).hex()
        self._tokens.add(token)
        return {"error_code": 0, "result": {"token": token}}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _sha1_hex(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - the protocol's own hash


def _aes(keys: tuple[bytes, bytes], data: str, *, decrypt: bool = False) -> str:
    """AES-CBC with PKCS7 padding, base64 on the wire, as the AES transport uses it."""
    cipher = Cipher(algorithms.AES(keys[0]), modes.CBC(keys[1]))
    if decrypt:
        decryptor = cipher.decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        padded = decryptor.update(base64.b64decode(data)) + decryptor.finalize()
        return (unpadder.update(padded) + unpadder.finalize()).decode()
    padder = padding.PKCS7(128).padder()
    encryptor = cipher.encryptor()
    sealed = encryptor.update(padder.update(data.encode()) + padder.finalize()) + encryptor.finalize()
    return base64.b64encode(sealed).decode()


_SESSION_EXPIRED = -40401
_LOGIN_ERROR = -1501
_UNKNOWN_METHOD = -1002
"""What SMART firmware answers a method it does not have with."""
_INTERNAL_ERROR = -100000
"""What SMART firmware answers when a method it has fails."""
_METER_GAINS = {"vgain": 118657, "igain": 10861}
"""Meter calibration python-kasa asks energy-monitoring v2 devices for; no reading here depends on it, and
dumps taken before python-kasa asked for it lack it."""


class DumpedSmartKasa:
    """A real Tapo or newer Kasa device as python-kasa's project dumped it, speaking the SMART protocol.

    Methods are answered from the dump (a strip's sockets through `control_child`, from the dumped child
    data); `set_device_info` with `device_on` switches the device or socket, so switching is read back.
    Methods named in `failing` answer with the firmware's internal error, as a failing meter does.
    """

    def __init__(self, dump: dict[str, Any]) -> None:
        self.dump = copy.deepcopy(dump)
        self.requests: list[dict[str, Any]] = []
        self.failing: set[str] = set()

    @property
    def children(self) -> list[dict[str, Any]]:
        """The sockets as the device lists them, in order."""
        listed: list[dict[str, Any]] = self.dump.get("get_child_device_list", {}).get("child_device_list", [])
        return listed

    @property
    def relays(self) -> list[bool]:
        """Each socket's relay (a strip's children in order, or the plug's one)."""
        if self.children:
            return [bool(child["device_on"]) for child in self.children]
        return [bool(self.dump["get_device_info"]["device_on"])]

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one SMART request (or a `multipleRequest` of them) from the dump."""
        self.requests.append(request)
        return self._answer(None, request)

    def _answer(self, child: str | None, request: dict[str, Any]) -> dict[str, Any]:
        if "method" not in request:  # a legacy IOT request, as a client probing for the protocol sends
            return {"error_code": _UNKNOWN_METHOD}
        method, params = request["method"], request.get("params") or {}
        if method != "multipleRequest":
            return self._call(child, method, params)
        responses = [
            {"method": inner["method"], **self._call(child, inner["method"], inner.get("params") or {})}
            for inner in params["requests"]
        ]
        return {"error_code": 0, "result": {"responses": responses}}

    def _call(self, child: str | None, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "control_child" and child is None:
            inner = self._answer(params["device_id"], params["requestData"])
            return {"error_code": 0, "result": {"responseData": inner}}
        if method == "set_device_info" and "device_on" in params:
            for info in self._infos(child):
                info["device_on"] = params["device_on"]
            return {"error_code": 0, "result": {}}
        data = self._data(child)
        if method == "get_device_info" and child is not None:
            return {"error_code": 0, "result": copy.deepcopy(self._infos(child)[0])}
        if method in self.failing:
            return {"error_code": _INTERNAL_ERROR}
        if method == "get_emeter_data" and method not in data and "get_energy_usage" in data:
            return {"error_code": 0, "result": _emeter_data(data)}
        if method == "get_emeter_vgain_igain" and method not in data and "get_energy_usage" in data:
            return {"error_code": 0, "result": dict(_METER_GAINS)}
        if method not in data or not isinstance(data[method], dict):
            return {"error_code": _UNKNOWN_METHOD}
        return {"error_code": 0, "result": copy.deepcopy(data[method])}

    def _data(self, child: str | None) -> dict[str, Any]:
        if child is None:
            return self.dump
        data: dict[str, Any] = self.dump.get("child_devices", {}).get(child, {})
        if "component_nego" not in data:
            listed = self.dump["get_child_device_component_list"]["child_component_list"]
            nego = next(entry for entry in listed if entry["device_id"] == child)
            data = {**data, "component_nego": {"component_list": nego["component_list"]}}
        return data

    def _infos(self, child: str | None) -> list[dict[str, Any]]:
        """Every dumped copy of the device's (or socket's) info, kept in step when it is switched."""
        if child is None:
            return [self.dump["get_device_info"]]
        infos = [entry for entry in self.children if entry["device_id"] == child]
        dumped = self.dump.get("child_devices", {}).get(child, {}).get("get_device_info")
        return infos + ([dumped] if dumped else [])


def _emeter_data(data: dict[str, Any]) -> dict[str, Any]:
    """The meter reading python-kasa asks energy-monitoring v2 devices for, from the dump's own figures.

    Dumps taken before python-kasa asked for it lack it; the device states the same power in its usage answer.
    """
    usage = data["get_energy_usage"]
    power_mw = usage.get("current_power")
    if power_mw is None:
        power_mw = data["get_current_power"]["current_power"] * 1000
    return {"power_mw": power_mw, "energy_wh": usage.get("today_energy", 0)}


def _time(_args: dict[str, Any], _indexes: list[int]) -> dict[str, Any]:
    return {"year": 2026, "month": 3, "mday": 14, "hour": 9, "min": 30, "sec": 0, "err_code": 0}


def _timezone(_args: dict[str, Any], _indexes: list[int]) -> dict[str, Any]:
    return {"index": 41, "err_code": 0}


def xor_encrypt(plain: bytes) -> bytes:
    """The legacy autokey cipher: each byte is XORed with the previous cipher byte."""
    key = _XOR_KEY
    out = bytearray()
    for byte in plain:
        key ^= byte
        out.append(key)
    return bytes(out)


def xor_decrypt(cipher: bytes) -> bytes:
    """Undo `xor_encrypt`."""
    key = _XOR_KEY
    out = bytearray()
    for byte in cipher:
        out.append(key ^ byte)
        key = byte
    return bytes(out)


class XorServer:
    """The device on TCP, length-prefixed XOR frames as on port 9999."""

    def __init__(self, device: FakeKasa | DumpedKasa) -> None:
        self.device = device
        self.stall = False
        self._release = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        self._release.set()
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
                if length > 65536:
                    return  # not a Kasa frame: drop the connection, as the firmware does
                request = json.loads(xor_decrypt(await reader.readexactly(length)))
                if self.stall:
                    await self._release.wait()
                    return
                reply = json.dumps(self.device.answer(request)).encode()
                writer.write(_LENGTH.pack(len(reply)) + xor_encrypt(reply))
                await writer.drain()
        except asyncio.IncompleteReadError, ConnectionError:
            return
        finally:
            self._writers.discard(writer)
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()  # noqa: S324 - the protocol's own hash


def _sha1(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()  # noqa: S324 - the protocol's own hash


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class _KlapSession:
    """Keys both ends derive from the two seeds and the account hash after the handshake."""

    def __init__(self, local_seed: bytes, remote_seed: bytes, auth_hash: bytes) -> None:
        seeds = local_seed + remote_seed + auth_hash
        self.key = _sha256(b"lsk" + seeds)[:16]
        iv = _sha256(b"iv" + seeds)
        self.iv_prefix = iv[:12]
        self.signature_key = _sha256(b"ldk" + seeds)[:28]

    def _cipher(self, seq: int) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.iv_prefix + _SEQ.pack(seq)))

    def decrypt(self, seq: int, body: bytes) -> bytes:
        signature, cipher_text = body[:32], body[32:]
        if signature != _sha256(self.signature_key + _SEQ.pack(seq) + cipher_text):
            raise ValueError("bad request signature")
        decryptor = self._cipher(seq).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        padded = decryptor.update(cipher_text) + decryptor.finalize()
        return unpadder.update(padded) + unpadder.finalize()

    def encrypt(self, seq: int, plain: bytes) -> bytes:
        padder = padding.PKCS7(128).padder()
        encryptor = self._cipher(seq).encryptor()
        cipher_text = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
        return _sha256(self.signature_key + _SEQ.pack(seq) + cipher_text) + cipher_text


class KlapServer:
    """The device over HTTP with KLAP: a seed handshake, then AES-encrypted requests.

    Version 1 (older Kasa firmware) hashes the account with MD5; version 2 (Tapo and newer Kasa firmware, which
    speak the SMART protocol inside) with SHA-1 and SHA-256, and mixes both seeds into the handshake.
    """

    def __init__(
        self, device: FakeKasa | DumpedKasa | DumpedSmartKasa, username: str, password: str, version: int = 1
    ) -> None:
        self.device = device
        self._version = version
        if version == 1:
            self._auth_hash = _md5(_md5(username.encode()) + _md5(password.encode()))
        else:
            self._auth_hash = _sha256(_sha1(username.encode()) + _sha1(password.encode()))
        self._pending: dict[str, tuple[bytes, bytes]] = {}
        self._sessions: dict[str, _KlapSession] = {}
        app = web.Application()
        app.router.add_post("/app/handshake1", self._handshake1)
        app.router.add_post("/app/handshake2", self._handshake2)
        app.router.add_post("/app/request", self._request)
        self._server = TestServer(app)

    async def start(self) -> int:
        await self._server.start_server()
        assert self._server.port is not None
        return self._server.port

    async def stop(self) -> None:
        await self._server.close()

    async def _handshake1(self, request: web.Request) -> web.Response:
        local_seed = await request.read()
        remote_seed = os.urandom(16)
        session_id = os.urandom(16).hex()
        self._pending[session_id] = (local_seed, remote_seed)
        seeds = local_seed if self._version == 1 else local_seed + remote_seed
        response = web.Response(body=remote_seed + _sha256(seeds + self._auth_hash))
        response.set_cookie("TP_SESSIONID", session_id)
        response.set_cookie("TIMEOUT", "86400")
        return response

    async def _handshake2(self, request: web.Request) -> web.Response:
        session_id = request.cookies.get("TP_SESSIONID", "")
        if session_id not in self._pending:
            return web.Response(status=403)
        local_seed, remote_seed = self._pending.pop(session_id)
        seeds = remote_seed if self._version == 1 else remote_seed + local_seed
        if await request.read() != _sha256(seeds + self._auth_hash):
            return web.Response(status=403)
        self._sessions[session_id] = _KlapSession(local_seed, remote_seed, self._auth_hash)
        return web.Response()

    async def _request(self, request: web.Request) -> web.Response:
        session = self._sessions.get(request.cookies.get("TP_SESSIONID", ""))
        if session is None:
            return web.Response(status=403)
        seq = int(request.query["seq"])
        payload = json.loads(session.decrypt(seq, await request.read()))
        reply = json.dumps(self.device.answer(payload)).encode()
        return web.Response(body=session.encrypt(seq, reply))
