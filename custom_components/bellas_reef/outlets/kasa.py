"""TP-Link Kasa plugs and power strips through python-kasa: one outlet per plug, or per socket of a strip.

Kasa devices speak one of several local protocols: the legacy XOR protocol on TCP port 9999 (HS/KP/EP plugs
and strips), or KLAP/AES over HTTP on newer firmware, which also wants the TP-Link account's credentials.
`KasaDevice.probe()` finds the one a device speaks and returns it as `connection`; keep it with the outlet, so
later connects go straight to it instead of trying each protocol again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
import math
from typing import Any

from aiohttp import ClientSession
from kasa import (
    AuthenticationError,
    Credentials,
    Device,
    DeviceConfig,
    DeviceConnectionParameters,
    DeviceEncryptionType,
    DeviceFamily,
    DeviceType,
    KasaException,
    Module,
    UnsupportedDeviceError,
)

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

MANUFACTURER = "TP-Link"

_XOR_PORT = 9999
_HTTP_PORT = 80

_SWITCHING_TYPES = frozenset({DeviceType.Plug, DeviceType.Strip, DeviceType.WallSwitch})

_PROTOCOLS = (
    DeviceConnectionParameters(DeviceFamily.IotSmartPlugSwitch, DeviceEncryptionType.Xor),
    DeviceConnectionParameters(DeviceFamily.IotSmartPlugSwitch, DeviceEncryptionType.Klap),
    DeviceConnectionParameters(DeviceFamily.IotSmartPlugSwitch, DeviceEncryptionType.Klap, login_version=2),
    DeviceConnectionParameters(DeviceFamily.SmartKasaPlug, DeviceEncryptionType.Klap, login_version=2),
    DeviceConnectionParameters(DeviceFamily.SmartTapoPlug, DeviceEncryptionType.Aes),
    DeviceConnectionParameters(DeviceFamily.SmartTapoPlug, DeviceEncryptionType.Aes, login_version=2),
)
"""What connecting without a stored `connection` tries, the common plug and strip protocols first."""


@dataclass(frozen=True, slots=True)
class KasaSocket:
    """One switchable socket of a Kasa device; `index` is None for a single plug."""

    index: int | None
    name: str
    unique_id: str
    has_power_monitoring: bool


@dataclass(frozen=True, slots=True)
class KasaDeviceInfo:
    """What a config flow needs to offer a Kasa device's sockets and connect to it later."""

    device: OutletDevice
    connection: dict[str, Any]
    sockets: tuple[KasaSocket, ...]


class KasaDevice(SocketDevice):
    """One connection to a Kasa plug or strip, shared by its sockets' outlets.

    `connection` is a stored `KasaDeviceInfo.connection`; without it every known protocol is tried. `mac`
    (optional) makes connect refuse another device answering at the same address. `http_client` is only used
    by the HTTP protocols and needs a cookie jar of its own (python-kasa clears the jar on every request):
    never pass a session other integrations share.
    """

    def __init__(
        self,
        host: str,
        *,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        connection: Mapping[str, Any] | None = None,
        mac: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http_client: ClientSession | None = None,
    ) -> None:
        """Describe the device; no I/O happens here."""
        super().__init__()
        self.host = host
        self.timeout = timeout
        self._port = port
        self._credentials = Credentials(username or "", password or "") if username or password else None
        self._connection = dict(connection) if connection is not None else None
        self._mac = compact_mac(mac) if mac else None
        self._http_client = http_client
        self._device: Device | None = None
        self._gate = RefreshGate()

    @property
    def info(self) -> KasaDeviceInfo:
        """The connected device and its sockets."""
        device = self._connected_device()
        if device.children:
            sockets = tuple(self.describe_socket(index) for index in range(len(device.children)))
        else:
            sockets = (self.describe_socket(None),)
        return KasaDeviceInfo(
            device=self.outlet_device,
            connection=device.config.connection_type.to_dict(),
            sockets=sockets,
        )

    @property
    def outlet_device(self) -> OutletDevice:
        """The device as a device registry sees it."""
        return _describe(self._connected_device())

    async def probe(self) -> KasaDeviceInfo:
        """Connect once to learn the device's sockets, for a config flow; always disconnects again."""
        await self.connect()
        try:
            return self.info
        finally:
            await self.close()

    def outlet(self, socket: int | None = None) -> KasaOutlet:
        """An outlet for one socket of a strip (0-based), or for the plug itself with None."""
        return KasaOutlet(self, socket)

    def target(self, socket: int | None) -> Device:
        """The python-kasa device that switches `socket`; raises OutletNotFoundError when there is none."""
        device = self._connected_device()
        if device.children:
            if socket is None:
                raise OutletNotFoundError(f"{device.model} at {self.host} is a power strip: choose a socket")
            if not 0 <= socket < len(device.children):
                raise OutletNotFoundError(
                    f"{device.model} at {self.host} has sockets 0-{len(device.children) - 1}, not {socket}"
                )
            return device.children[socket]
        if socket is not None:
            raise OutletNotFoundError(
                f"{device.model} at {self.host} is a single plug, without socket {socket}"
            )
        return device

    def check(self, key: Any) -> None:
        """Raise OutletNotFoundError unless the plug or strip has the socket."""
        self.target(key)

    def state(self, socket: int | None) -> OutletState:
        """The socket's state as of the last read."""
        target = self.target(socket)
        energy = target.modules.get(Module.Energy)
        if energy is None:
            return OutletState(is_on=target.is_on)
        try:
            power = energy.current_consumption
            # Tapo and newer Kasa plugs count energy by month only; the month's count is their counter.
            total = energy.consumption_total
            if total is None:
                total = energy.consumption_this_month
        except KasaException:
            # The meter failed while the relay answered: the outlet stays readable and switchable without it.
            return OutletState(is_on=target.is_on)
        return OutletState(is_on=target.is_on, power_w=measured(power), energy_kwh=measured(total))

    async def refresh(self, *, fresh: bool) -> None:
        """Read the whole device (every socket) once for all outlets asking together."""
        device = self._connected_device()
        async with self._talking("read"):
            await self._gate.refresh(device.update, fresh=fresh)

    async def switch(self, socket: int | None, on: bool) -> None:
        """Send the on/off command for one socket."""
        target = self.target(socket)
        async with self._talking("switch"):
            if on:
                await target.turn_on()
            else:
                await target.turn_off()

    async def _open(self) -> None:
        device: Device | None = None
        try:
            if self._connection is not None:
                device = await self._connect_with(DeviceConnectionParameters.from_dict(self._connection))
            else:
                device = await self._find_protocol()
            self._check(device)
        except (OutletNotFoundError, KeyError) as err:
            if device is not None:
                await device.disconnect()
            if isinstance(err, KeyError):
                # The device left out what python-kasa needs to describe it (model, firmware...), or is of a
                # kind python-kasa 0.11 has no class for (0.12 raises UnsupportedDeviceError for those).
                raise OutletNotFoundError(
                    f"Kasa device at {self.host} is not a plug or strip python-kasa knows"
                ) from err
            raise
        self._device = device

    async def _shut(self) -> None:
        device = self._connected_device()
        self._device = None
        await device.disconnect()

    async def _find_protocol(self) -> Device:
        rejected: OutletAuthError | None = None
        failure: OutletConnectionError | None = None
        listening: dict[int, bool] = {}
        for params in _PROTOCOLS:
            port = self._port or (
                _XOR_PORT if params.encryption_type is DeviceEncryptionType.Xor else _HTTP_PORT
            )
            if port not in listening:
                listening[port] = await self._listening(port)
            if not listening[port]:
                continue
            try:
                return await self._connect_with(params)
            except OutletAuthError as err:
                rejected = err
            except OutletConnectionError as err:
                if isinstance(err.__cause__, TimeoutError):
                    # Nothing answers at all: each other protocol would only wait as long again.
                    raise
                failure = err
        if rejected is not None:
            raise rejected
        if failure is None:
            ports = " or ".join(str(port) for port in listening)
            raise OutletConnectionError(f"nothing listens at {self.host} on port {ports}")
        raise OutletConnectionError(f"no Kasa protocol answers at {self.host}") from failure

    async def _listening(self, port: int) -> bool:
        """Whether a TCP connection to `port` is accepted: protocols on a closed port need not be tried."""
        async with deadline(self.timeout, f"Kasa device at {self.host}"):
            try:
                _, writer = await asyncio.open_connection(self.host, port)
            except OSError:
                return False
        writer.close()
        with suppress(OSError):
            await writer.wait_closed()
        return True

    async def _connect_with(self, params: DeviceConnectionParameters) -> Device:
        config = DeviceConfig(
            host=self.host,
            timeout=math.ceil(self.timeout),
            port_override=self._port,
            credentials=self._credentials,
            connection_type=params,
            http_client=self._http_client,
        )
        async with self._talking("connect"):
            return await Device.connect(config=config)

    def _check(self, device: Device) -> None:
        _describe(device)  # raises KeyError when the device leaves out what describes it
        if device.device_type not in _SWITCHING_TYPES:
            raise OutletNotFoundError(
                f"{device.model} at {self.host} is a {device.device_type.value}, not a plug or power strip"
            )
        if self._mac is not None and compact_mac(device.mac) != self._mac:
            raise OutletNotFoundError(f"another Kasa device ({device.mac}) now answers at {self.host}")

    def describe_socket(self, index: int | None) -> KasaSocket:
        """One socket's name, unique id and metering, as of the last read."""
        device = self._connected_device()
        target = self.target(index)
        if index is None:
            name = device.alias or device.model
        else:
            name = target.alias or f"{device.alias or device.model} socket {index + 1}"
        return KasaSocket(
            index=index,
            name=name,
            unique_id=self.socket_id(index),
            has_power_monitoring=Module.Energy in target.modules,
        )

    def socket_id(self, index: int | None) -> str:
        """The unique id of one socket: the device's MAC plus the socket index."""
        base = self.outlet_device.id
        return base if index is None else f"{base}:{index}"

    def _connected_device(self) -> Device:
        if self._device is None:
            raise OutletConnectionError(f"Kasa device at {self.host} is not connected")
        return self._device

    @asynccontextmanager
    async def _talking(self, what: str) -> AsyncIterator[None]:
        try:
            async with deadline(self.timeout, f"Kasa device at {self.host} ({what})"):
                yield
        except AuthenticationError as err:
            raise OutletAuthError(f"Kasa device at {self.host} rejected the credentials") from err
        except UnsupportedDeviceError as err:
            raise OutletNotFoundError(
                f"Kasa device at {self.host} is not a plug or strip python-kasa knows"
            ) from err
        except KasaException as err:
            raise OutletConnectionError(f"Kasa device at {self.host} failed to {what}: {err}") from err


def _describe(device: Device) -> OutletDevice:
    return OutletDevice(
        id=f"kasa:{compact_mac(device.mac)}",
        name=device.alias or device.model,
        manufacturer=MANUFACTURER,
        model=device.model,
        mac=format_mac(device.mac),
        firmware=device.device_info.firmware_version,
    )


class KasaOutlet(SocketOutlet["KasaDevice"]):
    """One Kasa plug, or one socket of a Kasa strip."""

    vendor = "Kasa"

    @property
    def unique_id(self) -> str:
        """The device's MAC plus the socket index."""
        return self._device.socket_id(self._key)

    @property
    def name(self) -> str:
        """The socket's alias (or the plug's)."""
        return self._device.describe_socket(self._key).name

    @property
    def has_power_monitoring(self) -> bool:
        """True on metering models (HS110, KP115, HS300...)."""
        return Module.Energy in self._device.target(self._key).modules
