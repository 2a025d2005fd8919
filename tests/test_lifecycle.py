"""A controller's lifecycle: secrets kept out of every report, everything it kept removed with it."""

from __future__ import annotations

import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, get_system_health_info
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.bellas_reef import _schedule_reload
from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_OUTLET

from .conftest import advance, channel_subentry, probe_subentry
from .outlets.helpers import closed_port

PASSWORD = "Sup3r-S3cret!Reef"
VESYNC_PASSWORD = "Vesync-Hunter-42"
KASA_PASSWORD = "Kasa-Plug-Pass-7"


@pytest.mark.usefixtures("socket_enabled")
async def test_no_credential_leaks_anywhere(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Distinctive passwords of the database, a VeSync account and a Kasa plug appear in no report at all."""
    caplog.set_level("DEBUG")
    url = f"postgresql://reef:{PASSWORD}@127.0.0.1:{closed_port()}/reef"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        data={
            "name": "Reef",
            "latitude": 52.0,
            "longitude": 5.0,
            "store": "postgresql",
            "db_url": url,
            "vesync": {"username": "keeper@example.com", "password": VESYNC_PASSWORD},
        },
        subentries_data=[
            channel_subentry("Blue"),
            probe_subentry("Water temperature", "temperature"),
            {
                "data": {
                    "driver": "kasa",
                    "host": "127.0.0.1",
                    "port": closed_port(),
                    "username": "keeper@example.com",
                    "password": KASA_PASSWORD,
                    "role": "heater",
                    "boot_delay": 0,
                },
                "subentry_type": SUBENTRY_OUTLET,
                "title": "Heater",
                "unique_id": "kasa:heater",
            },
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 400, steps=40)

    assert await async_setup_component(hass, "system_health", {})
    reports: dict[str, Any] = {
        "diagnostics": await get_diagnostics_for_config_entry(hass, hass_client, entry),
        "system_health": await get_system_health_info(hass, DOMAIN),
        "issues": [
            (issue.translation_key, issue.translation_placeholders)
            for issue in ir.async_get(hass).issues.values()
            if issue.domain == DOMAIN
        ],
    }
    text = json.dumps(reports, default=str) + caplog.text
    assert reports["issues"], "the unreachable database should raise an issue worth checking"
    for secret in (PASSWORD, VESYNC_PASSWORD, KASA_PASSWORD):
        assert secret not in text
    assert reports["diagnostics"]["entry"]["data"]["db_url"] == "**REDACTED**"
    assert "***" in reports["diagnostics"]["readings_store"]["store"]


async def test_removal_forgets_everything_the_controller_kept(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """Channel, outlet and safety state go with the controller."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[
            channel_subentry("Blue"),
            probe_subentry("Water temperature", "temperature"),
            {
                "data": {"driver": "simulated", "role": "heater", "boot_delay": 0},
                "subentry_type": SUBENTRY_OUTLET,
                "title": "Heater",
                "unique_id": "simulated:heater",
            },
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entry.runtime_data.simulator.tank.temperature_c = 30.0
    await advance(hass, freezer, 30, steps=30)
    assert await hass.config_entries.async_unload(entry.entry_id)
    kept = {key for key in hass_storage if entry.entry_id in key}
    assert {f"{DOMAIN}.{entry.entry_id}{part}" for part in ("", ".outlets", ".safety")} <= kept
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not [key for key in hass_storage if entry.entry_id in key]


async def test_a_reload_queued_for_a_deleted_controller_is_dropped(
    hass: HomeAssistant, init_integration: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A subentry edited just before the controller is deleted must not end in an unhandled UnknownEntry."""
    _schedule_reload(hass, init_integration)
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert "UnknownEntry" not in caplog.text
    assert "Task exception was never retrieved" not in caplog.text


async def test_state_saved_by_an_older_version_never_stops_the_tank(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A program stored before today's stricter checks (a fractional second, a UTC offset) is dropped, logged."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[
            channel_subentry("Blue"),
            {
                "data": {"driver": "simulated", "role": "powerhead", "boot_delay": 0},
                "subentry_type": SUBENTRY_OUTLET,
                "title": "Wave maker",
                "unique_id": "simulated:wave",
            },
        ],
    )
    entry.add_to_hass(hass)
    channel = next(iter(entry.subentries))
    wave = list(entry.subentries)[1]
    hass_storage[f"{DOMAIN}.{entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}",
        "data": {"channels": {channel: {"plan": {"program": {"kind": "warp"}}, "last_on_level": "x"}}},
    }
    hass_storage[f"{DOMAIN}.{entry.entry_id}.outlets"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.outlets",
        "data": {
            "outlets": {
                wave: {
                    "manual_on": True,
                    "program": {"windows": [{"on": "08:00:00.1", "off": "08:00:00.9+02:00"}]},
                    "hold_until": None,
                }
            },
            "feed_until": "not a time at all",
        },
    }
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state.name == "LOADED"
    assert "Ignoring the saved plan of Blue" in caplog.text
    assert "Ignoring the saved state of Wave maker" in caplog.text
    assert entry.runtime_data.outlets.feed_until is None
