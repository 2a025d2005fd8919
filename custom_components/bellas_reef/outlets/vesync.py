"""VeSync (Etekcity) cloud plugs through pyvesync 3: one account per controller, one outlet per plug.

Everything goes through VeSync's cloud: the account logs in once, lists its outlets, and each outlet is read
and switched by its cloud id. pyvesync logs in again by itself when the cloud expires the token.

Two behaviours of pyvesync 3.4 are adjusted in a small subclass of its manager, through the only seams it
offers (private methods, so pin the versions they were checked against):
- it derives the API host from the account's region; `base_url` overrides that (a test server on 127.0.0.1,
  or a host VeSync moves to) in `_api_base_url_for_current_region()`;
- after a token error it logs in again and resends the request, but with the old token still in it (and
  device requests keep taking the token from a cache filled before the login), so it would log in again and
  again; `_reauthenticate()` here allows one fresh login per operation and empties that cache, and the
  operation is then run once more, now with the new token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import ClientError, ClientSession
from pyvesync import VeSync
from pyvesync.base_devices.outlet_base import VeSyncOutlet as LibraryOutlet
from pyvesync.const import DEFAULT_REGION, DEFAULT_TZ, ConnectionStatus
from pyvesync.utils.errors import VeSyncError, VeSyncLoginError, VeSyncTokenError
from pyvesync.utils.helpers import Helpers

from .base import (
    DEFAULT_TIMEOUT,
    OutletAuthError,
    OutletConnectionError,
    OutletDevice,
    OutletNotFoundError,
    OutletState,
    SharedDevice,
    confirm,
    deadline,
    format_mac,
    measured,
)

MANUFACTURER = "Etekcity"


@dataclass(frozen=True, slots=True)
class VeSyncOutletInfo:
    """One outlet of the account, for a config flow to offer."""

    device_id: str
    name: str
    model: str
    unique_id: str
    has_power_monitoring: bool
    online: bool


class _StaleTokenError(OutletConnectionError):
    """The cloud refused a request made with a token it had just replaced."""


class _Manager(VeSync):
    """pyvesync's manager, optionally pointed at another API host, logging in again at most once per call."""

    __slots__ = ("_base_url", "relogin_allowed")

    def __init__(
        self,
        username: str,
        password: str,
        *,
        session: ClientSession,
        country_code: str,
        time_zone: str,
        base_url: str | None,
    ) -> None:
        super().__init__(username, password, country_code=country_code, session=session, time_zone=time_zone)
        self._base_url = base_url
        self.relogin_allowed = True

    def _api_base_url_for_current_region(self) -> str:
        return self._base_url or super()._api_base_url_for_current_region()

    async def _reauthenticate(self) -> bool:
        if not self.relogin_allowed:
            raise VeSyncTokenError("the cloud refused the token again after a fresh login")
        self.relogin_allowed = False
        logged_in = await super()._reauthenticate()
        Helpers.get_manager_attributes.cache_clear()
        return logged_in


def _device_id(plug: LibraryOutlet) -> str:
    return plug.cid if plug.sub_device_no is None else f"{plug.cid}:{plug.sub_device_no}"


class VeSyncAccount(SharedDevice):
    """A VeSync account, shared by the outlets picked from it.

    `session` is Home Assistant's shared aiohttp session (one is created and closed here otherwise);
    `time_zone` is the IANA zone the cloud reports in, e.g. Home Assistant's.
    """

    def __init__(
        self,
        username: str,
        password: str,
        *,
        session: ClientSession | None = None,
        country_code: str = DEFAULT_REGION,
        time_zone: str = DEFAULT_TZ,
        timeout: float = DEFAULT_TIMEOUT,
        base_url: str | None = None,
    ) -> None:
        """Describe the account; no I/O happens here."""
        super().__init__()
        self.username = username
        self.timeout = timeout
        self._password = password
        self._session = session
        self._own_session: ClientSession | None = None
        self._country_code = country_code
        self._time_zone = time_zone
        self._base_url = base_url
        self._manager: _Manager | None = None

    async def login(self) -> None:
        """Log in (once) and load the device list; raises OutletAuthError when the cloud refuses."""
        await self.connect()

    async def list_outlets(self) -> list[VeSyncOutletInfo]:
        """The account's outlets as the cloud lists them now."""
        await self.connect()
        manager = self._connected_manager()
        await self._run("list devices", manager.get_devices)
        return [
            VeSyncOutletInfo(
                device_id=_device_id(plug),
                name=plug.device_name,
                model=plug.device_type,
                unique_id=f"vesync:{_device_id(plug)}",
                has_power_monitoring=plug.supports_energy,
                online=plug.state.connection_status == ConnectionStatus.ONLINE,
            )
            for plug in manager.devices.outlets
        ]

    def outlet(self, device_id: str) -> VeSyncOutlet:
        """An outlet for one plug of the account, by `VeSyncOutletInfo.device_id`."""
        return VeSyncOutlet(self, device_id)

    def find(self, device_id: str) -> LibraryOutlet:
        """pyvesync's device for `device_id`; raises OutletNotFoundError when the account has none."""
        for plug in self._connected_manager().devices.outlets:
            if _device_id(plug) == device_id:
                return plug
        raise OutletNotFoundError(f"VeSync account {self.username} has no outlet {device_id}")

    async def read(self, plug: LibraryOutlet) -> OutletState:
        """Ask the cloud for one plug's state."""

        async def read() -> None:
            plug.last_response = None
            await plug.update()

        await self._run(f"read {plug.device_name}", read)
        self._check(plug)
        if not plug.supports_energy:
            return OutletState(is_on=plug.is_on)
        return OutletState(
            is_on=plug.is_on, power_w=measured(plug.state.power), energy_kwh=measured(plug.state.energy)
        )

    async def switch(self, plug: LibraryOutlet, on: bool) -> None:
        """Send the on/off command for one plug through the cloud."""

        async def switch() -> bool:
            plug.last_response = None
            return await plug.toggle_switch(on)

        if not await self._run(f"switch {plug.device_name}", switch):
            self._check(plug)
            raise OutletConnectionError(f"VeSync did not take the command for {plug.device_name}")

    async def _open(self) -> None:
        session = self._session
        if session is None:
            session = self._own_session = ClientSession()
        manager = _Manager(
            self.username,
            self._password,
            session=session,
            country_code=self._country_code,
            time_zone=self._time_zone,
            base_url=self._base_url,
        )
        try:
            async with self._talking(manager, "log in"):
                await manager.login()
                await manager.get_devices()
        except BaseException:
            await self._close_own_session()
            raise
        self._manager = manager

    async def _shut(self) -> None:
        self._manager = None
        await self._close_own_session()

    async def _close_own_session(self) -> None:
        session, self._own_session = self._own_session, None
        if session is not None:
            await session.close()

    def _check(self, plug: LibraryOutlet) -> None:
        response = plug.last_response
        if response is not None and response.code:
            raise OutletConnectionError(f"VeSync reports {plug.device_name}: {response.message}")
        if plug.state.connection_status != ConnectionStatus.ONLINE:
            raise OutletConnectionError(f"VeSync reports {plug.device_name} offline")

    def _connected_manager(self) -> _Manager:
        if self._manager is None:
            raise OutletConnectionError(f"VeSync account {self.username} is not logged in")
        return self._manager

    async def _run[T](self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        manager = self._connected_manager()
        try:
            async with self._talking(manager, what):
                return await operation()
        except _StaleTokenError:
            async with self._talking(manager, what):
                return await operation()

    @asynccontextmanager
    async def _talking(self, manager: _Manager, what: str) -> AsyncIterator[None]:
        manager.relogin_allowed = True
        try:
            async with deadline(self.timeout, f"VeSync cloud ({what})"):
                yield
        except VeSyncLoginError as err:
            if err.__cause__ is not None:
                # pyvesync wraps every failure while logging in, network ones too, in VeSyncLoginError;
                # only one raised without a cause is the cloud refusing the credentials.
                raise OutletConnectionError(f"VeSync cloud failed to {what}: {err}") from err
            raise OutletAuthError(f"VeSync rejected the account {self.username}: {err}") from err
        except VeSyncTokenError as err:
            raise _StaleTokenError(f"VeSync cloud refused a stale token to {what}") from err
        except (VeSyncError, ClientError, OSError) as err:
            raise OutletConnectionError(f"VeSync cloud failed to {what}: {err!r}") from err


class VeSyncOutlet:
    """One VeSync plug."""

    def __init__(self, account: VeSyncAccount, device_id: str) -> None:
        """Bind the outlet to its account; no I/O happens here."""
        self._account = account
        self.device_id = device_id
        self._plug: LibraryOutlet | None = None

    @property
    def unique_id(self) -> str:
        """The plug's cloud id."""
        return f"vesync:{self.device_id}"

    @property
    def name(self) -> str:
        """The plug's name in the VeSync app."""
        return self._connected_plug().device_name

    @property
    def model(self) -> str:
        """The plug's model code, e.g. ESW15-USA."""
        return self._connected_plug().device_type

    @property
    def device(self) -> OutletDevice:
        """The plug."""
        plug = self._connected_plug()
        try:
            mac = format_mac(plug.mac_id or "")
        except ValueError:
            mac = None
        return OutletDevice(
            id=self.unique_id,
            name=plug.device_name,
            manufacturer=MANUFACTURER,
            model=plug.device_type,
            mac=mac,
            firmware=plug.current_firm_version,
        )

    @property
    def has_power_monitoring(self) -> bool:
        """True on metering plugs."""
        return self._connected_plug().supports_energy

    async def connect(self) -> None:
        """Log the account in (shared) and find the plug in its device list."""
        await self._account.attach(self)
        try:
            self._plug = self._account.find(self.device_id)
        except OutletNotFoundError:
            await self._account.detach(self)
            raise

    async def update(self) -> OutletState:
        """Ask the cloud for the plug's state."""
        return await self._account.read(self._connected_plug())

    async def turn_on(self) -> OutletState:
        """Switch on and confirm."""
        return await self._switch(True)

    async def turn_off(self) -> OutletState:
        """Switch off and confirm."""
        return await self._switch(False)

    async def close(self) -> None:
        """Release the account."""
        self._plug = None
        await self._account.detach(self)

    async def _switch(self, on: bool) -> OutletState:
        await self._account.switch(self._connected_plug(), on)
        return await confirm(self.update, on, f"VeSync {self.device_id}")

    def _connected_plug(self) -> LibraryOutlet:
        if self._plug is None:
            raise OutletConnectionError(f"VeSync outlet {self.device_id} is not connected")
        return self._plug
