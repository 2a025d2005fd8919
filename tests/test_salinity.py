"""Salinity and specific gravity from the conductivity circuit: sensors, readings rows, safety rules, the demo.

The EZO-EC is a simulated circuit on a simulated I2C bus (the outermost edge); the real EZO driver, probe poll,
sensors, readings store, options flow and safety monitor run on it. The clock is not frozen: the driver waits out
the circuit's processing delays on the event loop, and polls are asked for directly.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, UnitOfConductivity
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_system import METRIC_SYSTEM, US_CUSTOMARY_SYSTEM, UnitSystem
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.bellas_reef.const import DOMAIN, EVENT_ALERT, SUBENTRY_PROBE
from custom_components.bellas_reef.diagnostics import async_get_config_entry_diagnostics
from custom_components.bellas_reef.hardware.ezo import EcOutput, EzoCircuit
from custom_components.bellas_reef.hardware.seawater import practical_salinity
from custom_components.bellas_reef.hardware.simulated import SimulatedEzo, SimulatedI2CBus
from custom_components.bellas_reef.models import ReefConfigEntry

from .conftest import probe_subentry

SALINITY = "sensor.conductivity_salinity"
GRAVITY = "sensor.conductivity_specific_gravity"


@pytest.fixture
def chip(monkeypatch: pytest.MonkeyPatch) -> SimulatedEzo:
    """An EZO-EC at its factory address on I2C bus 1, in 35 PSU water at 25 °C."""
    bus = SimulatedI2CBus()
    circuit = SimulatedEzo(EzoCircuit.EC, 53_065.0)
    bus.attach(0x64, circuit)
    monkeypatch.setattr("custom_components.bellas_reef.drivers.open_i2c_bus", lambda _number: bus)
    return circuit


async def _tank(hass: HomeAssistant, units: UnitSystem = METRIC_SYSTEM) -> ReefConfigEntry:
    """A controller with a simulated thermometer and an EZO-EC compensated by it, added through the flow."""
    hass.config.units = units
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        minor_version=2,
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[probe_subentry("Water temperature", "temperature")],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    thermometer = next(iter(entry.subentries))
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_PROBE), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "ezo_ec"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Conductivity", "bus": 1, "address": 0x64, "temperature_probe": thermometer},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # The circuit sets its outputs first; by then the thermometer has answered, so even the first reading
    # after setup is compensated, at that very poll's temperature.
    assert chip_of(hass).last_command.startswith("RT,")
    assert chip_of(hass).temperature == pytest.approx(entry.runtime_data.probes.data[thermometer], abs=0.05)
    await _poll(hass)
    return entry  # type: ignore[return-value]


def chip_of(hass: HomeAssistant) -> SimulatedEzo:
    """The circuit behind the EC probe."""
    entry: ReefConfigEntry = hass.config_entries.async_entries(DOMAIN)[0]
    ezo = next(probe.ezo for probe in entry.runtime_data.probes.probes.values() if probe.ezo is not None)
    chip = ezo._i2c.device(ezo.address)  # type: ignore[attr-defined]
    assert isinstance(chip, SimulatedEzo)
    return chip


async def _poll(hass: HomeAssistant) -> None:
    """One probe poll now (the circuit's delays run on the real clock: a frozen one would never end them)."""
    entry: ReefConfigEntry = hass.config_entries.async_entries(DOMAIN)[0]
    await entry.runtime_data.probes.async_refresh()
    await hass.async_block_till_done()


def _value(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return float(state.state)


@pytest.mark.parametrize("units", [METRIC_SYSTEM, US_CUSTOMARY_SYSTEM], ids=["metric", "us_customary"])
async def test_ec_probe_reports_salinity_and_specific_gravity(
    hass: HomeAssistant, chip: SimulatedEzo, units: UnitSystem
) -> None:
    """Outputs enabled, compensated by the thermometer, three sensors; ppt and SG stay put in either unit system."""
    entry = await _tank(hass, units)
    assert chip.outputs == {EcOutput.CONDUCTIVITY, EcOutput.SALINITY, EcOutput.SPECIFIC_GRAVITY}
    assert chip.last_command.startswith("RT,")
    thermometer = entry.runtime_data.probes.data[next(iter(entry.subentries))]
    assert chip.temperature == pytest.approx(thermometer, abs=0.05)  # this poll's reading

    assert _value(hass, "sensor.conductivity") == 53_065.0
    assert (
        hass.states.get("sensor.conductivity").attributes["unit_of_measurement"]
        == UnitOfConductivity.MICROSIEMENS_PER_CM
    )  # type: ignore[union-attr]
    salinity = hass.states.get(SALINITY)
    assert salinity is not None
    assert float(salinity.state) == round(practical_salinity(53_065.0, chip.temperature), 2)
    assert 34.5 < float(salinity.state) < 35.5
    assert salinity.attributes["unit_of_measurement"] == "ppt"
    assert salinity.attributes["state_class"] == "measurement"
    assert "device_class" not in salinity.attributes
    gravity = hass.states.get(GRAVITY)
    assert gravity is not None
    assert float(gravity.state) == 1.026
    assert "unit_of_measurement" not in gravity.attributes
    assert gravity.attributes["state_class"] == "measurement"
    registry = er.async_get(hass)
    conductivity = registry.async_get("sensor.conductivity")
    assert conductivity is not None
    for entity_id, precision in ((SALINITY, 1), (GRAVITY, 3)):
        entity = registry.async_get(entity_id)
        assert entity is not None
        assert entity.options["sensor"]["suggested_display_precision"] == precision
        assert entity.device_id == conductivity.device_id
        assert entity.config_subentry_id == conductivity.config_subentry_id
    temperature = hass.states.get("sensor.water_temperature")
    assert temperature is not None
    assert temperature.attributes["unit_of_measurement"] == units.temperature_unit

    chip.value = 50_000.0
    await _poll(hass)
    assert _value(hass, SALINITY) < float(salinity.state)
    assert _value(hass, GRAVITY) < 1.026


async def test_salinity_and_gravity_rows_in_the_readings_table(
    hass: HomeAssistant, chip: SimulatedEzo
) -> None:
    """Each reading is a row under the EC probe with its own metric, queried through its own sensor."""
    await _tank(hass)
    for conductivity in (52_000.0, 51_000.0, 50_000.0):
        chip.value = conductivity
        await _poll(hass)
    now = dt_util.utcnow()
    answers: dict[str, Any] = {}
    for entity_id in ("sensor.conductivity", SALINITY, GRAVITY):
        answers[entity_id] = await hass.services.async_call(
            DOMAIN,
            "readings",
            {
                ATTR_ENTITY_ID: entity_id,
                "start": (now - timedelta(hours=1)).isoformat(),
                "end": (now + timedelta(seconds=1)).isoformat(),
                "buckets": 1,
            },
            blocking=True,
            return_response=True,
        )
    assert [answer["metric"] for answer in answers.values()] == [
        "conductivity",
        "salinity",
        "specific_gravity",
    ]
    conductivity = answers["sensor.conductivity"]["buckets"][0]
    assert (conductivity["min"], conductivity["max"], conductivity["count"]) == (50_000.0, 53_065.0, 4)
    salinity = answers[SALINITY]["buckets"][0]
    assert salinity["min"] == _value(hass, SALINITY) < salinity["max"]
    assert salinity["count"] == 4, "each poll's water was saltier than the next"
    assert answers[GRAVITY]["buckets"][0]["max"] == 1.026


async def _options(hass: HomeAssistant, entry: ReefConfigEntry, step: dict[str, Any]) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_rule"}
    )
    return dict(await hass.config_entries.options.async_configure(result["flow_id"], step))


async def test_a_salinity_rule_raises_and_clears(hass: HomeAssistant, chip: SimulatedEzo) -> None:
    """Salinity and SG are rule probes with a reef's range suggested; unreachable limits refused; raise and clear."""
    entry = await _tank(hass)
    ec = next(sid for sid, subentry in entry.subentries.items() if subentry.title == "Conductivity")
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_rule"}
    )
    options = {
        option["value"]: option["label"] for option in result["data_schema"].schema["probe"].config["options"]
    }
    assert options[ec] == "Conductivity"
    assert options[f"{ec}:salinity"] == "Conductivity: salinity"
    assert options[f"{ec}:specific_gravity"] == "Conductivity: specific gravity"

    gravity = await _options(
        hass, entry, {"name": "SG off", "probe": f"{ec}:specific_gravity", "condition": "below"}
    )
    suggested = {
        str(key): key.description["suggested_value"]
        for key in gravity["data_schema"].schema
        if key.description
    }
    assert suggested["limit"] == 1.024
    actions = {"hysteresis": 0, "lights_off": False, "notify": True, "safety_mode": False}
    refused = await hass.config_entries.options.async_configure(
        gravity["flow_id"], {"limit": 1024, **actions}
    )
    assert refused["errors"] == {"base": "limit_unreachable"}
    assert (
        refused["description_placeholders"] | {"value": "1024", "minimum": "0.9", "maximum": "1.4"}
        == (refused["description_placeholders"])
    )
    assert all(rule["id"] != "sg_off" for rule in entry.options.get("rules", []))

    result = await _options(
        hass, entry, {"name": "Salinity out of range", "probe": f"{ec}:salinity", "condition": "outside"}
    )
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert (suggested["low"], suggested["high"]) == (33.0, 36.0)
    refused = await hass.config_entries.options.async_configure(
        result["flow_id"], {"low": 33, "high": 350, **actions}
    )
    assert refused["errors"] == {"base": "limit_unreachable"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"low": 33, "high": 36, **actions | {"hysteresis": 0.2}}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    rule = next(rule for rule in entry.options["rules"] if rule["id"] == "salinity_out_of_range")
    assert rule["probe"] == f"{ec}:salinity"

    events = async_capture_events(hass, EVENT_ALERT)
    await _poll(hass)
    assert hass.states.get("binary_sensor.reef_salinity_out_of_range").state == "off"  # type: ignore[union-attr]
    chip.value = 45_000.0  # fresh water topped off by hand: about 29 ppt
    await _poll(hass)
    assert hass.states.get("binary_sensor.reef_salinity_out_of_range").state == "on"  # type: ignore[union-attr]
    assert [event.data["state"] for event in events] == ["raised"]
    assert events[0].data["probe"] == f"{ec}:salinity"
    assert events[0].data["value"] == pytest.approx(_value(hass, SALINITY))
    chip.value = 53_065.0
    await _poll(hass)
    assert hass.states.get("binary_sensor.reef_salinity_out_of_range").state == "off"  # type: ignore[union-attr]
    assert [event.data["state"] for event in events] == ["raised", "cleared"]


async def test_a_circuit_back_at_factory_outputs_is_set_again(
    hass: HomeAssistant, chip: SimulatedEzo
) -> None:
    """A circuit swapped or factory reset answers conductivity alone: that poll fails, the next sets it again."""
    entry = await _tank(hass)
    chip.outputs = {EcOutput.CONDUCTIVITY}
    await _poll(hass)
    assert hass.states.get(SALINITY).state == "unknown"  # type: ignore[union-attr]
    assert hass.states.get("sensor.conductivity").state == "unknown"  # type: ignore[union-attr]
    probe = next(probe for probe in entry.runtime_data.probes.probes.values() if probe.name == "Conductivity")
    assert probe.health.errors == 1
    await _poll(hass)
    assert chip.outputs == {EcOutput.CONDUCTIVITY, EcOutput.SALINITY, EcOutput.SPECIFIC_GRAVITY}
    assert _value(hass, GRAVITY) == 1.026


async def test_demo_tank_salinity_follows_its_water(hass: HomeAssistant) -> None:
    """A simulated conductivity probe is a simulated EZO-EC: 35 ppt and SG 1.026 hold as warmer water conducts more."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        minor_version=2,
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[probe_subentry("Conductivity", "conductivity")],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert 34.5 < _value(hass, SALINITY) < 35.5
    assert _value(hass, GRAVITY) == pytest.approx(1.026, abs=0.001)
    tank = entry.runtime_data.simulator.tank  # type: ignore[attr-defined]
    tank.temperature_c = tank.room_c = tank.heater_set_point_c = 27.0
    before = _value(hass, "sensor.conductivity")
    await _poll(hass)
    assert _value(hass, "sensor.conductivity") > before * 1.02
    assert 34.5 < _value(hass, SALINITY) < 35.5
    report = await async_get_config_entry_diagnostics(hass, entry)  # type: ignore[arg-type]
    assert report["probes"][0]["extra"] == {
        "salinity": _value(hass, SALINITY),
        "specific_gravity": _value(hass, GRAVITY),
    }
