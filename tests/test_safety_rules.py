"""Safety rules in Home Assistant: defaults, alerts, lights off, safety mode, restarts and orphaned rules."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.bellas_reef.const import DOMAIN, EVENT_ALERT
from custom_components.bellas_reef.hardware.simulated import SimulatedPCA9685
from custom_components.bellas_reef.logbook import async_describe_events
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.monitor import orphan_issue_id

from .conftest import advance

TEMPERATURE_RULE = "binary_sensor.display_reef_water_temperature_high"
PH_RULE = "binary_sensor.display_reef_ph_out_of_range"
SAFETY_MODE = "binary_sensor.display_reef_safety_mode"


def _chip(entry: ReefConfigEntry, output: int) -> int:
    chip = entry.runtime_data.simulator.bus.device(0x40)
    assert isinstance(chip, SimulatedPCA9685)
    return chip.output_duty(output)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def test_default_rules_for_a_new_controller(
    hass: HomeAssistant, init_integration: ReefConfigEntry
) -> None:
    """A controller with a thermometer and a pH probe gets the 82 °F and 7.8-8.5 rules, as problem sensors."""
    rules = {rule["id"]: rule for rule in init_integration.options["rules"]}
    assert rules["temperature_high"]["condition"] == {
        "kind": "above",
        "limit": 27.8,
    }
    assert rules["ph_out_of_range"]["condition"] == {"kind": "outside", "low": 7.8, "high": 8.5}
    for entity_id in (TEMPERATURE_RULE, PH_RULE, SAFETY_MODE):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "off"
        assert state.attributes["device_class"] == "problem"


async def test_hot_water_turns_the_lights_off_and_back_on(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Past 27.8 °C the lights go dark within a tick, one alert fires, a notification shows; it all undoes."""
    events = async_capture_events(hass, EVENT_ALERT)
    await hass.services.async_call(
        DOMAIN,
        "set_program",
        {ATTR_ENTITY_ID: "light.royal_blue", "program": "static", "level": 60},
        blocking=True,
    )
    await advance(hass, freezer, 3)
    lit = _chip(init_integration, 0)
    assert lit > 0
    tank = init_integration.runtime_data.simulator.tank
    tank.temperature_c = tank.room_c = tank.heater_set_point_c = 28.4
    await advance(hass, freezer, 10)
    assert _state(hass, TEMPERATURE_RULE) == "on"
    await advance(hass, freezer, 1)
    assert _chip(init_integration, 0) == 0
    assert len(events) == 1
    assert events[0].data["state"] == "raised"
    assert events[0].data["value"] == pytest.approx(28.4, abs=0.1)
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert any("Water temperature high" in n["message"] for n in notifications.values())
    rows = await init_integration.runtime_data.readings.async_query(
        __import__("custom_components.bellas_reef.readings", fromlist=["Source"]).Source(
            "temperature_high", "alert"
        ),
        events[0].time_fired.replace(year=2000),
        events[0].time_fired.replace(year=2100),
        1,
    )
    assert rows[0].max == 1

    await advance(hass, freezer, 60, steps=6)
    assert len(events) == 1
    tank.temperature_c = tank.room_c = tank.heater_set_point_c = 27.6
    await advance(hass, freezer, 10)
    assert _state(hass, TEMPERATURE_RULE) == "on", "27.6 °C is inside the 0.3 °C hysteresis"
    tank.temperature_c = tank.room_c = tank.heater_set_point_c = 27.3
    await advance(hass, freezer, 10)
    assert _state(hass, TEMPERATURE_RULE) == "off"
    await advance(hass, freezer, 3)
    assert _chip(init_integration, 0) == lit
    assert [event.data["state"] for event in events] == ["raised", "cleared"]
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert not any("Water temperature high" in n["message"] for n in notifications.values())


async def test_ph_out_of_range_enters_and_leaves_safety_mode(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """pH below 7.8 raises its rule and safety mode; back in range, both clear."""
    tank = init_integration.runtime_data.simulator.tank
    tank.ph = tank.ph_night = 7.6
    tank.ph_day_rise = 0.0
    await advance(hass, freezer, 10)
    assert _state(hass, PH_RULE) == "on"
    assert _state(hass, SAFETY_MODE) == "on"
    tank.ph = tank.ph_night = 8.1
    await advance(hass, freezer, 10)
    assert _state(hass, PH_RULE) == "off"
    assert _state(hass, SAFETY_MODE) == "off"


async def test_raised_rules_survive_a_restart_without_a_second_alert(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A rule raised before a restart is raised after it, and does not announce itself again."""
    events = async_capture_events(hass, EVENT_ALERT)
    tank = init_integration.runtime_data.simulator.tank
    tank.temperature_c = tank.room_c = tank.heater_set_point_c = 29.0
    await advance(hass, freezer, 10)
    await advance(hass, freezer, 2)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 10)
    assert _state(hass, TEMPERATURE_RULE) == "on"
    assert len(events) == 1


async def test_us_customary_defaults_are_82_fahrenheit(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """A keeper working in °F gets 82 °F, stored in the probe's °C."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    rule = next(r for r in mock_config_entry.options["rules"] if r["id"] == "temperature_high")
    assert rule["condition"]["limit"] == pytest.approx((82 - 32) * 5 / 9)


async def test_rule_without_its_probe_is_a_repair_issue(hass: HomeAssistant) -> None:
    """A rule whose probe was removed is not evaluated and shows as a repair issue."""
    rule: dict[str, Any] = {
        "id": "salt_low",
        "name": "Salinity low",
        "probe": "gone",
        "condition": {"kind": "below", "limit": 33},
        "actions": {"notify": True},
        "hysteresis": 0.2,
    }
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 1.0, "longitude": 2.0},
        options={"rules": [rule], "defaults_applied": ["temperature", "ph"]},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, orphan_issue_id(entry.entry_id, "salt_low")) is not None
    assert hass.states.get("binary_sensor.reef_salinity_low") is None


async def test_logbook_describes_alerts(hass: HomeAssistant) -> None:
    """The logbook line names the tank, the rule, the value and the limit."""
    described: dict[str, Any] = {}
    async_describe_events(hass, lambda domain, event, describe: described.update({event: describe}))
    entry = described[EVENT_ALERT](
        Event(
            EVENT_ALERT,
            {"controller": "Reef", "name": "Hot", "state": "raised", "value": 28.1, "limit": 27.8},
        )
    )
    assert entry == {"name": "Reef: Hot", "message": "raised at 28.1 (limit 27.8)"}
