"""Setting a controller up, unloading, reloading and restarting it."""

from __future__ import annotations

from homeassistant.components.light import DOMAIN as LIGHT_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.hardware.simulated import SimulatedPCA9685

from .conftest import probe_subentry


async def test_unload_and_reload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Unloading removes the entities' availability and leaves no timers behind; reloading brings them back."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("light.royal_blue").state == "unavailable"  # type: ignore[union-attr]

    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get("light.royal_blue").state == "off"  # type: ignore[union-attr]


async def test_channels_restored_after_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A channel left on at some brightness comes back on at it, on the chip too, after a reload."""
    await hass.services.async_call(
        LIGHT_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: "light.white", "brightness": 77}, blocking=True
    )
    duty_before = init_integration.runtime_data.lighting.channels[
        next(sid for sid, sub in init_integration.subentries.items() if sub.title == "White")
    ].duty
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()

    state = hass.states.get("light.white")
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes["brightness"] == 77
    chip = init_integration.runtime_data.simulator.bus.device(0x40)
    assert isinstance(chip, SimulatedPCA9685)
    assert chip.output_duty(1) == duty_before


async def test_adding_a_probe_reloads_with_its_sensor(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """A subentry added to a running controller shows up as a device and a sensor without a restart."""
    subentry = probe_subentry("Redox", "orp")
    hass.config_entries.async_add_subentry(init_integration, _as_subentry(subentry))
    await hass.async_block_till_done()
    state = hass.states.get("sensor.redox")
    assert state is not None
    assert state.attributes["unit_of_measurement"] == "mV"
    entity = er.async_get(hass).async_get("sensor.redox")
    assert entity is not None
    device = device_registry.async_get(entity.device_id)  # type: ignore[arg-type]
    assert device is not None
    assert device.name == "Redox"


async def test_remove_entry_forgets_saved_state(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Removing the controller deletes its saved channel state."""
    await hass.services.async_call(
        LIGHT_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: "light.white"}, blocking=True
    )
    store = init_integration.runtime_data.lighting.store
    await store.async_save({"channels": {}})
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert await store.async_load() is None


def _as_subentry(data: object) -> object:
    from homeassistant.config_entries import ConfigSubentry

    return ConfigSubentry(**data)  # type: ignore[arg-type]


async def test_board_without_channels_is_removed(
    hass: HomeAssistant, init_integration: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """When the last channel of a board is removed, the board's device goes too; the controller stays."""
    boards = [
        device
        for device in dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
        if device.model == "PCA9685 (simulated)"
    ]
    assert len(boards) == 1
    for subentry_id, subentry in list(init_integration.subentries.items()):
        if subentry.subentry_type == "channel":
            hass.config_entries.async_remove_subentry(init_integration, subentry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get(boards[0].id) is None
    names = {
        device.name
        for device in dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    }
    assert "Display reef" in names
