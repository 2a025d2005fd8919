"""Home Assistant's own recorder, on PostgreSQL (scripts/test passes --dburl), records our entities properly."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder, history
from homeassistant.components.recorder.util import session_scope
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done

from .conftest import advance


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Recorder, enable_custom_integrations: None) -> None:
    """The recorder must be set up before hass starts; then custom integrations are enabled as usual."""


async def test_recorder_keeps_units_and_drops_high_rate_attributes(
    recorder_mock: Recorder,
    recorder_db_url: str,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Probe states keep unit and state class; a light's duty, full-on duty and next transition are not stored."""
    assert recorder_db_url.startswith("postgresql://")
    start = dt_util.utcnow()
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        "light", "turn_on", {ATTR_ENTITY_ID: "light.royal_blue", "brightness": 100}, blocking=True
    )
    await advance(hass, freezer, 60, steps=6)
    await async_wait_recording_done(hass)

    def read() -> dict[str, list]:
        with session_scope(hass=hass, read_only=True) as session:
            return history.get_significant_states_with_session(
                hass,
                session,
                start - timedelta(seconds=1),
                dt_util.utcnow(),
                ["sensor.water_temperature", "light.royal_blue"],
                significant_changes_only=False,
            )

    states = await recorder_mock.async_add_executor_job(read)
    temperature = states["sensor.water_temperature"]
    assert len(temperature) >= 2
    assert temperature[-1].attributes["unit_of_measurement"] == "°C"
    assert temperature[-1].attributes["state_class"] == "measurement"
    assert temperature[-1].attributes["device_class"] == "temperature"
    light = states["light.royal_blue"][-1]
    assert light.state == "on"
    assert light.attributes["override_until"] is not None
    assert light.attributes["program"] == "static"
    for high_rate in ("duty", "max_duty", "next_transition"):
        assert high_rate not in light.attributes
