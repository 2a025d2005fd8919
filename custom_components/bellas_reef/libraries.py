"""Driver libraries a tank may never need, imported when a subentry first needs one: in the executor, once.

python-kasa, aioshelly, pyvesync and psycopg (with its pool) take tens of megabytes and most of a second to import
on a Raspberry Pi. A controller with only PWM, GPIO, 1-wire and EZO hardware and the embedded readings store never
loads them; the manifest still lists them all, so HA installs them with the integration.

``async_load`` imports the driver module behind an outlet driver or a readings store (and its library with it)
in HA's import executor; the accessors below then hand out its classes without importing anything, and fail
loudly if nothing loaded them first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import sys
from typing import TYPE_CHECKING, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.importlib import async_import_module

from .const import CONF_DRIVER, CONF_STORE, STORE_POSTGRESQL, SUBENTRY_OUTLET, OutletDriver

if TYPE_CHECKING:
    from types import ModuleType

    from .history.postgres import PostgresStore
    from .outlets.kasa import KasaDevice
    from .outlets.shelly import ShellyDevice
    from .outlets.vesync import VeSyncAccount

# Outlet drivers and readings stores whose modules import a heavy library, and those modules.
_MODULES: Final[dict[str, str]] = {
    OutletDriver.KASA: f"{__package__}.outlets.kasa",
    OutletDriver.SHELLY: f"{__package__}.outlets.shelly",
    OutletDriver.VESYNC: f"{__package__}.outlets.vesync",
    STORE_POSTGRESQL: f"{__package__}.history.postgres",
}


async def async_load(hass: HomeAssistant, *kinds: str) -> None:
    """Import the modules behind these outlet drivers or readings stores, in the executor (at once if done before)."""
    for kind in kinds:
        if (name := _MODULES.get(kind)) is not None:
            await async_import_module(hass, name)


async def async_load_for(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Import what a controller's outlets and readings store need, before its drivers are built."""
    drivers = {
        subentry.data[CONF_DRIVER]
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_OUTLET and CONF_DRIVER in subentry.data
    }
    await async_load(hass, *sorted(drivers), entry.data.get(CONF_STORE, ""))


def _loaded(kind: str) -> ModuleType:
    name = _MODULES[kind]
    if (module := sys.modules.get(name)) is None:
        raise RuntimeError(f"{name} is used before libraries.async_load imported it")
    return module


def kasa_device() -> type[KasaDevice]:
    """python-kasa's plug or strip, once loaded."""
    device: type[KasaDevice] = _loaded(OutletDriver.KASA).KasaDevice
    return device


def shelly_device() -> type[ShellyDevice]:
    """aioshelly's device, once loaded."""
    device: type[ShellyDevice] = _loaded(OutletDriver.SHELLY).ShellyDevice
    return device


def vesync_account() -> type[VeSyncAccount]:
    """pyvesync's cloud account, once loaded."""
    account: type[VeSyncAccount] = _loaded(OutletDriver.VESYNC).VeSyncAccount
    return account


def postgres_store() -> type[PostgresStore]:
    """The readings store on a PostgreSQL server (psycopg), once loaded."""
    store: type[PostgresStore] = _loaded(STORE_POSTGRESQL).PostgresStore
    return store


def postgres_url_check() -> Callable[[str], Awaitable[None]]:
    """``validate_postgres_url``, once the PostgreSQL store is loaded."""
    check: Callable[[str], Awaitable[None]] = _loaded(STORE_POSTGRESQL).validate_postgres_url
    return check
