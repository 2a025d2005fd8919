"""The options step that adds, changes and removes the auto top-off."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN

from .conftest import probe_subentry
from .test_options_flow import _open
from .test_outlets import outlet_subentry

FLOAT = "binary_sensor.sump_float"
RESERVOIR = "binary_sensor.reservoir_float"
FORM: dict[str, Any] = {
    "enabled": True,
    "level_sensor": FLOAT,
    "low_when": "off",
    "empty_when": "on",
    "debounce": 15,
    "max_fill": 90,
    "max_fills_per_day": 12,
    "max_run_per_day": 10,
}


async def _controller(hass: HomeAssistant, *outlets: dict[str, Any]) -> MockConfigEntry:
    hass.states.async_set(FLOAT, "on")
    hass.states.async_set(RESERVOIR, "off")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        options={"defaults_applied": ["temperature"]},
        subentries_data=[probe_subentry("Water temperature", "temperature"), *outlets],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }


async def test_add_change_and_remove_the_top_off(hass: HomeAssistant) -> None:
    """Added, its entities appear; minutes a day are stored as seconds and shown as minutes; off removes it."""
    entry = await _controller(hass, outlet_subentry("Top-off", "ato"))
    result = await _open(hass, entry, "ato")
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], FORM | {"reservoir_sensor": RESERVOIR}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["ato"] == {
        "level_sensor": FLOAT,
        "low_when": "off",
        "reservoir_sensor": RESERVOIR,
        "empty_when": "on",
        "debounce": 15.0,
        "max_fill": 90.0,
        "max_fills_per_day": 12,
        "max_run_per_day": 600.0,
    }
    assert hass.states.get("switch.reef_auto_top_off") is not None

    result = await _open(hass, entry, "ato")
    assert _suggested(result)["max_run_per_day"] == 10
    assert _suggested(result)["reservoir_sensor"] == RESERVOIR
    result = await hass.config_entries.options.async_configure(result["flow_id"], FORM | {"enabled": False})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["ato"] is None
    assert hass.states.get("switch.reef_auto_top_off") is None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"level_sensor": "binary_sensor.nowhere"}, {"level_sensor": "ato_unknown_sensor"}),
        ({"reservoir_sensor": "binary_sensor.nowhere"}, {"reservoir_sensor": "ato_unknown_sensor"}),
        ({"reservoir_sensor": FLOAT}, {"reservoir_sensor": "ato_same_sensor"}),
        ({"max_fill": 3600, "max_run_per_day": 1}, {"base": "ato_day_shorter_than_fill"}),
        ({"max_fills_per_day": 2.5}, {"max_fills_per_day": "field_not_whole"}),
    ],
)
async def test_bad_answers_are_refused_and_change_nothing(
    hass: HomeAssistant, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    """Each mistake is named on its field, and the options stay as they were."""
    entry = await _controller(hass, outlet_subentry("Top-off", "ato"))
    result = await _open(hass, entry, "ato")
    result = await hass.config_entries.options.async_configure(result["flow_id"], FORM | changes)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert "ato" not in entry.options


async def test_no_top_off_without_its_pump(hass: HomeAssistant) -> None:
    """A controller without an outlet whose role is top-off is told to add one."""
    entry = await _controller(hass, outlet_subentry("Return pump", "return_pump"))
    result = await _open(hass, entry, "ato")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_ato_outlet"
