"""Shelly relays, one outlet per relay channel: Gen1 over its HTTP API, Gen2 and later over aioshelly's RPC.

aioshelly reads `/shelly` to tell the generations apart. Gen2+ devices then run through aioshelly's RpcDevice:
JSON-RPC over a WebSocket (`Shelly.GetStatus`, `Switch.Set`) with the digest authentication Shelly uses, and
the device pushes `NotifyStatus` the moment a relay changes, so listeners hear a button press at once. For
Gen1 devices aioshelly's block device needs CoAP on port 80, so the relays are read and switched through the
documented HTTP API instead (`/status`, `/relay/N?turn=on`) with basic authentication.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from aiohttp import ClientError, ClientResponseError, ClientSession, ClientTimeout, encode_basic_auth
from aioshelly.common import ConnectionOptions, get_info
from aioshelly.const import DEVICES
from aioshelly.exceptions import InvalidAuthError, RpcCallError, ShellyError
from aioshelly.rpc_device import RpcDevice, RpcUpdateType
from yarl import URL

from .base import (
    DEFAULT_TIMEOUT,
    OutletAuthError,
    OutletConnectionError,
    OutletDevice,
    OutletNotFoundError,
    OutletState,
    RefreshGate,
    SocketDevice,
    SocketOutlet,
    compact_mac,
    deadline,
    format_mac,
    measured,
)

MANUFACTURER = "Shelly"
DEFAULT_PORT = 80
DEFAULT_USERNAME = "admin"
"""Gen2+ devices have this one fixed user; Gen1 devices start with it too."""

_SWITCH_PREFIX = "switch:"
_WATT_MINUTES_PER_KWH = 60_000

type StateListener = Callable[[OutletState], None]


@dataclass(frozen=True, slots=True)
class ShellyChannel:
    """One relay channel of a Shelly device."""

    channel: int
    name: str
    unique_id: str
    has_power_monitoring: bool


@dataclass(frozen=True, slots=True)
class ShellyDeviceInfo:
    """What a config flow needs to offer a Shelly's channels."""

    device: OutletDevice
    generation: int
    channels: tuple[ShellyChannel, ...]


@dataclass(frozen=True, slots=True)
class _Reading:
    """One channel's state, and whether the device meters that channel at all."""

    state: OutletState
    metered: bool


class _Api(Protocol):
    """The generation-specific way to reach a device."""

    device: OutletDevice
    names: dict[int, str]

    async def open(self) -> dict[int, _Reading]:
        """Reach the device; returns every channel's reading."""

    async def read(self) -> dict[int, _Reading]:
        """Every channel's reading."""

    async def switch(self, channel: int, on: bool) -> None:
        """Send the on/off command for one channel."""

    async def close(self) -> None:
        """Free the connection."""


class ShellyDevice(SocketDevice):
    """One connection to a Shelly, shared by its channels' outlets.

    `session` is Home Assistant's shared aiohttp session. Gen1 devices have a user name of their own; Gen2+
    devices only a password. `mac` (optional) makes connect refuse another device at the same address.
    """

    def __init__(
        self,
        host: str,
        *,
        session: ClientSession,
        port: int = DEFAULT_PORT,
        username: str | None = None,
        password: str | None = None,
        mac: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Describe the device; no I/O happens here."""
        super().__init__()
        self.host = host
        self.timeout = timeout
        self._session = session
        self._port = port
        self._username = username
        self._password = password
        self._mac = compact_mac(mac) if mac else None
        self._api: _Api | None = None
        self._generation = 0
        self._readings: dict[int, _Reading] = {}
        self._gate = RefreshGate()
        self._listeners: dict[int, list[StateListener]] = {}

    @property
    def generation(self) -> int:
        """1 for Gen1 (HTTP), 2 and up for RPC devices."""
        self._connected_api()
        return self._generation

    @property
    def outlet_device(self) -> OutletDevice:
        """The device as a device registry sees it."""
        return self._connected_api().device

    @property
    def info(self) -> ShellyDeviceInfo:
        """The connected device and its channels."""
        return ShellyDeviceInfo(
            device=self.outlet_device,
            generation=self.generation,
            channels=tuple(self.describe_channel(channel) for channel in sorted(self._readings)),
        )

    async def probe(self) -> ShellyDeviceInfo:
        """Connect once to learn the generation and channels, for a config flow; always disconnects again."""
        await self.connect()
        try:
            return self.info
        finally:
            await self.close()

    def outlet(self, channel: int = 0) -> ShellyOutlet:
        """An outlet for one relay channel (0-based)."""
        return ShellyOutlet(self, channel)

    def describe_channel(self, channel: int) -> ShellyChannel:
        """One channel's name, unique id and metering, as of the last read."""
        api = self._connected_api()
        reading = self._reading(channel)
        return ShellyChannel(
            channel=channel,
            name=api.names.get(channel) or f"{api.device.name} channel {channel}",
            unique_id=f"{api.device.id}:{channel}",
            has_power_monitoring=reading.metered,
        )

    def check(self, key: Any) -> None:
        """Raise OutletNotFoundError unless the device has the relay channel."""
        self.state(key)

    def state(self, channel: int) -> OutletState:
        """The channel's state as of the last read or push; raises OutletNotFoundError for no such channel."""
        return self._reading(channel).state

    def _reading(self, channel: int) -> _Reading:
        self._connected_api()
        try:
            return self._readings[channel]
        except KeyError:
            raise OutletNotFoundError(
                f"Shelly at {self.host} has channels {sorted(self._readings)}, not {channel}"
            ) from None

    def add_listener(self, channel: int, listener: StateListener) -> Callable[[], None]:
        """Call `listener` with each state the device pushes for `channel`; returns the way to stop."""
        listeners = self._listeners.setdefault(channel, [])
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    async def refresh(self, *, fresh: bool) -> None:
        """Read every channel once for all outlets asking together."""
        api = self._connected_api()

        async def read() -> None:
            self._readings = await api.read()

        async with self._talking("read"):
            await self._gate.refresh(read, fresh=fresh)

    async def switch(self, channel: int, on: bool) -> None:
        """Send the on/off command for one channel."""
        self._reading(channel)
        api = self._connected_api()
        async with self._talking("switch"):
            await api.switch(channel, on)

    async def _open(self) -> None:
        async with self._talking("connect"):
            try:
                shelly = await get_info(self._session, self.host, port=self._port)
            except KeyError as err:
                raise OutletNotFoundError(f"the device at {self.host} is not a Shelly") from err
            if self._mac is not None and compact_mac(shelly["mac"]) != self._mac:
                raise OutletNotFoundError(f"another Shelly ({shelly['mac']}) now answers at {self.host}")
            generation = int(shelly.get("gen", 1))
            api: _Api
            if generation == 1:
                auth = (
                    encode_basic_auth(self._username or DEFAULT_USERNAME, self._password)
                    if self._password
                    else None
                )
                api = _Gen1(
                    self.host,
                    port=self._port,
                    session=self._session,
                    auth=auth,
                    timeout=self.timeout,
                    shelly=shelly,
                )
            else:
                options = ConnectionOptions(
                    ip_address=self.host,
                    username=DEFAULT_USERNAME if self._password else None,
                    password=self._password,
                    port=self._port,
                )
                api = _Gen2(RpcDevice(None, self._session, options), shelly, self._pushed)
            try:
                readings = await api.open()
            except BaseException:
                await api.close()
                raise
            if not readings:
                await api.close()
                raise OutletNotFoundError(
                    f"the Shelly at {self.host} ({api.device.model}) has no relay to switch"
                )
            self._readings = readings
        self._api = api
        self._generation = generation

    async def _shut(self) -> None:
        api = self._connected_api()
        self._api = None
        await api.close()

    def _pushed(self, readings: dict[int, _Reading]) -> None:
        for channel, reading in readings.items():
            if self._readings.get(channel) != reading:
                self._readings[channel] = reading
                for listener in list(self._listeners.get(channel, ())):
                    listener(reading.state)

    def _connected_api(self) -> _Api:
        if self._api is None:
            raise OutletConnectionError(f"Shelly at {self.host} is not connected")
        return self._api

    @asynccontextmanager
    async def _talking(self, what: str) -> AsyncIterator[None]:
        try:
            async with deadline(self.timeout, f"Shelly at {self.host} ({what})"):
                yield
        except InvalidAuthError as err:
            raise OutletAuthError(f"Shelly at {self.host} rejected the credentials") from err
        except RpcCallError as err:
            raise OutletConnectionError(f"Shelly at {self.host} refused to {what}: {err.message}") from err
        except ShellyError as err:
            raise OutletConnectionError(f"Shelly at {self.host} failed to {what}: {err!r}") from err


def _outlet_device(shelly: dict[str, Any], name: str) -> OutletDevice:
    model = str(shelly.get("model") or shelly.get("type"))
    known = DEVICES.get(model)
    return OutletDevice(
        id=f"shelly:{compact_mac(shelly['mac'])}",
        name=name,
        manufacturer=MANUFACTURER,
        model=known.name if known else model,
        mac=format_mac(shelly["mac"]),
        firmware=str(shelly.get("ver") or shelly.get("fw")),
    )


class _Gen1:
    """A Gen1 device through its HTTP API."""

    def __init__(
        self,
        host: str,
        *,
        port: int,
        session: ClientSession,
        auth: str | None,
        timeout: float,
        shelly: dict[str, Any],
    ) -> None:
        self._host = host
        self._port = port
        self._session = session
        self._headers = {"Authorization": auth} if auth else None
        self._timeout = ClientTimeout(total=timeout)
        self._shelly = shelly
        self.device = _outlet_device(shelly, str(shelly["mac"]))
        self.names: dict[int, str] = {}

    async def open(self) -> dict[int, _Reading]:
        if self._shelly.get("auth") and self._headers is None:
            raise OutletAuthError(f"Shelly at {self._host} requires a user name and password")
        settings = await self._get("settings")
        self.device = _outlet_device(self._shelly, settings.get("name") or settings["device"]["hostname"])
        self.names = {
            index: relay["name"]
            for index, relay in enumerate(settings.get("relays", []))
            if relay.get("name")
        }
        return await self.read()

    async def read(self) -> dict[int, _Reading]:
        status = await self._get("status")
        meters = status.get("meters", [])
        readings = {}
        for index, relay in enumerate(status.get("relays", [])):
            meter = meters[index] if index < len(meters) else {}
            if "total" in meter:
                state = OutletState(
                    is_on=relay["ison"],
                    power_w=measured(meter.get("power")),
                    energy_kwh=meter["total"] / _WATT_MINUTES_PER_KWH,
                )
                readings[index] = _Reading(state, metered=True)
            else:
                readings[index] = _Reading(OutletState(is_on=relay["ison"]), metered=False)
        return readings

    async def switch(self, channel: int, on: bool) -> None:
        await self._get(f"relay/{channel}", {"turn": "on" if on else "off"})

    async def close(self) -> None:
        """Nothing to free: every request is its own exchange on the shared session."""

    async def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        url = URL.build(scheme="http", host=self._host, port=self._port, path=f"/{path}")
        try:
            async with self._session.get(
                url, params=params, headers=self._headers, raise_for_status=True, timeout=self._timeout
            ) as response:
                result: dict[str, Any] = await response.json()
                return result
        except ClientResponseError as err:
            if err.status == HTTPStatus.UNAUTHORIZED:
                raise OutletAuthError(f"Shelly at {self._host} rejected the credentials") from err
            raise OutletConnectionError(f"Shelly at {self._host} answered /{path} with {err.status}") from err
        except (ClientError, OSError) as err:
            raise OutletConnectionError(f"Shelly at {self._host} failed on /{path}: {err!r}") from err


class _Gen2:
    """A Gen2+ device through aioshelly's RpcDevice over a WebSocket."""

    def __init__(
        self, rpc: RpcDevice, shelly: dict[str, Any], pushed: Callable[[dict[int, _Reading]], None]
    ) -> None:
        self._rpc = rpc
        self._shelly = shelly
        self._pushed = pushed
        self.device = _outlet_device(shelly, str(shelly.get("name") or shelly["id"]))
        self.names: dict[int, str] = {}
        self._reconnecting = asyncio.Lock()
        rpc.subscribe_updates(self._updated)

    async def open(self) -> dict[int, _Reading]:
        await self._rpc.initialize()
        config = self._rpc.config
        self.device = _outlet_device(self._shelly, config["sys"]["device"].get("name") or self._shelly["id"])
        self.names = {
            int(key.removeprefix(_SWITCH_PREFIX)): value["name"]
            for key, value in config.items()
            if key.startswith(_SWITCH_PREFIX) and value.get("name")
        }
        return _parse_rpc_status(self._rpc.status)

    async def read(self) -> dict[int, _Reading]:
        rpc = await self._connected()
        return _parse_rpc_status(await rpc.call_rpc("Shelly.GetStatus"))

    async def switch(self, channel: int, on: bool) -> None:
        rpc = await self._connected()
        await rpc.call_rpc("Switch.Set", {"id": channel, "on": on})

    async def _connected(self) -> RpcDevice:
        async with self._reconnecting:
            if not self._rpc.connected:
                # The WebSocket dropped (the device rebooted or lost Wi-Fi): connect again first.
                await self._rpc.initialize()
        return self._rpc

    async def close(self) -> None:
        await self._rpc.shutdown()

    def _updated(self, device: RpcDevice, update_type: RpcUpdateType) -> None:
        if update_type is RpcUpdateType.STATUS:
            self._pushed(_parse_rpc_status(device.status))


def _parse_rpc_status(status: dict[str, Any]) -> dict[int, _Reading]:
    readings = {}
    for key, value in status.items():
        if not key.startswith(_SWITCH_PREFIX):
            continue
        channel = int(key.removeprefix(_SWITCH_PREFIX))
        if "apower" in value:
            energy = measured(value.get("aenergy", {}).get("total"))
            state = OutletState(
                is_on=value["output"],
                power_w=measured(value["apower"]),
                energy_kwh=None if energy is None else energy / 1000,
            )
            readings[channel] = _Reading(state, metered=True)
        else:
            readings[channel] = _Reading(OutletState(is_on=value["output"]), metered=False)
    return readings


class ShellyOutlet(SocketOutlet["ShellyDevice"]):
    """One relay channel of a Shelly."""

    vendor = "Shelly"

    @property
    def unique_id(self) -> str:
        """The device's MAC plus the channel."""
        return self._device.describe_channel(self._key).unique_id

    @property
    def name(self) -> str:
        """The channel's name, or the device's name with the channel number."""
        return self._device.describe_channel(self._key).name

    @property
    def has_power_monitoring(self) -> bool:
        """True on PM models and plugs."""
        return self._device.describe_channel(self._key).has_power_monitoring

    @property
    def pushes_updates(self) -> bool:
        """True when the device pushes relay changes to listeners (Gen2 and later)."""
        return self._device.generation >= 2

    def add_listener(self, listener: StateListener) -> Callable[[], None]:
        """Call `listener` with each state the device pushes for this channel; returns the way to stop."""
        return self._device.add_listener(self._key, listener)
