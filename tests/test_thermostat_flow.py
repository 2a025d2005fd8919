"""The options step that adds, changes and removes the water thermostat."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN

from .test_options_flow import _open, _probe

FORM = {
    "enabled": True,
    "hysteresis": 0.3,
    "min_on": 90,
    "min_off": 300,
    "watch_minutes": 45,
    "watch_rise": 0.4,
}


async def test_add_change_and_remove_the_thermostat(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Added, it is a climate entity; a hysteresis too small is refused and changes nothing; off removes it."""
    probe = _probe(init_integration, "Water temperature")
    options = [
        option["value"]
        for option in (await _open(hass, init_integration, "thermostat"))["data_schema"]
        .schema["probe"]
        .config["options"]
    ]
    assert options == [probe], "only temperature probes"
    result = await _open(hass, init_integration, "thermostat")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], FORM | {"probe": probe, "hysteresis": 0.02}
    )
    assert result["errors"] == {"base": "thermostat_out_of_range"}
    assert "thermostat" not in init_integration.options
    result = await hass.config_entries.options.async_configure(result["flow_id"], FORM | {"probe": probe})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["thermostat"] == {
        "probe": probe,
        "hysteresis": 0.3,
        "min_on": 90.0,
        "min_off": 300.0,
        "watch_minutes": 45,
        "watch_rise": 0.4,
        "stuck_safety_mode": False,
    }
    assert hass.states.get("climate.display_reef_water_thermostat") is not None

    result = await _open(hass, init_integration, "thermostat")
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested["min_off"] == 300.0
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], FORM | {"probe": probe, "enabled": False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options["thermostat"] is None
    assert hass.states.get("climate.display_reef_water_thermostat") is None


async def test_differences_in_fahrenheit_are_stored_in_celsius(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A keeper on °F enters 0.36 °F of hysteresis and sees it again; 0.2 °C is stored."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    probe = _probe(init_integration, "Water temperature")
    result = await _open(hass, init_integration, "thermostat")
    assert result["description_placeholders"]["unit"] == "°F"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], FORM | {"probe": probe, "hysteresis": 0.36, "watch_rise": 0.9}
    )
    await hass.async_block_till_done()
    stored = init_integration.options["thermostat"]
    assert stored["hysteresis"] == pytest.approx(0.2)
    assert stored["watch_rise"] == pytest.approx(0.5)
    result = await _open(hass, init_integration, "thermostat")
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested["hysteresis"] == pytest.approx(0.36)


async def test_a_bad_number_is_refused_on_its_field(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A fraction of a minute is refused by the form's own checks."""
    result = await _open(hass, init_integration, "thermostat")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        FORM | {"probe": _probe(init_integration, "Water temperature"), "watch_minutes": 1.5},
    )
    assert result["errors"] == {"watch_minutes": "field_not_whole"}


async def test_no_thermostat_without_a_thermometer(hass: HomeAssistant) -> None:
    """A controller without a temperature probe is told to add one."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Bare",
        unique_id="bare",
        data={"name": "Bare", "latitude": 52.0, "longitude": 5.0},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await _open(hass, entry, "thermostat")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_temperature_probe"
