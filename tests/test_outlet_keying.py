"""Each outlet switches its own device, even when two devices answer at one address on different ports.

Two fake Kasa plugs and two fake Shelly plugs listen on 127.0.0.1; the outlets are added through the config
flow, as a keeper would, and driven through Home Assistant's switch service.
"""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_OUTLET
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import base

from .outlets.fake_kasa import FakeKasa, KasaSocketData, XorServer
from .outlets.fake_shelly import Gen1Data, Gen1Server, Relay
from .outlets.helpers import serving

HOST = "127.0.0.1"


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch, socket_enabled: None) -> None:
    """Devices confirm a switch within milliseconds here; fake devices listen on 127.0.0.1."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


@pytest.fixture
async def tank(hass: HomeAssistant) -> ReefConfigEntry:
    """A controller without outlets yet."""
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


async def _add_outlet(
    hass: HomeAssistant,
    entry: ReefConfigEntry,
    driver: str,
    port: int,
    name: str,
    role: str,
    **choice: str,
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_OUTLET), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {"next_step_id": driver})
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"host": HOST, "port": port}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**choice, "name": name, "role": role, "boot_delay": 0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def _switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    await hass.services.async_call(
        "switch", "turn_on" if on else "turn_off", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _kasa_plug(mac: str, alias: str, is_on: bool, watts: float) -> FakeKasa:
    return FakeKasa(
        model="KP115(EU)", mac=mac, alias=alias, strip=False, sockets=[KasaSocketData(alias, is_on, watts)]
    )


async def test_two_kasa_plugs_at_one_address(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """Two plugs behind one address: each switch reads and drives its own plug, never the other."""
    heater = _kasa_plug("54:AF:97:00:00:01", "Heater plug", is_on=False, watts=200.0)
    pump = _kasa_plug("54:AF:97:00:00:02", "Pump plug", is_on=True, watts=38.0)
    async with serving(XorServer(heater)) as heater_port, serving(XorServer(pump)) as pump_port:
        await _add_outlet(hass, tank, "kasa", heater_port, "Heater", "heater")
        await _add_outlet(hass, tank, "kasa", pump_port, "Return pump", "return_pump")
        assert _state(hass, "switch.heater") == "off"
        assert _state(hass, "switch.return_pump") == "on"
        assert float(_state(hass, "sensor.return_pump_power")) == 38.0

        await _switch(hass, "switch.return_pump", False)
        assert not pump.sockets[0].is_on
        assert not heater.sockets[0].is_on
        await _switch(hass, "switch.heater", True)
        assert heater.sockets[0].is_on
        assert not pump.sockets[0].is_on
        assert _state(hass, "switch.heater") == "on"
        assert _state(hass, "switch.return_pump") == "off"
        assert float(_state(hass, "sensor.heater_power")) == 200.0
        assert await hass.config_entries.async_unload(tank.entry_id)


async def test_sockets_of_one_strip_share_its_connection(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """Two sockets of one strip are still one device: one read of the strip serves both."""
    strip = FakeKasa()
    async with serving(XorServer(strip)) as port:
        await _add_outlet(hass, tank, "kasa", port, "Return pump", "return_pump", socket="0")
        await _add_outlet(hass, tank, "kasa", port, "Heater", "heater", socket="1")
        reads = strip.reads
        await tank.runtime_data.outlets.async_refresh()
        assert strip.reads == reads + 1
        await _switch(hass, "switch.heater", True)
        assert [socket.is_on for socket in strip.sockets[:2]] == [True, True]
        await _switch(hass, "switch.return_pump", False)
        assert [socket.is_on for socket in strip.sockets[:2]] == [False, True]
        assert await hass.config_entries.async_unload(tank.entry_id)


async def test_two_shelly_plugs_at_one_address(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """The same for two Shelly plugs, whose relays are both channel 0."""
    skimmer = Gen1Data(mac="E868E7000001", name="Skimmer", relays=[Relay("Skimmer", True, 17.5)])
    light = Gen1Data(mac="E868E7000002", name="Fuge light", relays=[Relay("Fuge light", False, 24.0)])
    async with serving(Gen1Server(skimmer)) as skimmer_port, serving(Gen1Server(light)) as light_port:
        await _add_outlet(hass, tank, "shelly", skimmer_port, "Skimmer", "skimmer")
        await _add_outlet(hass, tank, "shelly", light_port, "Refugium light", "light")
        assert _state(hass, "switch.skimmer") == "on"
        assert _state(hass, "switch.refugium_light") == "off"

        await _switch(hass, "switch.refugium_light", True)
        assert light.relays[0].is_on
        assert skimmer.relays[0].is_on
        await _switch(hass, "switch.skimmer", False)
        assert not skimmer.relays[0].is_on
        assert light.relays[0].is_on
        assert _state(hass, "switch.refugium_light") == "on"
        assert await hass.config_entries.async_unload(tank.entry_id)
