"""The Reef panel: served by the integration itself, in the sidebar, and the commands only it uses."""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.frontend import DATA_PANELS
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_OUTLET
from custom_components.bellas_reef.lighting import layer_from_dict, program_from_dict
from custom_components.bellas_reef.panel import (
    FRONTEND_DIR,
    MODULE,
    PANEL_PATH,
    layers_to_service,
    program_to_service,
)
from custom_components.bellas_reef.services import layers_from_service, program_from_service

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCHEDULE = {
    "program": "schedule",
    "interpolation": "linear",
    "points": [{"time": "08:00", "level": 0}, {"time": "12:00", "level": 80}, {"time": "20:00", "level": 0}],
}


@pytest.fixture
async def tank(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    """The controller in Amsterdam on midsummer's day, with a return pump besides its channels and probes."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    freezer.move_to(datetime(2026, 6, 21, 10, 0, tzinfo=AMSTERDAM))
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        mock_config_entry,
        ConfigSubentry(
            data=MappingProxyType({"driver": "simulated", "role": "return_pump", "boot_delay": 0}),
            subentry_type=SUBENTRY_OUTLET,
            title="Return pump",
            unique_id="simulated:return_pump",
        ),
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


async def test_panel_is_in_the_sidebar_and_served(
    hass: HomeAssistant, tank: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    panel = hass.data[DATA_PANELS][PANEL_PATH]
    assert panel.sidebar_title == "Reef"
    assert panel.sidebar_icon.startswith("mdi:")
    custom = panel.config["_panel_custom"]
    assert custom["name"] == "reef-panel"
    assert not custom["embed_iframe"]
    module_url = custom["module_url"]
    assert module_url.startswith(f"/{DOMAIN}/frontend/{MODULE}?v=")

    client = await hass_client()
    response = await client.get(module_url)
    assert response.status == 200
    body = await response.read()
    assert body == (FRONTEND_DIR / MODULE).read_bytes()
    assert b'customElements.define("reef-panel"' in body


async def test_tanks_lists_the_controller_with_each_channels_plan(
    hass: HomeAssistant, tank: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    await hass.services.async_call(
        DOMAIN, "set_program", {ATTR_ENTITY_ID: "light.white", **SCHEDULE}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN,
        "set_layers",
        {
            ATTR_ENTITY_ID: "light.white",
            "lunar_max_level": 2,
            "acclimation_days": 10,
            "acclimation_start_level": 50,
        },
        blocking=True,
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/panel/tanks"})
    reply = await client.receive_json()
    assert reply["success"], reply
    [found] = reply["result"]
    assert found["entry_id"] == tank.entry_id
    assert found["title"] == "Display reef"
    channels = {channel["entity_id"]: channel for channel in found["channels"]}
    assert set(channels) == {"light.royal_blue", "light.white"}
    white = channels["light.white"]
    assert white["program"] == SCHEDULE
    assert white["layers"] == {
        "lunar_max_level": 2.0,
        "acclimation_days": 10,
        "acclimation_start_level": 50.0,
        "acclimation_start_date": "2026-06-21",
    }
    assert (white["driver"], white["address"], white["output"]) == ("simulated", 0x40, 1)
    assert [probe["entity_id"] for probe in found["probes"]] == ["sensor.water_temperature", "sensor.ph"]
    assert found["outlets"] == [{"entity_id": "switch.return_pump", "name": "Return pump"}]
    assert found["feed_button"] == "button.display_reef_feed"
    assert found["stop_effects_button"] == "button.display_reef_stop_effects"
    assert found["feed_mode"] == "binary_sensor.display_reef_feed_mode"
    assert "binary_sensor.display_reef_safety_mode" in found["rules"]


async def _preview_plan(hass: HomeAssistant, ws: WebSocketGenerator, **fields: Any) -> dict[str, Any]:
    client = await ws(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/panel/preview_plan", **fields})
    reply: dict[str, Any] = await client.receive_json()
    return reply


async def test_preview_plan_shows_an_unsaved_plan_without_applying_it(
    hass: HomeAssistant, tank: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    before = hass.states.get("light.white")
    reply = await _preview_plan(
        hass,
        hass_ws_client,
        entity_id="light.white",
        program=SCHEDULE,
        layers={"moonlight_level": 1, "moonlight_start": "22:00", "moonlight_end": "23:00"},
        date="2026-06-21",
        step_minutes=60,
    )
    assert reply["success"], reply
    levels = {point["time"][11:16]: point["level"] for point in reply["result"]["points"]}
    assert len(levels) == 24
    assert levels["08:00"] == 0
    assert levels["10:00"] == 40
    assert levels["12:00"] == 80
    assert levels["16:00"] == 40
    assert levels["22:00"] == 1
    assert levels["03:00"] == 0
    # Nothing changed on the channel: it still follows the program it had.
    after = hass.states.get("light.white")
    assert before is not None
    assert after is not None
    assert after.attributes["program"] == before.attributes["program"] != "schedule"
    assert after.attributes["layers"] == []


async def test_preview_plan_gives_the_services_errors(
    hass: HomeAssistant, tank: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    bad_level = {**SCHEDULE, "points": [{"time": "08:00", "level": 0}, {"time": "12:00", "level": 150}]}
    reply = await _preview_plan(hass, hass_ws_client, entity_id="light.white", program=bad_level)
    assert not reply["success"]
    error = reply["error"]
    assert error["code"] == "service_validation_error"
    assert error["translation_domain"] == DOMAIN
    assert error["translation_key"]
    assert "150" in error["message"]

    reply = await _preview_plan(
        hass, hass_ws_client, entity_id="light.white", program=SCHEDULE, step_minutes=0
    )
    assert reply["error"]["code"] == "service_validation_error"
    huge = "light." + "x" * 10_000
    reply = await _preview_plan(hass, hass_ws_client, entity_id=huge, program=SCHEDULE)
    assert reply["error"]["code"] == "service_validation_error"
    assert reply["error"]["translation_domain"] == DOMAIN
    assert len(reply["error"]["message"]) < 300

    one_point = {**SCHEDULE, "points": [{"time": "08:00", "level": 10}]}
    reply = await _preview_plan(hass, hass_ws_client, entity_id="light.white", program=one_point)
    assert not reply["success"]
    assert reply["error"]["translation_domain"] == DOMAIN
    assert reply["error"]["message"]

    reply = await _preview_plan(
        hass, hass_ws_client, entity_id="light.white", program={**SCHEDULE, "colour": "blue"}
    )
    assert reply["error"]["code"] == "invalid_format"

    reply = await _preview_plan(hass, hass_ws_client, entity_id="light.kitchen", program=SCHEDULE)
    assert reply["error"]["code"] == "not_found"

    await hass.config_entries.async_unload(tank.entry_id)
    reply = await _preview_plan(hass, hass_ws_client, entity_id="light.white", program=SCHEDULE)
    assert reply["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("program", "layers"),
    [
        ({"kind": "static", "level": 0.35}, []),
        (
            {
                "kind": "schedule",
                "interpolation": "smooth",
                "points": [{"time": "08:00", "level": 0.5}, {"time": "20:15", "level": 0.0}],
            },
            [{"kind": "lunar", "max_level": 0.02}],
        ),
        (
            {
                "kind": "daylight",
                "peak": 0.8,
                "shape": "bell",
                "sunrise_offset": 15,
                "sunset_offset": -15,
                "ramp_minutes": 60,
            },
            [{"kind": "moonlight", "level": 0.005, "start": "21:00", "end": "23:30"}],
        ),
        (
            {
                "kind": "mimic",
                "place": {"latitude": -16.5, "longitude": -151.74, "time_zone": "Pacific/Tahiti"},
                "peak": 0.9,
                "weather_entity": "weather.home",
                "cloud_dimming": 0.7,
                "storm_strength": 0.6,
            },
            [{"kind": "acclimation", "start_date": "2026-06-01", "days": 30, "start_level": 0.4}],
        ),
        (
            {
                "kind": "mimic",
                "place": {"latitude": 21.3, "longitude": -157.8, "time_zone": "Pacific/Honolulu"},
                "peak": 1.0,
                "weather_entity": None,
                "cloud_dimming": 0.7,
                "storm_strength": 0.6,
            },
            [],
        ),
    ],
)
def test_service_fields_round_trip(program: dict[str, Any], layers: list[dict[str, Any]]) -> None:
    """What the panel loads converts back to the very plan it came from when it is saved."""
    assert program_from_dict(program_from_service(program_to_service(program))) == program_from_dict(program)
    layer_fields = layers_to_service(layers)
    if "acclimation_start_date" in layer_fields:
        layer_fields["acclimation_start_date"] = date.fromisoformat(layer_fields["acclimation_start_date"])
    saved = layers_from_service(layer_fields, date(2026, 6, 21))
    assert [layer_from_dict(layer) for layer in saved] == [layer_from_dict(layer) for layer in layers]
