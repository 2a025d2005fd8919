"""The controller's options: safety rules added, edited and removed, and what safety mode does."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry


def _probe(entry: MockConfigEntry, title: str) -> str:
    return next(sid for sid, sub in entry.subentries.items() if sub.title == title)


async def _open(hass: HomeAssistant, entry: MockConfigEntry, choice: str) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    return dict(
        await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": choice})
    )


async def test_add_a_rule_with_actions(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A rate rule with hysteresis, a derate and outlet actions is stored and becomes a problem sensor."""
    result = await _open(hass, init_integration, "add_rule")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": " ", "probe": _probe(init_integration, "pH"), "condition": "rate"}
    )
    assert result["errors"] == {"name": "name_required"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "pH swinging", "probe": _probe(init_integration, "pH"), "condition": "rate"},
    )
    assert result["step_id"] == "rule_details"
    details = {
        "max_per_hour": 0.3,
        "window_minutes": 30,
        "hysteresis": 0.05,
        "lights_off": False,
        "notify": True,
        "safety_mode": False,
        "outlets_off": ["skimmer"],
        "outlets_on": ["powerhead"],
        "derate_span": 0.2,
        "derate_floor": 40,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], details | {"hysteresis": 0.5}
    )
    assert result["errors"] == {"base": "hysteresis_too_wide"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], details)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    rule = next(rule for rule in init_integration.options["rules"] if rule["id"] == "ph_swinging")
    assert rule["condition"] == {"kind": "rate", "max_per_hour": 0.3, "window_minutes": 30}
    assert rule["actions"]["outlets"] == {"skimmer": "off", "powerhead": "on"}
    assert rule["actions"]["derate_lights"] == {"span": 0.2, "floor": 0.4}
    assert hass.states.get("binary_sensor.display_reef_ph_swinging") is not None

    result = await _open(hass, init_integration, "edit_rule")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"rule": "ph_swinging"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "pH swinging", "probe": _probe(init_integration, "pH"), "condition": "rate"},
    )
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested["derate_floor"] == 40
    assert suggested["outlets_off"] == ["skimmer"]
    assert suggested["window_minutes"] == 30


async def test_edit_a_rule_in_fahrenheit(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A keeper on °F sees and edits the temperature rule in °F; it is stored in °C."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    result = await _open(hass, init_integration, "edit_rule")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"rule": "temperature_high"}
    )
    assert result["step_id"] == "rule"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Too warm", "probe": _probe(init_integration, "Water temperature"), "condition": "above"},
    )
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested["limit"] == pytest.approx(82.04, abs=0.01)
    assert result["description_placeholders"]["unit"] == "°F"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "limit": 84,
            "hysteresis": 1,
            "lights_off": True,
            "notify": True,
            "safety_mode": False,
            "derate_floor": 0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    rule = next(rule for rule in init_integration.options["rules"] if rule["id"] == "temperature_high")
    assert rule["name"] == "Too warm"
    assert rule["condition"]["limit"] == pytest.approx((84 - 32) * 5 / 9)
    assert rule["hysteresis"] == pytest.approx(5 / 9)


async def test_change_a_rule_to_stale_and_remove_rules(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A rule switched to a stale condition drops its hysteresis; rules can be removed; settings are kept."""
    result = await _open(hass, init_integration, "edit_rule")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"rule": "ph_out_of_range"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "pH silent", "probe": _probe(init_integration, "pH"), "condition": "stale"},
    )
    assert "hysteresis" not in {str(key) for key in result["data_schema"].schema}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"minutes": 15, "lights_off": False, "notify": True, "safety_mode": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    rule = next(rule for rule in init_integration.options["rules"] if rule["id"] == "ph_out_of_range")
    assert rule["condition"] == {"kind": "stale", "minutes": 15}

    result = await _open(hass, init_integration, "settings")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"safety_mode_lights": 20})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.runtime_data.monitor.safety_mode_lights == 0.2

    result = await _open(hass, init_integration, "remove_rule")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"rules": ["ph_out_of_range", "temperature_high"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["rules"] == []
    assert init_integration.options["safety_mode_lights"] == 20
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["menu_options"] == ["add_rule", "settings", "thermostat", "ato", "history"]


async def test_new_rule_names_do_not_collide(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A second rule with the name of an existing one gets its own id."""
    for _ in range(2):
        result = await _open(hass, init_integration, "add_rule")
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {"name": "Water temperature high", "probe": _probe(init_integration, "pH"), "condition": "below"},
        )
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                "limit": 7.5,
                "hysteresis": 0,
                "lights_off": False,
                "notify": False,
                "safety_mode": False,
                "derate_floor": 0,
            },
        )
        await hass.async_block_till_done()
    ids = [rule["id"] for rule in init_integration.options["rules"]]
    assert {"water_temperature_high", "water_temperature_high_2"} <= set(ids)
