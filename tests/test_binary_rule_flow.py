"""The options flow's rule editor with binary sensors: leak, lid and float rules, and the leak suggestion."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .test_options_flow import _open, _probe

LEAK = "binary_sensor.sump_leak"
LID = "binary_sensor.lid"

ACTIONS = {"lights_off": False, "notify": True, "safety_mode": False}


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


def _fields(result: dict[str, Any]) -> set[str]:
    return {str(key) for key in result["data_schema"].schema}


async def test_a_leak_rule_is_suggested_and_stored(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A wet-means-on moisture sensor gets the leak actions suggested: return pump and top-off off, notify."""
    hass.states.async_set(LEAK, "off", {"device_class": "moisture", "friendly_name": "Sump leak"})
    result = await _open(hass, init_integration, "add_rule")
    options = result["data_schema"].schema["probe"].config["options"]
    assert {"value": LEAK, "label": f"Sump leak ({LEAK})"} in options
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Sump leak", "probe": LEAK, "condition": "on"}
    )
    assert result["step_id"] == "rule_details"
    assert not {"hysteresis", "derate_span", "derate_floor"} & _fields(result)
    suggested = _suggested(result)
    assert suggested["outlets_off"] == ["ato", "return_pump"]
    assert suggested["notify"] is True
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], ACTIONS | {"outlets_off": ["ato", "return_pump"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    rule = next(rule for rule in init_integration.options["rules"] if rule["id"] == "sump_leak")
    assert rule["probe"] == LEAK
    assert rule["condition"] == {"kind": "on"}
    assert rule["actions"]["outlets"] == {"ato": "off", "return_pump": "off"}
    assert hass.states.get("binary_sensor.display_reef_sump_leak") is not None

    result = await _open(hass, init_integration, "edit_rule")
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"rule": "sump_leak"})
    assert _suggested(result)["probe"] == LEAK
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Sump leak", "probe": LEAK, "condition": "on"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], ACTIONS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    rule = next(rule for rule in init_integration.options["rules"] if rule["id"] == "sump_leak")
    assert rule["actions"]["outlets"] == {}, "the keeper's answer, not the suggestion, is stored"


async def test_nothing_is_suggested_for_other_sensors_or_conditions(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A lid switch, or a leak sensor watched for being off, gets no leak actions suggested."""
    hass.states.async_set(LID, "on", {"device_class": "opening"})
    hass.states.async_set(LEAK, "off", {"device_class": "moisture"})
    for probe, condition in ((LID, "on"), (LEAK, "off")):
        result = await _open(hass, init_integration, "add_rule")
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"name": "Watch", "probe": probe, "condition": condition}
        )
        assert _suggested(result)["outlets_off"] == []


async def test_on_for_takes_whole_seconds(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A float switch low for 90 s; a period of 0 s is refused with a translated error and nothing stored."""
    hass.states.async_set(LID, "off")
    before = init_integration.options["rules"]
    result = await _open(hass, init_integration, "add_rule")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Float stuck", "probe": LID, "condition": "on_for"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], ACTIONS | {"seconds": 0})
    assert result["errors"] == {"base": "out_of_range"}
    assert init_integration.options["rules"] == before
    result = await hass.config_entries.options.async_configure(result["flow_id"], ACTIONS | {"seconds": 90})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    rule = next(rule for rule in init_integration.options["rules"] if rule["id"] == "float_stuck")
    assert rule["condition"] == {"kind": "on_for", "seconds": 90}
    assert rule["hysteresis"] == 0


async def test_conditions_must_fit_what_they_watch(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An on/off condition on a probe, or a limit on a binary sensor, is refused on the condition field."""
    hass.states.async_set(LID, "off")
    result = await _open(hass, init_integration, "add_rule")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Odd", "probe": _probe(init_integration, "pH"), "condition": "on"}
    )
    assert result["errors"] == {"condition": "condition_needs_binary_sensor"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Odd", "probe": LID, "condition": "above"}
    )
    assert result["errors"] == {"condition": "condition_needs_probe"}
    assert result["step_id"] == "add_rule"
