"""Turns a controller's outlet subentries into outlet drivers, one connection per physical device.

Kasa and Shelly sockets of one device share its connection, keyed by what identifies the device (address, port
and MAC), never the address alone; VeSync outlets share the controller's one cloud account.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
import math
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from . import libraries
from .adopted import HaSwitchOutlet
from .const import (
    CONF_BOOT_DELAY,
    CONF_CHANNEL,
    CONF_CONNECTION,
    CONF_DEVICE_ID,
    CONF_DRIVER,
    CONF_ENTITY_ID,
    CONF_HOST,
    CONF_MAC,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_ROLE,
    CONF_SOCKET,
    CONF_USERNAME,
    CONF_VESYNC,
    CONF_WATTS,
    OUTLET_CLOUD_POLL_EVERY,
    SUBENTRY_OUTLET,
    OutletDriver,
)
from .coordinator.outlets import ManagedOutlet
from .health import DeviceHealth
from .models import ReefConfigEntry
from .outlets import Outlet, OutletRole, SimulatedOutlet
from .outlets.base import DeviceKey, device_key

if TYPE_CHECKING:
    # Loaded on demand, in the executor (see libraries): a tank without such outlets never imports them.
    from .outlets.kasa import KasaDevice
    from .outlets.shelly import ShellyDevice
    from .outlets.vesync import VeSyncAccount

_LOGGER = logging.getLogger(__name__)


# The VeSync cloud's address; None uses the library's. Tests point it at a local server.
VESYNC_BASE_URL: str | None = None


class OutletBuilder:
    """Makes one controller's outlet drivers, sharing a connection per device (and per VeSync account)."""

    def __init__(
        self, hass: HomeAssistant, entry: ReefConfigEntry, simulated: dict[str, SimulatedOutlet]
    ) -> None:
        """Remember what the drivers need."""
        self.hass = hass
        self.entry = entry
        self.simulated = simulated
        self._kasa: dict[DeviceKey, KasaDevice] = {}
        self._shelly: dict[DeviceKey, ShellyDevice] = {}
        self._vesync: VeSyncAccount | None = None
        # Outlet subentries that could not be built, by id: (title, why).
        self.broken: dict[str, tuple[str, str]] = {}

    def vesync_account(self) -> VeSyncAccount:
        """The controller's VeSync account, as entered once in the first VeSync outlet's flow."""
        if self._vesync is None:
            self._vesync = vesync_account(self.hass, self.entry.data[CONF_VESYNC])
        return self._vesync

    def build(self) -> list[ManagedOutlet]:
        """Every outlet subentry's outlet; none talks to its device yet. Outlets that cannot be built go in `broken`."""
        outlets = []
        for subentry_id, subentry in self.entry.subentries.items():
            if subentry.subentry_type != SUBENTRY_OUTLET:
                continue
            data = subentry.data
            try:
                outlets.append(
                    ManagedOutlet(
                        subentry_id=subentry_id,
                        name=subentry.title,
                        role=OutletRole(data[CONF_ROLE]),
                        boot_delay=_boot_delay(data),
                        driver=self._driver(subentry_id, subentry.title, data),
                        health=DeviceHealth(subentry.title),
                        reauth_on_auth_error=data[CONF_DRIVER] == OutletDriver.VESYNC,
                        poll_every=OUTLET_CLOUD_POLL_EVERY if data[CONF_DRIVER] == OutletDriver.VESYNC else 1,
                    )
                )
            except Exception as err:  # noqa: BLE001 - one bad outlet must not take the tank down
                _LOGGER.error(
                    "%s: %s cannot be set up and is left out: %s", self.entry.title, subentry.title, err
                )
                self.broken[subentry_id] = (subentry.title, str(err) or type(err).__name__)
        return outlets

    def _driver(self, subentry_id: str, title: str, data: Mapping[str, Any]) -> Outlet:
        match data[CONF_DRIVER]:
            case OutletDriver.KASA:
                key = device_key(data[CONF_HOST], data.get(CONF_PORT), data.get(CONF_MAC))
                if key not in self._kasa:
                    self._kasa[key] = libraries.kasa_device()(
                        data[CONF_HOST],
                        port=data.get(CONF_PORT),
                        username=data.get(CONF_USERNAME),
                        password=data.get(CONF_PASSWORD),
                        connection=data.get(CONF_CONNECTION),
                        mac=data.get(CONF_MAC),
                    )
                return self._kasa[key].outlet(data.get(CONF_SOCKET))
            case OutletDriver.SHELLY:
                key = device_key(data[CONF_HOST], int(data.get(CONF_PORT) or 80), data.get(CONF_MAC))
                if key not in self._shelly:
                    self._shelly[key] = shelly_device(self.hass, data)
                return self._shelly[key].outlet(int(data[CONF_CHANNEL]))
            case OutletDriver.VESYNC:
                return self.vesync_account().outlet(data[CONF_DEVICE_ID])
            case OutletDriver.HA_SWITCH:
                return HaSwitchOutlet(self.hass, data[CONF_ENTITY_ID])
        if subentry_id not in self.simulated:
            self.simulated[subentry_id] = SimulatedOutlet(
                subentry_id, title, role=OutletRole(data[CONF_ROLE]), watts=data.get(CONF_WATTS)
            )
        return self.simulated[subentry_id]


def _boot_delay(data: Mapping[str, Any]) -> float:
    """An outlet's boot delay in seconds; NaN or a negative delay would stop every outlet's start."""
    delay = float(data[CONF_BOOT_DELAY])
    if not math.isfinite(delay) or delay < 0:
        raise ValueError(f"boot delay {data[CONF_BOOT_DELAY]!r} is not a number of seconds")
    return delay


def shelly_device(hass: HomeAssistant, data: Mapping[str, Any]) -> ShellyDevice:
    """A Shelly on HA's shared HTTP session."""
    return libraries.shelly_device()(
        data[CONF_HOST],
        session=async_get_clientsession(hass),
        port=int(data.get(CONF_PORT) or 80),
        username=data.get(CONF_USERNAME),
        password=data.get(CONF_PASSWORD),
        mac=data.get(CONF_MAC),
    )


def vesync_account(hass: HomeAssistant, account: Mapping[str, Any]) -> VeSyncAccount:
    """A VeSync account on HA's shared HTTP session, reporting in HA's time zone."""
    return libraries.vesync_account()(
        account[CONF_USERNAME],
        account[CONF_PASSWORD],
        session=async_get_clientsession(hass),
        time_zone=hass.config.time_zone,
        base_url=VESYNC_BASE_URL,
    )
