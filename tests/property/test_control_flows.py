"""Generated answers to the thermostat and top-off steps: a field error, a schema error or a usable saved entry.

Never a crash, and a refusal changes nothing.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN
from tests.conftest import probe_subentry
from tests.test_outlets import outlet_subentry

from .hostile import HOSTILE, STRINGS, maybe, numbers, run_examples
from .test_flows import _answer, _with

SENSORS = st.one_of(
    st.sampled_from(
        ["binary_sensor.sump_float", "binary_sensor.reservoir", "binary_sensor.nowhere", "light.x"]
    ),
    HOSTILE,
)
ON_OFF = st.one_of(st.sampled_from(["on", "off", "open"]), HOSTILE)


async def _controller(hass: HomeAssistant) -> MockConfigEntry:
    hass.states.async_set("binary_sensor.sump_float", "off")
    hass.states.async_set("binary_sensor.reservoir", "off")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        options={"defaults_applied": ["temperature"]},
        subentries_data=[
            probe_subentry("Water temperature", "temperature"),
            outlet_subentry("Top-off", "ato"),
            outlet_subentry("Heater", "heater"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_generated_top_off_and_thermostat_answers(hass: HomeAssistant) -> None:
    """Saved settings always build a working top-off and thermostat; anything else is refused on its field."""
    entry = await _controller(hass)
    section = STRINGS["options"]
    probe = next(iter(entry.subentries))
    top_off = _with(
        {"level_sensor": SENSORS},
        {
            "enabled": st.one_of(st.booleans(), HOSTILE),
            "low_when": ON_OFF,
            "reservoir_sensor": SENSORS,
            "empty_when": ON_OFF,
            "debounce": numbers(0, 600),
            "max_fill": numbers(5, 3600),
            "max_fills_per_day": numbers(1, 1000),
            "max_run_per_day": numbers(1, 1440),
        },
    )
    thermostat = maybe(
        {
            "enabled": st.one_of(st.booleans(), HOSTILE),
            "probe": st.one_of(st.just(probe), HOSTILE),
            "hysteresis": numbers(0.01, 10),
            "min_on": numbers(0, 3600),
            "min_off": numbers(0, 3600),
            "watch_minutes": numbers(1, 1440),
            "watch_rise": numbers(0.01, 10),
            "stuck_safety_mode": st.one_of(st.booleans(), HOSTILE),
        }
    )

    async def submit(parts: tuple[dict[str, Any], dict[str, Any]]) -> None:
        for step, answers in zip(("ato", "thermostat"), parts, strict=True):
            result = await hass.config_entries.options.async_init(entry.entry_id)
            flow_id = result["flow_id"]
            await hass.config_entries.options.async_configure(flow_id, {"next_step_id": step})
            await _answer(
                hass,
                entry,
                lambda data, flow_id=flow_id: hass.config_entries.options.async_configure(flow_id, data),
                answers,
                section,
            )
            for flow in hass.config_entries.options.async_progress():
                hass.config_entries.options.async_abort(flow["flow_id"])
            await hass.async_block_till_done()
            runtime = entry.runtime_data
            if entry.options.get("ato"):
                assert runtime.top_off is not None, entry.options["ato"]
            if entry.options.get("thermostat"):
                assert runtime.thermostat is not None, entry.options["thermostat"]

    await run_examples(hass, st.tuples(top_off, thermostat), submit)
