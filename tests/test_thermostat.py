"""The water thermostat in Home Assistant, in °C and °F.

Heating, cooling and ranges, minimum times, safety first, heater alerts, and the fail-safe for a silent probe.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.climate.const import HVACAction, HVACMode
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.bellas_reef.const import CONF_DRIVER, CONF_KIND, DOMAIN, EVENT_ALERT, SUBENTRY_PROBE
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import base
from custom_components.bellas_reef.outlets.simulated import SimulatedOutlet
from custom_components.bellas_reef.safety import Above, Actions, Rule, rules_to_list

from .conftest import advance
from .test_outlets import outlet_subentry

CLIMATE = "climate.reef_water_thermostat"
PROBE = "probe_temperature"
THERMOSTAT = {
    "probe": PROBE,
    "hysteresis": 0.2,
    "min_on": 60.0,
    "min_off": 120.0,
    "watch_minutes": 30,
    "watch_rise": 0.3,
}


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated outlets confirm a switch within a few milliseconds here."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


async def _setup(hass: HomeAssistant, **options: Any) -> ReefConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        options={"thermostat": THERMOSTAT, "defaults_applied": ["temperature"], **options},
        subentries_data=[
            ConfigSubentryData(  # type: ignore[typeddict-unknown-key]
                data={CONF_DRIVER: "simulated", CONF_KIND: "temperature"},
                subentry_type=SUBENTRY_PROBE,
                title="Water temperature",
                unique_id="simulated:temperature",
                subentry_id=PROBE,
            ),
            outlet_subentry("Heater", "heater"),
            outlet_subentry("Chiller", "chiller"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _water(entry: ReefConfigEntry, celsius: float) -> None:
    """Hold the simulated water at `celsius` (room and the tank's own heater agree, so it stays there)."""
    tank = entry.runtime_data.simulator.tank
    tank.temperature_c = tank.room_c = tank.heater_set_point_c = celsius


def _outlets(entry: ReefConfigEntry) -> tuple[bool, bool]:
    powered = {}
    for outlet in entry.runtime_data.outlets.outlets.values():
        assert isinstance(outlet.driver, SimulatedOutlet)
        powered[outlet.name] = outlet.driver.is_on
    return powered["Heater"], powered["Chiller"]


def _climate(hass: HomeAssistant) -> Any:
    state = hass.states.get(CLIMATE)
    assert state is not None
    return state


async def _call(hass: HomeAssistant, service: str, **data: Any) -> None:
    await hass.services.async_call("climate", service, {ATTR_ENTITY_ID: CLIMATE, **data}, blocking=True)


async def test_heat_cycles_around_the_target_with_hysteresis_and_minimum_times(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Below target − 0.2 °C the heater comes on; above target + 0.2 °C it goes off once it has run a minute."""
    entry = await _setup(hass)
    assert _climate(hass).state == HVACMode.OFF
    _water(entry, 25.0)
    await _call(hass, "set_temperature", temperature=25.5, hvac_mode=HVACMode.HEAT)
    await advance(hass, freezer, 10)
    assert _outlets(entry) == (True, False)
    state = _climate(hass)
    assert state.attributes["hvac_action"] == HVACAction.HEATING
    assert state.attributes["temperature"] == 25.5
    assert state.attributes["current_temperature"] == pytest.approx(25.0, abs=0.02)
    assert hass.states.get("switch.heater").attributes["held_by"] == "thermostat"  # type: ignore[union-attr]

    _water(entry, 25.8)
    await advance(hass, freezer, 30, steps=3)
    assert _outlets(entry) == (True, False), "the heater runs its minimum minute"
    await advance(hass, freezer, 40, steps=4)
    assert _outlets(entry) == (False, False)
    assert _climate(hass).attributes["hvac_action"] == HVACAction.IDLE

    _water(entry, 25.4)
    await advance(hass, freezer, 30, steps=3)
    assert _outlets(entry) == (False, False), "inside the hysteresis"
    _water(entry, 25.2)
    await advance(hass, freezer, 60, steps=6)
    assert _outlets(entry) == (False, False), "the heater rests its two minutes"
    await advance(hass, freezer, 60, steps=6)
    assert _outlets(entry) == (True, False)

    await _call(hass, "turn_off")
    await advance(hass, freezer, 60, steps=6)
    assert _outlets(entry) == (False, False)
    assert _climate(hass).state == HVACMode.OFF


async def test_fahrenheit_cooling_and_a_range(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A keeper on °F sets 78 °F; cool runs the chiller; heat_cool keeps 77–79 °F with both outlets."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    entry = await _setup(hass)
    _water(entry, 26.5)  # 79.7 °F
    await _call(hass, "set_temperature", temperature=78, hvac_mode=HVACMode.COOL)
    await advance(hass, freezer, 10)
    state = _climate(hass)
    assert state.attributes["temperature"] == 78
    assert state.attributes["current_temperature"] == 80, "shown in whole °F"
    assert entry.runtime_data.thermostat is not None
    assert entry.runtime_data.thermostat.thermostat.target == pytest.approx(25.56, abs=0.01)
    assert _outlets(entry) == (False, True)
    assert state.attributes["hvac_action"] == HVACAction.COOLING

    await _call(
        hass, "set_temperature", target_temp_low=77, target_temp_high=79, hvac_mode=HVACMode.HEAT_COOL
    )
    _water(entry, 24.7)  # 76.5 °F
    await advance(hass, freezer, 130, steps=13)
    assert _outlets(entry) == (True, False)
    state = _climate(hass)
    assert (state.attributes["target_temp_low"], state.attributes["target_temp_high"]) == (77, 79)
    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, "set_temperature", target_temp_low=78, target_temp_high=78.5)
    assert caught.value.translation_key == "thermostat_range_too_narrow"


async def test_safety_wins_over_the_thermostat(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A rule holding the heater off at 25.2 °C keeps it off while the thermostat wants heat."""
    rule = Rule("warm", "Warm enough", PROBE, Above(25.2), Actions(outlets={"heater": False}))
    entry = await _setup(hass, rules=rules_to_list([rule]))
    _water(entry, 25.3)
    await _call(hass, "set_temperature", temperature=26.0, hvac_mode=HVACMode.HEAT)
    await advance(hass, freezer, 10)
    assert _climate(hass).attributes["hvac_action"] == HVACAction.HEATING
    assert _outlets(entry) == (False, False)
    assert hass.states.get("switch.heater").attributes["held_by"] == "safety"  # type: ignore[union-attr]
    _water(entry, 25.0)
    await advance(hass, freezer, 10)
    assert _outlets(entry) == (True, False)


async def test_heater_not_heating_fires_once_and_clears(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Half an hour of heating without 0.3 °C of warming: one alert and a notification, gone once it warms."""
    entry = await _setup(hass)
    events = async_capture_events(hass, EVENT_ALERT)
    _water(entry, 24.0)
    await _call(hass, "set_temperature", temperature=25.5, hvac_mode=HVACMode.HEAT)
    await advance(hass, freezer, 1860, steps=62)
    alerts = [(event.data["rule_id"], event.data["state"]) for event in events]
    assert alerts == [("heater_not_heating", "raised")]
    assert _climate(hass).attributes["heater_not_heating"] is True
    await advance(hass, freezer, 300, steps=30)
    assert len(events) == 1
    _water(entry, 24.4)
    await advance(hass, freezer, 10)
    assert [(event.data["rule_id"], event.data["state"]) for event in events][-1] == (
        "heater_not_heating",
        "cleared",
    )
    assert len(events) == 2


async def test_heater_stuck_on_fires_once_and_clears(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Water warming 0.3 °C in half an hour with the heater commanded off: "heater stuck on", then clear."""
    entry = await _setup(hass)
    events = async_capture_events(hass, EVENT_ALERT)
    _water(entry, 26.0)
    await _call(hass, "set_temperature", temperature=25.0, hvac_mode=HVACMode.HEAT)
    for step in range(1, 37):
        _water(entry, 26.0 + 0.01 * step)
        await advance(hass, freezer, 60, steps=6)
    assert [(event.data["rule_id"], event.data["state"]) for event in events] == [
        ("heater_stuck_on", "raised")
    ]
    assert _climate(hass).attributes["heater_stuck_on"] is True
    await advance(hass, freezer, 1900, steps=190)
    assert [event.data["state"] for event in events] == ["raised", "cleared"]


@pytest.mark.parametrize("opted_in", [True, False])
async def test_heater_stuck_on_puts_the_tank_in_safety_mode_when_asked(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, opted_in: bool
) -> None:
    """With the option, "heater stuck on" holds safety mode (its outlets off) until the water stops warming."""
    entry = await _setup(
        hass,
        thermostat=THERMOSTAT | {"stuck_safety_mode": opted_in},
        safety_mode_outlets=["chiller"],
    )
    _water(entry, 26.0)
    await _call(hass, "set_temperature", temperature=25.0, hvac_mode=HVACMode.HEAT)
    for step in range(1, 37):
        _water(entry, 26.0 + 0.01 * step)
        await advance(hass, freezer, 60, steps=6)
    safety_mode = hass.states.get("binary_sensor.reef_safety_mode")
    assert safety_mode is not None
    assert safety_mode.state == ("on" if opted_in else "off")
    await advance(hass, freezer, 1900, steps=190)
    assert hass.states.get("binary_sensor.reef_safety_mode").state == "off"  # type: ignore[union-attr]


async def test_a_silent_probe_turns_the_heater_off_through_the_fail_safe(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The thermostat keeps its command without readings; the safety fail-safe, one mechanism, turns it off."""
    entry = await _setup(hass, failsafe_minutes=2)
    _water(entry, 24.0)
    await _call(hass, "set_temperature", temperature=25.5, hvac_mode=HVACMode.HEAT)
    await advance(hass, freezer, 10)
    assert _outlets(entry) == (True, False)

    async def broken() -> float:
        raise OSError("probe unplugged")

    entry.runtime_data.probes.probes[PROBE].read = broken
    await advance(hass, freezer, 60, steps=6)
    assert _outlets(entry) == (True, False)
    await advance(hass, freezer, 70, steps=7)
    assert entry.runtime_data.monitor.failsafe_tripped
    assert _outlets(entry) == (False, False)


async def test_restart_keeps_mode_and_targets(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Mode and targets come back after a reload."""
    entry = await _setup(hass)
    await _call(hass, "set_temperature", temperature=25.8, hvac_mode=HVACMode.HEAT)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    state = _climate(hass)
    assert state.state == HVACMode.HEAT
    assert state.attributes["temperature"] == 25.8


async def test_turn_on_heats_and_modes_switch(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Turn on means heat; a mode can be set on its own."""
    entry = await _setup(hass)
    _water(entry, 27.0)
    await _call(hass, "turn_on")
    assert _climate(hass).state == HVACMode.HEAT
    await _call(hass, "set_hvac_mode", hvac_mode=HVACMode.COOL)
    await advance(hass, freezer, 10)
    assert _climate(hass).state == HVACMode.COOL
    assert _outlets(entry) == (False, True)


async def test_unusable_stored_settings_leave_the_tank_without_a_thermostat(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Settings edited out of range by hand: the controller still loads, without a thermostat, and says why."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        options={"thermostat": THERMOSTAT | {"hysteresis": 50}, "defaults_applied": ["temperature"]},
        subentries_data=[
            ConfigSubentryData(  # type: ignore[typeddict-unknown-key]
                data={CONF_DRIVER: "simulated", CONF_KIND: "temperature"},
                subentry_type=SUBENTRY_PROBE,
                title="Water temperature",
                unique_id="simulated:temperature",
                subentry_id=PROBE,
            ),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.thermostat is None
    assert hass.states.get(CLIMATE) is None
    assert "thermostat's settings cannot be used" in caplog.text
