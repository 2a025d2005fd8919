"""System health info."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, get_system_health_info


async def test_system_health(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The info page counts the tank's devices and names the store."""
    assert await async_setup_component(hass, "system_health", {})
    await hass.async_block_till_done()
    info = await get_system_health_info(hass, "bellas_reef")
    assert info == {
        "controllers": 1,
        "channels": 2,
        "probes": 2,
        "outlets": 0,
        "readings_stores": "embedded SQLite",
        "readings_backlog": info["readings_backlog"],
        "raised_rules": 0,
        "unavailable_devices": "none",
    }
