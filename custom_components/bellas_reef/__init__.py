"""Bella's Reef: Home Assistant as a reef-aquarium controller."""

from __future__ import annotations

from functools import partial
from typing import Any

from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .coordinator import (
    STORAGE_VERSION,
    LightingCoordinator,
    OutletCoordinator,
    ProbeCoordinator,
    ReefConfigEntry,
    ReefRuntimeData,
    Simulator,
    storage_key,
)
from .drivers import HardwareBuilder, OutletBuilder, async_close_hardware
from .entity import board_device_info, controller_device_info
from .hardware.simulated import SimulatedI2CBus
from .hardware.tank import ProbeKind, TankModel
from .lighting import Place
from .monitor import SafetyMonitor, default_rule_options
from .readings import METRIC_ON, METRIC_POWER, ReadingsRecorder, Source, open_store
from .safety import SafetyOutcome
from .services import async_setup_services
from .websocket import async_setup_websocket

PLATFORMS = [Platform.BINARY_SENSOR, Platform.LIGHT, Platform.SENSOR, Platform.SWITCH]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
SIMULATORS: HassKey[dict[str, Simulator]] = HassKey(f"{DOMAIN}_simulators")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services; controllers themselves come from config entries only."""
    async_setup_services(hass)
    async_setup_websocket(hass)
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
    probe_coordinator = ProbeCoordinator(hass, entry, probes, simulator.tank)
    devices = dr.async_get(hass)
    controller = devices.async_get_or_create(config_entry_id=entry.entry_id, **controller_device_info(entry))
    outlets = OutletCoordinator(hass, entry, OutletBuilder(hass, entry, simulator.outlets).build())
    readings = ReadingsRecorder(hass, entry, open_store(hass, entry))

    @callback
    def apply_safety(outcome: SafetyOutcome) -> None:
        lighting.async_apply_safety(outcome, monitor.safety_mode_lights)
        outlets.async_apply_safety(outcome.outlets)

    monitor = SafetyMonitor(hass, entry, apply_safety, readings)
    entry.runtime_data = ReefRuntimeData(
        controller_device_id=controller.id,
        lighting=lighting,
        probes=probe_coordinator,
        simulator=simulator,
        readings=readings,
        monitor=monitor,
        outlets=outlets,
    )
    thermometer = next(
        (sid for sid, probe in probe_coordinator.probes.items() if probe.kind == ProbeKind.TEMPERATURE), None
    )
    await monitor.async_start(probe_coordinator.probes, thermometer)

    for board in boards:
        board.device_id = devices.async_get_or_create(
            config_entry_id=entry.entry_id, **board_device_info(entry, board)
        ).id
    _remove_stale_devices(devices, entry, {controller.id, *(board.device_id for board in boards)})
    await lighting.async_restore()
    await lighting.async_read_outputs()
    await lighting.async_follow_weather()
    await lighting.async_config_entry_first_refresh()
    await probe_coordinator.async_config_entry_first_refresh()
    await outlets.async_restore()
    await outlets.async_config_entry_first_refresh()
    # A database that is down does not stop the tank: the writer spools until it is back.
    await readings.async_start()
    entry.async_on_unload(readings.async_stop)
    _record_readings(entry.runtime_data)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    monitor.async_ready()
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_change))
    if _configuration(entry) != built_from:
        # A subentry was added or changed while this setup ran (e.g. flows in quick succession): set up again.
        hass.config_entries.async_schedule_reload(entry.entry_id)
    return True


def _remove_stale_devices(devices: dr.DeviceRegistry, entry: ReefConfigEntry, keep: set[str]) -> None:
    """Boards no channel uses any more go away (devices of removed subentries are removed by HA itself)."""
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        if device.id not in keep and device.config_subentry_id is None:
            devices.async_update_device(device.id, remove_config_entry_id=entry.entry_id)


def _configuration(entry: ReefConfigEntry) -> tuple[object, ...]:
    """What the controller is set up from, to notice changes made while a setup is under way."""
    return (
        dict(entry.data),
        dict(entry.options),
        {sid: (sub.title, dict(sub.data)) for sid, sub in entry.subentries.items()},
    )


def _record_readings(runtime: ReefRuntimeData) -> None:
    """Every probe reading, and every change of a channel's level, becomes a row."""
    readings, probes, lighting, outlets = runtime.readings, runtime.probes, runtime.lighting, runtime.outlets

    @callback
    def record_probes() -> None:
        for subentry_id, value in probes.data.items():
            if value is not None:
                readings.add(Source(subentry_id, probes.probes[subentry_id].kind), value)

    @callback
    def record_levels() -> None:
        for subentry_id, channel in lighting.channels.items():
            readings.add_level(subentry_id, round(channel.target_level * 100, 4))

    @callback
    def record_outlets() -> None:
        for subentry_id, outlet in outlets.outlets.items():
            if (state := outlet.state) is not None and outlet.health.available:
                readings.add_level(subentry_id, 1.0 if state.is_on else 0.0, METRIC_ON)
                if state.power_w is not None:
                    readings.add(Source(subentry_id, METRIC_POWER), state.power_w)

    readings.listen(probes.async_add_listener, record_probes)
    readings.listen(lighting.async_add_listener, record_levels)
    readings.listen(outlets.async_add_listener, record_outlets)
    record_levels()
    record_outlets()


async def _async_reload_on_change(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Subentries added, edited or removed change the hardware: set the controller up again."""
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> bool:
    """Remove the entities; the coordinators save and stop, and the boards close, as the entry unloads."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Forget the controller's saved channel state and its simulated hardware."""
    hass.data.get(SIMULATORS, {}).pop(entry.entry_id, None)
    await Store[dict[str, Any]](hass, STORAGE_VERSION, storage_key(entry.entry_id)).async_remove()
