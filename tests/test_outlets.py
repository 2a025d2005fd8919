"""Smart outlets through Home Assistant: config flows, switches, feed mode, staggered start, programs, safety.

The vendor libraries talk to fake devices on 127.0.0.1 (tests/outlets/fake_*.py); simulated outlets stand in
where the vendor does not matter.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import itertools
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigSubentry
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_OUTLET
from custom_components.bellas_reef.hardware.errors import ProbeReadError
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import SimulatedOutlet, base

from .conftest import advance, probe_subentry
from .outlets.fake_kasa import FakeKasa, XorServer
from .outlets.fake_shelly import Gen1Data, Gen1Server, Gen2Data, Gen2Server
from .outlets.fake_vesync import CloudAccount, VeSyncCloud
from .outlets.helpers import closed_port, serving


def outlet_subentry(title: str, role: str, boot_delay: float = 0, **extra: Any) -> dict[str, Any]:
    """A simulated outlet subentry."""
    return {
        "data": {"driver": "simulated", "role": role, "boot_delay": boot_delay, **extra},
        "subentry_type": SUBENTRY_OUTLET,
        "title": title,
        "unique_id": f"simulated:{title.lower().replace(' ', '_')}",
    }


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch, socket_enabled: None) -> None:
    """Devices confirm a switch within a few milliseconds here; fake devices listen on 127.0.0.1."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


@pytest.fixture
async def tank(hass: HomeAssistant) -> ReefConfigEntry:
    """A tank with a thermometer and four simulated outlets."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[
            probe_subentry("Water temperature", "temperature"),
            outlet_subentry("Heater", "heater", watts=200),
            outlet_subentry("Return pump", "return_pump", boot_delay=20),
            outlet_subentry("Skimmer", "skimmer", boot_delay=10),
            outlet_subentry("Wave maker", "powerhead"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _simulated(entry: ReefConfigEntry, title: str) -> SimulatedOutlet:
    outlet = next(o for o in entry.runtime_data.outlets.outlets.values() if o.name == title)
    assert isinstance(outlet.driver, SimulatedOutlet)
    return outlet.driver


async def _switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    await hass.services.async_call(
        "switch", "turn_on" if on else "turn_off", {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def _is_on(hass: HomeAssistant, entity_id: str) -> bool:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state == "on"


async def test_switches_power_and_rows(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """An outlet is a switch confirmed by the device; a metering one has power and energy sensors."""
    await _switch(hass, "switch.heater", True)
    assert _simulated(tank, "Heater").is_on
    assert _is_on(hass, "switch.heater")
    power = hass.states.get("sensor.heater_power")
    assert power is not None
    assert float(power.state) == 200
    assert hass.states.get("sensor.heater_energy") is not None
    assert hass.states.get("switch.heater").attributes["role"] == "heater"  # type: ignore[union-attr]
    await _switch(hass, "switch.heater", False)
    assert not _simulated(tank, "Heater").is_on

    _simulated(tank, "Heater").stuck = True
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, "switch.heater", True)
    assert err.value.translation_key == "outlet_failed"


async def test_feed_mode_restores_each_outlet(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Pumps go off for the feed, a second call extends it, and each outlet comes back exactly as it was."""
    await advance(hass, freezer, 30, steps=30)
    for entity_id, on in (("switch.return_pump", True), ("switch.skimmer", False), ("switch.heater", True)):
        await _switch(hass, entity_id, on)
    await hass.services.async_call(
        DOMAIN, "feed_mode", {"config_entry_id": tank.entry_id, "minutes": 5}, blocking=True
    )
    assert not _is_on(hass, "switch.return_pump")
    assert not _is_on(hass, "switch.skimmer")
    assert _is_on(hass, "switch.heater")
    assert _is_on(hass, "binary_sensor.reef_feed_mode")
    assert hass.states.get("switch.return_pump").attributes["held_by"] == "feed_mode"  # type: ignore[union-attr]

    await advance(hass, freezer, 4 * 60, steps=4)
    await hass.services.async_call(
        DOMAIN, "feed_mode", {"config_entry_id": tank.entry_id, "minutes": 5}, blocking=True
    )
    await advance(hass, freezer, 4 * 60, steps=4)
    assert not _is_on(hass, "switch.return_pump"), "the second call extended feed mode"
    await advance(hass, freezer, 70, steps=70)
    assert _is_on(hass, "switch.return_pump")
    assert not _is_on(hass, "switch.skimmer")
    assert _is_on(hass, "switch.heater")
    assert not _is_on(hass, "binary_sensor.reef_feed_mode")

    await hass.services.async_call(
        DOMAIN, "feed_mode", {"config_entry_id": tank.entry_id, "roles": ["heater"]}, blocking=True
    )
    assert not _is_on(hass, "switch.heater")
    await hass.services.async_call(
        DOMAIN, "feed_mode", {"config_entry_id": tank.entry_id, "stop": True}, blocking=True
    )
    assert _is_on(hass, "switch.heater")
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(DOMAIN, "feed_mode", {"config_entry_id": "nope"}, blocking=True)


async def test_staggered_power_on_after_a_restart(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """After a power cut, the outlets that should be on come back one by one, in order of their delays."""
    await advance(hass, freezer, 30, steps=30)
    for entity_id in ("switch.return_pump", "switch.skimmer", "switch.wave_maker"):
        await _switch(hass, entity_id, True)
    for title in ("Return pump", "Skimmer", "Wave maker"):
        _simulated(tank, title).press_button()
    assert await hass.config_entries.async_reload(tank.entry_id)
    await hass.async_block_till_done()
    came_on: dict[str, int] = {}
    for second in range(1, 26):
        await advance(hass, freezer, 1)
        for title in ("Return pump", "Skimmer", "Wave maker"):
            if _simulated(tank, title).is_on:
                came_on.setdefault(title, second)
    assert came_on["Wave maker"] <= 2
    assert 10 <= came_on["Skimmer"] <= 12
    assert 20 <= came_on["Return pump"] <= 22


async def test_outlet_program_cycles_and_windows(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A wave maker pulses 30 s on / 30 s off; a window keeps an outlet off outside it; bad input is refused."""
    await advance(hass, freezer, 30, steps=30)
    await hass.services.async_call(
        DOMAIN,
        "set_outlet_program",
        {ATTR_ENTITY_ID: "switch.wave_maker", "cycle_on_seconds": 30, "cycle_off_seconds": 30},
        blocking=True,
    )
    seen = []
    for _ in range(120):
        await advance(hass, freezer, 1)
        seen.append(_simulated(tank, "Wave maker").is_on)
    flips = sum(1 for a, b in itertools.pairwise(seen) if a != b)
    assert 3 <= flips <= 5
    assert 50 <= sum(seen) <= 70

    await _switch(hass, "switch.wave_maker", False)
    await advance(hass, freezer, 120, steps=120)
    assert not _simulated(tank, "Wave maker").is_on, "a manual switch holds the program for an hour"

    await hass.services.async_call(
        DOMAIN, "set_outlet_program", {ATTR_ENTITY_ID: "switch.wave_maker"}, blocking=True
    )
    assert hass.states.get("switch.wave_maker").attributes["program"] is None  # type: ignore[union-attr]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_outlet_program",
            {ATTR_ENTITY_ID: "switch.wave_maker", "windows": [{"on": "25:00", "off": "08:00"}]},
            blocking=True,
        )
    assert err.value.translation_key == "field_not_a_time"


async def test_heater_fail_safe(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """With the thermometer silent for 5 minutes the heater goes off; it comes back with the readings."""
    await _switch(hass, "switch.heater", True)
    probe = next(iter(tank.runtime_data.probes.probes.values()))
    working = probe.read

    async def silent() -> float:
        raise ProbeReadError("no answer")

    probe.read = silent
    await advance(hass, freezer, 4 * 60, steps=24)
    assert _simulated(tank, "Heater").is_on
    await advance(hass, freezer, 90, steps=9)
    assert not _simulated(tank, "Heater").is_on
    assert hass.states.get("switch.heater").attributes["held_by"] == "safety"  # type: ignore[union-attr]
    probe.read = working
    await advance(hass, freezer, 12, steps=2)
    assert _simulated(tank, "Heater").is_on


async def test_simulated_outlet_flow_and_reconfigure(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """A simulated outlet is added through the flow and renamed later; the same one twice is refused."""
    result = await hass.config_entries.subentries.async_init(
        (tank.entry_id, SUBENTRY_OUTLET), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "simulated"}
    )
    form = {"name": "ATO pump", "role": "ato", "boot_delay": 5, "watts": 12}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"driver": "simulated", "role": "ato", "boot_delay": 5.0, "watts": 12.0}
    await hass.async_block_till_done()
    subentry_id = next(sid for sid, sub in tank.subentries.items() if sub.title == "ATO pump")
    result = await tank.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Top-off", "role": "ato", "boot_delay": 30}
    )
    assert result["reason"] == "reconfigure_successful"
    assert tank.subentries[subentry_id].data["boot_delay"] == 30
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_init(
        (tank.entry_id, SUBENTRY_OUTLET), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "simulated"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**form, "name": "Heater"}
    )
    assert result["reason"] == "already_configured"


async def _outlet_flow(
    hass: HomeAssistant, entry: ReefConfigEntry, driver: str, *steps: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_OUTLET), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {"next_step_id": driver})
    for step in steps:
        result = await hass.config_entries.subentries.async_configure(result["flow_id"], step)
    await hass.async_block_till_done()
    return dict(result)


@pytest.fixture
async def kasa_strip() -> AsyncIterator[tuple[FakeKasa, int]]:
    """A fake HS300 strip speaking the legacy protocol on 127.0.0.1."""
    strip = FakeKasa()
    async with serving(XorServer(strip)) as port:
        yield strip, port


async def test_kasa_strip_socket(
    hass: HomeAssistant,
    tank: ReefConfigEntry,
    kasa_strip: tuple[FakeKasa, int],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The flow lists the strip's sockets; the switch drives the fake strip; a button press shows on the poll."""
    strip, port = kasa_strip
    result = await _outlet_flow(hass, tank, "kasa", {"host": "127.0.0.1", "port": closed_port()})
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"host": "127.0.0.1", "port": port}
    )
    assert result["step_id"] == "kasa_socket"
    labels = [option["label"] for option in result["data_schema"].schema["socket"].config["options"]]
    assert labels[:2] == ["Return pump", "Heater"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"socket": "1", "name": "Sump heater", "role": "heater", "boot_delay": 0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["socket"] == 1
    await hass.async_block_till_done()
    assert not _is_on(hass, "switch.sump_heater")
    await _switch(hass, "switch.sump_heater", True)
    assert strip.sockets[1].is_on
    assert float(hass.states.get("sensor.sump_heater_power").state) == 200  # type: ignore[union-attr]
    strip.press_button(1)
    await advance(hass, freezer, 15)
    assert not _is_on(hass, "switch.sump_heater")


async def test_shelly_gen1_relay(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """A Shelly Plug S: the flow finds its relay and the switch drives it; wrong credentials are refused."""
    device = Gen1Data(username="admin", password="coral")
    async with serving(Gen1Server(device)) as port:
        result = await _outlet_flow(
            hass, tank, "shelly", {"host": "127.0.0.1", "port": port, "username": "admin", "password": "x"}
        )
        assert result["errors"] == {"base": "invalid_auth"}
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"host": "127.0.0.1", "port": port, "username": "admin", "password": "coral"}
        )
        assert result["step_id"] == "shelly_channel"
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"name": "Skimmer plug", "role": "skimmer", "boot_delay": 0}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        await _switch(hass, "switch.skimmer_plug", False)
        assert not device.relays[0].is_on
        assert hass.config_entries.async_unload  # the entry unloads cleanly with the server still up
        assert await hass.config_entries.async_unload(tank.entry_id)


async def test_vesync_account_and_reauth(
    hass: HomeAssistant, tank: ReefConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account is entered once; its outlets are listed; a changed password asks for the new one."""
    account = CloudAccount()
    cloud = VeSyncCloud(account)
    async with serving(cloud):
        monkeypatch.setattr("custom_components.bellas_reef.outlet_drivers.VESYNC_BASE_URL", cloud.base_url)
        result = await _outlet_flow(hass, tank, "vesync", {"username": account.email, "password": "wrong"})
        assert result["errors"] == {"base": "invalid_auth"}
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"username": account.email, "password": account.password}
        )
        assert result["step_id"] == "vesync_outlet"
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {"device_id": account.plugs[0].cid, "name": "Chiller", "role": "chiller", "boot_delay": 0},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        assert tank.data["vesync"]["username"] == account.email
        await _switch(hass, "switch.chiller", True)
        assert account.plugs[0].is_on

        result = await _outlet_flow(
            hass,
            tank,
            "vesync",
            {"device_id": account.plugs[1].cid, "name": "Stirrer", "role": "other", "boot_delay": 0},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY, "the account is asked for only once"

        account.password = "new-password"
        account.token_generation += 1
        for _ in range(4):  # the cloud is read on every 4th poll
            await tank.runtime_data.outlets.async_refresh()
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["source"] for flow in flows] == ["reauth"]
        result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {"password": "bad"})
        assert result["errors"] == {"base": "invalid_auth"}
        result = await hass.config_entries.flow.async_configure(
            flows[0]["flow_id"], {"password": "new-password"}
        )
        assert result["reason"] == "reauth_successful"
        await hass.async_block_till_done()
        assert tank.data["vesync"]["password"] == "new-password"
        assert await hass.config_entries.async_unload(tank.entry_id)


async def test_adopted_ha_switch(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """An existing HA switch can be an outlet (a template switch here)."""
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"ato": {}}})
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "ATO relay",
                            "state": "{{ is_state('input_boolean.ato', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.ato"},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.ato"},
                            },
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    result = await _outlet_flow(
        hass,
        tank,
        "ha_switch",
        {"entity_id": "switch.ato_relay", "name": "Top-off", "role": "ato", "boot_delay": 0},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _switch(hass, "switch.top_off", True)
    assert hass.states.get("input_boolean.ato").state == "on"  # type: ignore[union-attr]


async def test_shelly_gen2_pushes_button_presses(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """A Gen2 Shelly tells HA about a button press at once; the press becomes the outlet's manual state."""
    device = Gen2Data()
    server = Gen2Server(device)
    async with serving(server) as port:
        result = await _outlet_flow(
            hass,
            tank,
            "shelly",
            {"host": "127.0.0.1", "port": port},
            {"name": "Return", "role": "return_pump", "boot_delay": 0},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert _is_on(hass, "switch.return")
        await server.press_button(0)
        for _ in range(50):
            await asyncio.sleep(0.01)
            if not _is_on(hass, "switch.return"):
                break
        assert not _is_on(hass, "switch.return")
        outlet = next(o for o in tank.runtime_data.outlets.outlets.values() if o.name == "Return")
        assert outlet.manual_on is False
        assert await hass.config_entries.async_unload(tank.entry_id)


async def test_flow_edges(
    hass: HomeAssistant, tank: ReefConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Kasa host with nothing on its standard port, a VeSync account without outlets, a plain simulated outlet."""
    result = await _outlet_flow(hass, tank, "kasa", {"host": "127.0.0.1"})
    assert result["errors"] == {"base": "cannot_connect"}

    cloud = VeSyncCloud(CloudAccount(plugs=[]))
    async with serving(cloud):
        monkeypatch.setattr("custom_components.bellas_reef.outlet_drivers.VESYNC_BASE_URL", cloud.base_url)
        result = await _outlet_flow(
            hass, tank, "vesync", {"username": cloud.account.email, "password": cloud.account.password}
        )
    assert result["reason"] == "no_outlets_found"

    result = await _outlet_flow(hass, tank, "simulated", {"name": "Spare", "role": "other", "boot_delay": 0})
    assert result["data"] == {"driver": "simulated", "role": "other", "boot_delay": 0.0}


async def test_safety_mode_turns_chosen_outlets_off(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """With skimmers chosen for safety mode, a pH alarm turns the skimmer off until pH is back in range."""
    result = await hass.config_entries.options.async_init(tank.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"safety_mode_lights": 100, "safety_mode_outlets": ["skimmer"], "failsafe_minutes": 5},
    )
    await hass.async_block_till_done()
    ph = probe_subentry("pH", "ph")
    hass.config_entries.async_add_subentry(tank, ConfigSubentry(**ph))
    await hass.async_block_till_done()
    await advance(hass, freezer, 30, steps=30)
    await _switch(hass, "switch.skimmer", True)
    water = tank.runtime_data.simulator.tank
    water.ph = water.ph_night = 7.5
    water.ph_day_rise = 0.0
    await advance(hass, freezer, 12, steps=12)
    assert _is_on(hass, "binary_sensor.reef_safety_mode")
    assert not _simulated(tank, "Skimmer").is_on
    water.ph = water.ph_night = 8.1
    await advance(hass, freezer, 12, steps=12)
    assert not _is_on(hass, "binary_sensor.reef_safety_mode")
    assert _simulated(tank, "Skimmer").is_on


async def test_unreachable_outlet_backs_off_and_recovers(
    hass: HomeAssistant,
    tank: ReefConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A device that stops answering goes unavailable (logged once), is tried less and less often, and returns."""
    heater = _simulated(tank, "Heater")
    calls = 0
    update = heater.update

    async def counting() -> Any:
        nonlocal calls
        calls += 1
        return await update()

    heater.update = counting  # type: ignore[method-assign]
    heater.available = False
    await advance(hass, freezer, 60, steps=4)
    assert hass.states.get("switch.heater").state == "unavailable"  # type: ignore[union-attr]
    before = calls
    await advance(hass, freezer, 10 * 60, steps=40)
    assert calls - before < 10, "backing off: far fewer than the 40 polls"
    heater.available = True
    await advance(hass, freezer, 6 * 60, steps=24)
    assert hass.states.get("switch.heater").state == "off"  # type: ignore[union-attr]
    lost = [r for r in caplog.records if r.getMessage().startswith("Heater is unavailable")]
    assert len(lost) == 1
