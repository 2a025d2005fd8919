"""Bella's Reef: Home Assistant as a reef-aquarium controller."""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .coordinator import (
    STORAGE_VERSION,
    LightingCoordinator,
    ProbeCoordinator,
    ReefConfigEntry,
    ReefRuntimeData,
    Simulator,
    storage_key,
)
from .drivers import async_close_boards, build_hardware
from .entity import board_device_info, controller_device_info
from .hardware.simulated import SimulatedI2CBus
from .hardware.tank import TankModel

PLATFORMS = [Platform.LIGHT, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the integration; controllers come from config entries only."""
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> bool:
    """Open the controller's boards and probes, restore its channels and start ticking."""
    tank = TankModel()
    bus = SimulatedI2CBus()
    boards, channels, probes = build_hardware(entry, bus, tank)
    lighting = LightingCoordinator(hass, entry, boards, channels)
    probe_coordinator = ProbeCoordinator(hass, entry, probes, tank)
    devices = dr.async_get(hass)
    controller = devices.async_get_or_create(config_entry_id=entry.entry_id, **controller_device_info(entry))
    entry.runtime_data = ReefRuntimeData(
        controller_device_id=controller.id,
        lighting=lighting,
        probes=probe_coordinator,
        simulator=Simulator(bus=bus, tank=tank),
    )
    entry.async_on_unload(lambda: async_close_boards(hass, boards))

    for board in boards:
        board.device_id = devices.async_get_or_create(
            config_entry_id=entry.entry_id, **board_device_info(entry, board)
        ).id
    await lighting.async_restore()
    await lighting.async_config_entry_first_refresh()
    await probe_coordinator.async_config_entry_first_refresh()

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_change))
    return True


async def _async_reload_on_change(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Subentries added, edited or removed change the hardware: set the controller up again."""
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> bool:
    """Remove the entities; the coordinators save and stop, and the boards close, as the entry unloads."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Forget the controller's saved channel state."""
    await Store[dict[str, Any]](hass, STORAGE_VERSION, storage_key(entry.entry_id)).async_remove()
