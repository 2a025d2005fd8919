"""Safety rules on binary sensors in Home Assistant: a leak stops the return pump and the top-off, then restores them."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.bellas_reef.const import DOMAIN, EVENT_ALERT
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import base
from custom_components.bellas_reef.outlets.simulated import SimulatedOutlet
from custom_components.bellas_reef.safety import OnFor, Rule, leak_rule, rules_to_list

from .conftest import advance, probe_subentry
from .test_outlets import outlet_subentry

LEAK = "binary_sensor.sump_leak"
FLOAT = "binary_sensor.ato_float_low"


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated outlets confirm a switch within a few milliseconds here."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


@pytest.fixture
async def tank(hass: HomeAssistant) -> ReefConfigEntry:
    """A tank with a leak sensor and a float switch watched by rules, and three simulated outlets."""
    hass.states.async_set(LEAK, "off", {"device_class": "moisture"})
    hass.states.async_set(FLOAT, "off")
    rules = [
        leak_rule("sump_leak", "Sump leak", LEAK),
        Rule("float_stuck", "Float stuck low", FLOAT, OnFor(600)),
    ]
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        options={"rules": rules_to_list(rules), "defaults_applied": ["temperature"]},
        subentries_data=[
            probe_subentry("Water temperature", "temperature"),
            outlet_subentry("Return pump", "return_pump"),
            outlet_subentry("Top-off", "ato"),
            outlet_subentry("Skimmer", "skimmer"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for entity_id in ("switch.return_pump", "switch.top_off", "switch.skimmer"):
        await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: entity_id}, blocking=True)
    await hass.async_block_till_done()
    return entry


def _on(entry: ReefConfigEntry) -> dict[str, bool]:
    """Which simulated outlets are powered, by name."""
    powered: dict[str, bool] = {}
    for outlet in entry.runtime_data.outlets.outlets.values():
        assert isinstance(outlet.driver, SimulatedOutlet)
        powered[outlet.name] = outlet.driver.is_on
    return powered


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def test_a_leak_cuts_the_return_pump_and_top_off_within_a_tick_and_restores_them(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Wet: pump and top-off off at once, the skimmer left alone, one alert and a notification; dry: all back."""
    events = async_capture_events(hass, EVENT_ALERT)
    assert _on(tank) == {"Return pump": True, "Top-off": True, "Skimmer": True}
    hass.states.async_set(LEAK, "on", {"device_class": "moisture"})
    await advance(hass, freezer, 1)
    assert _on(tank) == {"Return pump": False, "Top-off": False, "Skimmer": True}
    assert _state(hass, "binary_sensor.reef_sump_leak") == "on"
    assert [(event.data["rule_id"], event.data["state"], event.data["condition"]) for event in events] == [
        ("sump_leak", "raised", "on")
    ]
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert any(n["message"].startswith("Sump leak") for n in notifications.values())
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: "switch.return_pump"}, blocking=True)
    await advance(hass, freezer, 5, steps=5)
    assert not _on(tank)["Return pump"], "the rule holds the pump off against the keeper's switch"

    hass.states.async_set(LEAK, "off", {"device_class": "moisture"})
    await advance(hass, freezer, 1)
    assert _on(tank) == {"Return pump": True, "Top-off": True, "Skimmer": True}
    assert [event.data["state"] for event in events] == ["raised", "cleared"]
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert not any(n["message"].startswith("Sump leak") for n in notifications.values())


async def test_an_unavailable_leak_sensor_keeps_the_pump_as_it_was(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A sensor that drops out says nothing: the rule neither raises nor clears."""
    hass.states.async_set(LEAK, "unavailable")
    await advance(hass, freezer, 5)
    assert _on(tank)["Return pump"]
    hass.states.async_set(LEAK, "on")
    await advance(hass, freezer, 1)
    hass.states.async_remove(LEAK)
    await advance(hass, freezer, 5)
    assert not _on(tank)["Return pump"], "a wet sensor that vanished keeps the pump off"
    hass.states.async_set(LEAK, "off")
    await advance(hass, freezer, 1)
    assert _on(tank)["Return pump"]


async def test_on_for_raises_after_its_period_on_the_clock(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A float switch low for ten minutes raises its rule on the safety timer, with no further state change."""
    hass.states.async_set(FLOAT, "on")
    await advance(hass, freezer, 599, steps=10)
    assert _state(hass, "binary_sensor.reef_float_stuck_low") == "off"
    await advance(hass, freezer, 2, steps=2)
    assert _state(hass, "binary_sensor.reef_float_stuck_low") == "on"
    hass.states.async_set(FLOAT, "off")
    await advance(hass, freezer, 1)
    assert _state(hass, "binary_sensor.reef_float_stuck_low") == "off"


async def test_rules_on_binary_sensors_are_never_orphaned(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """A binary sensor is an HA entity that may load later than the controller: no repair issue for it."""
    issues = ir.async_get(hass).issues
    assert not [key for key in issues if key[1].startswith("rule_orphaned_")]
    assert tank.runtime_data.monitor.engine.orphaned == ()
