"""Probe sensors on the simulated tank, and the controller's diagnostics."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.bellas_reef.const import DOMAIN
from custom_components.bellas_reef.models import ReefConfigEntry


async def _advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, hours: float) -> None:
    for _ in range(int(hours * 6)):
        freezer.tick(timedelta(minutes=10))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


def _value(hass: HomeAssistant, entity_id: str) -> float:
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


async def test_probe_sensors_describe_their_measurement(
    hass: HomeAssistant, init_integration: ReefConfigEntry
) -> None:
    """Temperature and pH sensors carry device class, unit and state class, and read plausible water."""
    temperature = hass.states.get("sensor.water_temperature")
    assert temperature is not None
    assert temperature.attributes["device_class"] == "temperature"
    assert temperature.attributes["unit_of_measurement"] == "°C"
    assert temperature.attributes["state_class"] == "measurement"
    assert 24.0 < float(temperature.state) < 27.0
    ph = hass.states.get("sensor.ph")
    assert ph is not None
    assert ph.attributes["device_class"] == "ph"
    assert 7.8 < float(ph.state) < 8.4


async def test_lights_raise_ph_and_warm_the_water(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """With the lights on for hours pH climbs and the water runs warmer than with them off."""
    await _advance(hass, freezer, 4)
    dark_ph, dark_temperature = _value(hass, "sensor.ph"), _value(hass, "sensor.water_temperature")
    await hass.services.async_call(
        DOMAIN,
        "set_program",
        {ATTR_ENTITY_ID: ["light.royal_blue", "light.white"], "program": "static", "level": 100},
        blocking=True,
    )
    await _advance(hass, freezer, 4)
    assert _value(hass, "sensor.ph") > dark_ph + 0.1
    assert _value(hass, "sensor.water_temperature") > dark_temperature + 0.1


async def test_failing_probe_goes_unavailable_alone(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A probe that keeps failing takes only its own sensor down, counts errors, and returns by itself."""
    probes = init_integration.runtime_data.probes
    probe = next(p for p in probes.probes.values() if p.kind == "ph")
    working = probe.read

    async def broken() -> float:
        from custom_components.bellas_reef.hardware.errors import ProbeReadError

        raise ProbeReadError("no answer")

    probe.read = broken
    await _advance(hass, freezer, 1)
    assert hass.states.get("sensor.ph").state == "unavailable"  # type: ignore[union-attr]
    assert hass.states.get("sensor.water_temperature").state != "unavailable"  # type: ignore[union-attr]
    probe.read = working
    await _advance(hass, freezer, 0.5)
    assert hass.states.get("sensor.ph").state != "unavailable"  # type: ignore[union-attr]


async def test_controller_diagnostic_sensors(
    hass: HomeAssistant, init_integration: ReefConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """The tick duration starts disabled; the driver error count is a diagnostic of the controller."""
    tick = entity_registry.async_get("sensor.display_reef_lighting_tick_duration")
    assert tick is not None
    assert tick.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    entity_registry.async_update_entity(tick.entity_id, disabled_by=None)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert float(hass.states.get(tick.entity_id).state) >= 0  # type: ignore[union-attr]
    assert hass.states.get("sensor.display_reef_driver_errors").state == "0"  # type: ignore[union-attr]
