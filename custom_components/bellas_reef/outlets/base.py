"""What every outlet driver offers, the errors it raises, and the pieces the drivers share.

An outlet is one switchable socket: a Kasa plug or one socket of a Kasa strip, one relay channel of a Shelly,
one VeSync cloud plug, or a simulated socket. Sockets of one physical device share one connection to it (a
`SharedDevice`), so a six-socket strip is read once per poll, not six times.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

DEFAULT_TIMEOUT = 10.0
"""Seconds any single driver call may take, connection set-up and read-back included."""

CONFIRM_READS = 3
"""How often a switched outlet is read back before the command counts as not carried out."""

CONFIRM_INTERVAL = 0.2
"""Seconds between those reads: some devices report a new relay state a moment after acknowledging."""


class OutletError(Exception):
    """An outlet could not do what was asked."""


class OutletConnectionError(OutletError):
    """The device (or its cloud) did not answer: unreachable, refused, timed out, offline. Retry later."""


class OutletAuthError(OutletError):
    """The device or cloud account rejected the credentials; retrying with the same ones will not help."""


class OutletNotFoundError(OutletError):
    """The device answers, but the outlet is not there: no such socket or channel, or another device."""


class OutletNotConfirmedError(OutletError):
    """The device took a command but does not report the new state: the relay may not have switched."""


class OutletRole(StrEnum):
    """What a reef keeper plugs into an outlet; feed mode and boot delays act on roles."""

    HEATER = "heater"
    CHILLER = "chiller"
    RETURN_PUMP = "return_pump"
    POWERHEAD = "powerhead"
    SKIMMER = "skimmer"
    ATO = "ato"
    LIGHT = "light"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class OutletState:
    """One reading of an outlet.

    `energy_kwh` is the device's own counter: it only grows, except when the device resets it (a reboot on
    older Kasa and on Shelly, the start of a month on Tapo and newer Kasa plugs, midnight on VeSync plugs),
    which suits a `total_increasing` sensor.
    """

    is_on: bool
    power_w: float | None = None
    energy_kwh: float | None = None


@dataclass(frozen=True, slots=True)
class OutletDevice:
    """The physical device an outlet belongs to, for a device registry; sockets of a strip share it."""

    id: str
    name: str
    manufacturer: str
    model: str
    mac: str | None = None
    firmware: str | None = None


class Outlet(Protocol):
    """One switchable socket. Identity properties are valid after a successful `connect()`."""

    @property
    def unique_id(self) -> str:
        """Stable id from the device's own id or MAC plus socket or channel, never its address."""

    @property
    def name(self) -> str:
        """The name the device gives this socket."""

    @property
    def model(self) -> str:
        """The device's model."""

    @property
    def device(self) -> OutletDevice:
        """The physical device this socket belongs to."""

    @property
    def has_power_monitoring(self) -> bool:
        """True when `update()` reports power (and energy) for this socket."""

    async def connect(self) -> None:
        """Reach the device and check the socket exists; raises the typed `OutletError`s."""

    async def update(self) -> OutletState:
        """Read the socket's current state from the device."""

    async def turn_on(self) -> OutletState:
        """Switch on and return the state read back from the device; raises OutletNotConfirmedError if off."""

    async def turn_off(self) -> OutletState:
        """Switch off and return the state read back from the device; raises OutletNotConfirmedError if on."""

    async def close(self) -> None:
        """Let go of the device; the last socket of a device closes its connection."""


def measured(value: object) -> float | None:
    """A power or energy figure from a device as a float; None when the device gave no number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def compact_mac(mac: str) -> str:
    """A MAC as twelve lowercase hex digits, the form unique ids use whatever the device printed."""
    digits = "".join(char for char in mac.lower() if char in "0123456789abcdef")
    if len(digits) != 12:
        raise ValueError(f"not a MAC address: {mac!r}")
    return digits


type DeviceKey = tuple[str, int | None, str | None]
"""What tells one network device from another: its address, its port and its MAC."""


def device_key(host: str, port: int | None, mac: str | None) -> DeviceKey:
    """The key sockets share a connection by: only sockets of one device, never two devices at one address.

    Two plugs can sit behind one address on different ports (port forwarding, a test bench), and the device
    at an address can be replaced; the MAC, where known, keeps each outlet on the device it was set up with.
    """
    return host.strip().lower(), port, compact_mac(mac) if mac else None


def format_mac(mac: str) -> str:
    """A MAC as lowercase colon-separated pairs, the form device registries match connections by."""
    digits = compact_mac(mac)
    return ":".join(digits[index : index + 2] for index in range(0, 12, 2))


@asynccontextmanager
async def deadline(seconds: float, what: str) -> AsyncIterator[None]:
    """Bound a device call, so a slow device fails on time instead of holding its caller."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as err:
        raise OutletConnectionError(f"{what} did not answer within {seconds:g} s") from err


async def confirm(read: Callable[[], Awaitable[OutletState]], want_on: bool, what: str) -> OutletState:
    """Read an outlet back until it reports `want_on`; commands are only trusted once the device says so."""
    for attempt in range(CONFIRM_READS):
        if attempt:
            await asyncio.sleep(CONFIRM_INTERVAL)
        state = await read()
        if state.is_on == want_on:
            return state
    raise OutletNotConfirmedError(f"{what} still reports {'off' if want_on else 'on'} after switching")


class RefreshGate:
    """Lets every socket of one device share a read of it.

    Callers that only poll join a read already in flight; callers that just sent a command wait for a read
    that starts after it, so a confirmation never sees a state from before the command.
    """

    def __init__(self) -> None:
        """Start with no read done."""
        self._lock = asyncio.Lock()
        self._begun = 0
        self._done = 0
        self._reading = False

    async def refresh(self, read: Callable[[], Awaitable[None]], *, fresh: bool) -> None:
        """Run `read` unless a read that satisfies this caller completes first."""
        wanted = self._begun if self._reading and not fresh else self._begun + 1
        async with self._lock:
            if self._done >= wanted:
                return
            self._begun += 1
            generation = self._begun
            self._reading = True
            try:
                await read()
            finally:
                self._reading = False
            self._done = generation


class SharedDevice(ABC):
    """A connection that the sockets of one device share: opened by the first, closed after the last."""

    def __init__(self) -> None:
        """Start closed."""
        self._open_lock = asyncio.Lock()
        self._opened = False
        self._users: set[object] = set()

    async def connect(self) -> None:
        """Open the connection unless it is open already."""
        async with self._open_lock:
            await self._ensure_open()

    async def close(self) -> None:
        """Close the connection, whoever still uses it."""
        async with self._open_lock:
            await self._ensure_shut()

    async def attach(self, user: object) -> None:
        """Open the connection for one more socket."""
        async with self._open_lock:
            await self._ensure_open()
            self._users.add(user)

    async def detach(self, user: object) -> None:
        """Release one socket's use; the last one out closes the connection."""
        async with self._open_lock:
            self._users.discard(user)
            if not self._users:
                await self._ensure_shut()

    async def _ensure_open(self) -> None:
        if not self._opened:
            await self._open()
            self._opened = True

    async def _ensure_shut(self) -> None:
        if self._opened:
            self._opened = False
            await self._shut()

    @abstractmethod
    async def _open(self) -> None:
        """Reach the device; raises the typed `OutletError`s."""

    @abstractmethod
    async def _shut(self) -> None:
        """Free the connection's resources."""


class SocketDevice(SharedDevice):
    """A shared device whose sockets are addressed by a key (a strip's socket index, a Shelly's channel)."""

    @property
    @abstractmethod
    def outlet_device(self) -> OutletDevice:
        """The physical device, for a device registry."""

    @abstractmethod
    def check(self, key: Any) -> None:
        """Raise OutletNotFoundError unless the device has the socket `key`."""

    @abstractmethod
    def state(self, key: Any) -> OutletState:
        """The socket's state as last read."""

    @abstractmethod
    async def refresh(self, *, fresh: bool) -> None:
        """Read the device (shared by its sockets; `fresh` waits for a read after any command)."""

    @abstractmethod
    async def switch(self, key: Any, on: bool) -> None:
        """Send the on/off command for one socket."""


class SocketOutlet[DeviceT: SocketDevice](ABC):
    """One socket of a `SocketDevice`: connecting, reading and confirmed switching, the same for every vendor."""

    vendor: str

    def __init__(self, device: DeviceT, key: Any) -> None:
        """Bind the outlet to its device's shared connection; no I/O happens here."""
        self._device = device
        self._key = key

    @property
    @abstractmethod
    def unique_id(self) -> str:
        """Stable id from the device's own id or MAC plus the socket."""

    @property
    def model(self) -> str:
        """The device's model."""
        return self.device.model

    @property
    def device(self) -> OutletDevice:
        """The physical device this socket belongs to."""
        return self._device.outlet_device

    async def connect(self) -> None:
        """Connect the shared device and check the socket exists."""
        await self._device.attach(self)
        try:
            self._device.check(self._key)
        except OutletNotFoundError:
            await self._device.detach(self)
            raise

    async def update(self) -> OutletState:
        """Read the socket, sharing the read with the device's other sockets."""
        await self._device.refresh(fresh=False)
        return self._device.state(self._key)

    async def turn_on(self) -> OutletState:
        """Switch on and confirm."""
        return await self._switch(True)

    async def turn_off(self) -> OutletState:
        """Switch off and confirm."""
        return await self._switch(False)

    async def close(self) -> None:
        """Release the shared connection."""
        await self._device.detach(self)

    async def _switch(self, on: bool) -> OutletState:
        await self._device.switch(self._key, on)
        return await confirm(self._read_back, on, f"{self.vendor} {self.unique_id}")

    async def _read_back(self) -> OutletState:
        await self._device.refresh(fresh=True)
        return self._device.state(self._key)
