"""Simulated drivers are for trying Bella's Reef: offered last, to a trial tank or on a machine without hardware."""

from __future__ import annotations

from pathlib import Path

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_CHANNEL, SUBENTRY_OUTLET, SUBENTRY_PROBE

HARDWARE = {
    SUBENTRY_CHANNEL: ["pca9685", "gpio", "ha_light"],
    SUBENTRY_PROBE: ["ds18b20", "ezo_ph", "ezo_orp", "ezo_ec", "ezo_do", "ha_sensor"],
    SUBENTRY_OUTLET: ["kasa", "shelly", "vesync", "ha_switch"],
}


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine's /dev and 1-wire tree, empty until a test adds a device node."""
    dev = tmp_path / "dev"
    dev.mkdir()
    monkeypatch.setattr("custom_components.bellas_reef.flows.buses.DEVICES_ROOT", dev)
    monkeypatch.setattr("custom_components.bellas_reef.drivers.W1_ROOT", tmp_path / "w1")
    return tmp_path


async def _offered(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> list[str]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    return list(result["menu_options"])


@pytest.fixture
async def controller(hass: HomeAssistant) -> MockConfigEntry:
    """A new controller without devices."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.mark.parametrize("node", ["dev/i2c-1", "dev/gpiochip0", "w1"])
async def test_a_controller_with_hardware_is_offered_only_real_drivers(
    hass: HomeAssistant, controller: MockConfigEntry, machine: Path, node: str
) -> None:
    """An I2C bus, a GPIO chip or a 1-wire bus makes this a controller: no simulated devices are offered."""
    (machine / node).mkdir()
    for kind, real in HARDWARE.items():
        assert await _offered(hass, controller, kind) == real


async def test_a_machine_without_hardware_offers_simulated_last(
    hass: HomeAssistant, controller: MockConfigEntry, machine: Path
) -> None:
    """Without hardware the keeper is trying Bella's Reef: the simulated driver comes after the real ones."""
    for kind, real in HARDWARE.items():
        assert await _offered(hass, controller, kind) == [*real, "simulated"]


async def test_a_trial_tank_keeps_its_simulated_drivers(
    hass: HomeAssistant, init_integration: MockConfigEntry, machine: Path
) -> None:
    """A tank that already has simulated devices is offered more, even on a machine with hardware."""
    (machine / "dev" / "i2c-1").mkdir()
    for kind, real in HARDWARE.items():
        assert await _offered(hass, init_integration, kind) == [*real, "simulated"]
