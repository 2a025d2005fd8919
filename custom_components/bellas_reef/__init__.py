"""Bella's Reef: Home Assistant as a reef-aquarium controller."""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any, Final
import uuid

from homeassistant.config_entries import UnknownEntry
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from . import libraries
from .ato import build_top_off
from .const import DOMAIN, STORAGE_VERSION, storage_key
from .coordinator.lighting import LightingCoordinator
from .coordinator.outlets import OutletCoordinator
from .coordinator.probes import ProbeCoordinator
from .dosers import async_build_dosers, async_setup_dosing_services
from .drivers import HardwareBuilder, async_close_hardware, async_release_gpio
from .entity import board_device_info, controller_device_info
from .hardware.simulated import SimulatedI2CBus
from .hardware.tank import ProbeKind, TankModel
from .health import update_broken_issues
from .heat import build_thermostat
from .inputs import async_build_inputs
from .lighting import Place
from .models import ReefConfigEntry, ReefRuntimeData, Simulator
from .monitor import SafetyMonitor, default_rule_options
from .outlet_drivers import OutletBuilder
from .panel import async_setup_panel
from .pump_channels import async_build_pumps
from .readings import ReadingsRecorder, async_remove_readings, open_store
from .safety import SafetyOutcome
from .services import async_setup_services
from .websocket import async_setup_websocket

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.FAN,
    Platform.LIGHT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
# What a controller saves between restarts (None: its channels), all removed with it.
STORED_PARTS: Final = (None, "outlets", "safety", "dosers", "pumps", "ato")
SIMULATORS: HassKey[dict[str, Simulator]] = HassKey(f"{DOMAIN}_simulators")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services; controllers themselves come from config entries only."""
    async_setup_services(hass)
    async_setup_dosing_services(hass)
    async_setup_websocket(hass)
    await async_setup_panel(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> bool:
    """Open the controller's boards and probes, restore its channels and start ticking."""
    if (options := default_rule_options(hass, entry)) is not None:
        hass.config_entries.async_update_entry(entry, options=options)
    built_from = _configuration(entry)
    # Simulated hardware outlives a reload, as a real board and a real tank would.
    simulator = hass.data.setdefault(SIMULATORS, {}).setdefault(
        entry.entry_id, Simulator(bus=SimulatedI2CBus(), tank=TankModel())
    )

    # The libraries of this controller's network outlets and PostgreSQL store, imported off the event loop.
    await libraries.async_load_for(hass, entry)

    async def manual_change(subentry_id: str, level: float) -> None:
        await entry.runtime_data.lighting.async_manual_change(subentry_id, level)

    hardware = await HardwareBuilder(hass, entry, simulator.bus, simulator.tank, manual_change).async_build()
    boards, channels, probes = hardware.boards, hardware.channels, hardware.probes
    entry.async_on_unload(partial(async_close_hardware, hass, hardware))
    # Reading the time zone touches the disk: do it off the event loop, once.
    place = await hass.async_add_executor_job(
        Place, entry.data[CONF_LATITUDE], entry.data[CONF_LONGITUDE], hass.config.time_zone
    )
    lighting = LightingCoordinator(hass, entry, place, boards, channels)

    def advance_tank() -> None:
        simulator.tank.advance(dt_util.utcnow(), lighting.light_power())

    probe_coordinator = ProbeCoordinator(hass, entry, probes, advance_tank)
    devices = dr.async_get(hass)
    controller = devices.async_get_or_create(config_entry_id=entry.entry_id, **controller_device_info(entry))
    outlet_builder = OutletBuilder(hass, entry, simulator.outlets)
    outlets = OutletCoordinator(hass, entry, outlet_builder.build())
    inputs, broken_inputs = await async_build_inputs(hass, entry, simulator)
    entry.async_on_unload(inputs.async_close)
    update_broken_issues(hass, entry, hardware.broken | outlet_builder.broken | broken_inputs)
    readings = ReadingsRecorder(hass, entry, open_store(hass, entry))

    dosing = await async_build_dosers(hass, entry, simulator.bus, outlets, readings)
    pumps = await async_build_pumps(hass, entry, simulator.bus, lighting, outlets)
    await pumps.async_restore()
    entry.async_on_unload(pumps.async_close)

    @callback
    def apply_safety(outcome: SafetyOutcome) -> None:
        lighting.async_apply_safety(outcome, monitor.safety_mode_lights)
        outlets.async_apply_safety(outcome.outlets)
        dosing.async_apply_safety(outcome.safety_mode)
        pumps.async_apply_safety(outcome.safety_mode)

    monitor = SafetyMonitor(hass, entry, apply_safety, readings)
    entry.runtime_data = ReefRuntimeData(
        controller_device_id=controller.id,
        lighting=lighting,
        probes=probe_coordinator,
        simulator=simulator,
        readings=readings,
        monitor=monitor,
        outlets=outlets,
        dosing=dosing,
        pumps=pumps,
        inputs=inputs,
        thermostat=build_thermostat(hass, entry, outlets, monitor),
        top_off=build_top_off(hass, entry, outlets, monitor),
    )
    thermometer = next(
        (sid for sid, probe in probe_coordinator.probes.items() if probe.kind == ProbeKind.TEMPERATURE), None
    )
    await monitor.async_start(probe_coordinator, thermometer)
    entry.async_on_unload(monitor.async_stop)
    if (thermostat := entry.runtime_data.thermostat) is not None:
        entry.async_on_unload(thermostat.async_start(probe_coordinator))

    for board in boards:
        board.device_id = devices.async_get_or_create(
            config_entry_id=entry.entry_id, **board_device_info(entry, board)
        ).id
    _remove_stale_devices(devices, entry, {controller.id, *(board.device_id for board in boards)})
    # The readings recorder listens before the first refreshes, so the first reading of every setup is stored
    # too. A database that is down does not stop the tank: the writer spools until it is back.
    await readings.async_start()
    entry.async_on_unload(readings.async_stop)
    readings.follow(entry.runtime_data)
    await lighting.async_restore()
    await lighting.async_read_outputs()
    # Reading took this controller's GPIO pins back at their level; pins of channels removed since stop now.
    await async_release_gpio(hass, entry.entry_id)
    await lighting.async_follow_weather()
    await lighting.async_compile_ahead(dt_util.utcnow())
    await lighting.async_config_entry_first_refresh()
    await probe_coordinator.async_config_entry_first_refresh()
    await inputs.async_config_entry_first_refresh()
    await outlets.async_restore()
    await outlets.async_config_entry_first_refresh()
    await dosing.async_restore()
    if (top_off := entry.runtime_data.top_off) is not None:
        await top_off.async_start()
        entry.async_on_unload(top_off.async_stop)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    monitor.async_ready()
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_change))
    if _configuration(entry) != built_from:
        # A subentry was added or changed while this setup ran (e.g. flows in quick succession): set up again.
        _schedule_reload(hass, entry)
    return True


def _schedule_reload(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Set the controller up again soon; a controller deleted before then is simply not reloaded."""
    entry_id = entry.entry_id

    async def reload() -> None:
        if hass.config_entries.async_get_entry(entry_id) is not None:
            with contextlib.suppress(UnknownEntry):
                await hass.config_entries.async_reload(entry_id)

    entry.async_cancel_retry_setup()
    hass.async_create_task(reload(), f"{DOMAIN} reload {entry.title}", eager_start=False)


async def async_migrate_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> bool:
    """1.1 → 1.2: the unique id was the tank's slugged name, which changed on every rename; make it a stable id."""
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        hass.config_entries.async_update_entry(entry, unique_id=uuid.uuid4().hex, minor_version=2)
    return True


def _remove_stale_devices(devices: dr.DeviceRegistry, entry: ReefConfigEntry, keep: set[str]) -> None:
    """Boards no channel uses any more go away (devices of removed subentries are removed by HA itself)."""
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        if device.id not in keep and device.config_subentry_id is None:
            devices.async_remove_device(device.id)


def _configuration(entry: ReefConfigEntry) -> tuple[object, ...]:
    """What the controller is set up from, to notice changes made while a setup is under way."""
    return (
        dict(entry.data),
        dict(entry.options),
        {sid: (sub.title, dict(sub.data)) for sid, sub in entry.subentries.items()},
    )


async def _async_reload_on_change(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Subentries added, edited or removed change the hardware: set the controller up again."""
    _schedule_reload(hass, entry)


async def async_unload_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> bool:
    """Remove the entities; the coordinators save and stop, and the boards close, as the entry unloads."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Forget everything the controller kept: saved channel, outlet and safety state, and simulated hardware."""
    hass.data.get(SIMULATORS, {}).pop(entry.entry_id, None)
    await async_release_gpio(hass, entry.entry_id)
    for part in STORED_PARTS:
        await Store[dict[str, Any]](hass, STORAGE_VERSION, storage_key(entry.entry_id, part)).async_remove()
    await async_remove_readings(hass, entry)
