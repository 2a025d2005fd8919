"""Every field of every service and WebSocket command is checked at the door (issue: hostile-but-authenticated input).

Each case below is one defect found by feeding a running controller bad input: it now gets a translated error
that names the field as typed, in its unit, and changes nothing; or, for values wrongly refused, it works.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
import json
from pathlib import Path
import re
from typing import Any
import zoneinfo
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.bellas_reef import checks
from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_OUTLET
from custom_components.bellas_reef.lighting import validation
from custom_components.bellas_reef.lighting.validation import PlanError, time_of_day
from custom_components.bellas_reef.outlets.program import OutletProgram, ProgramError, Window

from .conftest import channel_subentry, probe_subentry

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BLUE = "light.royal_blue"
PUMP = "switch.return_pump"
EXCEPTIONS: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parents[1] / "custom_components/bellas_reef/strings.json").read_text()
)["exceptions"]


@pytest.fixture
async def tank(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """A controller in Amsterdam with a channel, a probe and a simulated return pump."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    freezer.move_to(datetime(2026, 11, 30, 12, 0, tzinfo=AMSTERDAM))
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Display reef",
        unique_id="display_reef",
        data={"name": "Display reef", "latitude": 52.37, "longitude": 4.89},
        subentries_data=[
            channel_subentry("Royal blue", output=0),
            probe_subentry("Water temperature", "temperature"),
            {
                "data": {"driver": "simulated", "role": "return_pump", "boot_delay": 0},
                "subentry_type": SUBENTRY_OUTLET,
                "title": "Return pump",
                "unique_id": "simulated:return_pump",
            },
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _plan(entry: MockConfigEntry) -> dict[str, Any]:
    channel = next(iter(entry.runtime_data.lighting.channels.values()))
    return channel.plan.to_dict()


def _outlet_program(entry: MockConfigEntry) -> Any:
    outlet = next(iter(entry.runtime_data.outlets.outlets.values()))
    return outlet.program


async def _refused(
    hass: HomeAssistant, service: str, data: dict[str, Any], **response: bool
) -> ServiceValidationError:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, service, data, blocking=True, **response)
    err = caught.value
    assert err.translation_domain == DOMAIN
    assert err.translation_key in EXCEPTIONS, err.translation_key
    message = str(err)
    assert message
    assert not re.search(r"\{[a-z_]+\}", message), message
    return err


def _message(err: ServiceValidationError) -> str:
    return EXCEPTIONS[str(err.translation_key)]["message"].format(**(err.translation_placeholders or {}))


@pytest.mark.parametrize(
    ("service", "data", "key", "words"),
    [
        # "NaN" passes HA's number selectors; a boolean is not a level.
        ("override", {"level": "NaN"}, "field_not_a_number", "level must be a number, got NaN"),
        ("set_program", {"program": "static", "level": True}, "field_not_a_number", "got true"),
        # In percent, as typed, never the engine's fraction.
        ("override", {"level": 150}, "field_out_of_range", "level must be from 0 % to 100 %, got 150 %"),
        # Override durations: 0 no longer silently means the default, and there is an upper bound.
        (
            "override",
            {"level": 10, "duration": {"hours": 99999999}},
            "field_duration_out_of_range",
            "duration",
        ),
        ("override", {"level": 10, "duration": "00:00:00"}, "field_duration_out_of_range", "00:01:00"),
        ("override", {"level": 10, "duration": 1e300}, "field_not_a_duration", "duration"),
        ("override", {"level": 10, "duration": True}, "field_not_a_duration", "got true"),
        ("override", {"level": 10, "duration": "-01:00:00"}, "field_duration_out_of_range", "got -01:00:00"),
        # Preview dates far away overflowed the astronomy.
        ("preview", {"date": "9999-12-31"}, "field_not_a_date", "date must be a date"),
        ("preview", {"date": "0001-01-01"}, "field_not_a_date", "2000-01-01"),
        # Fields of another program were ignored unchecked.
        (
            "set_program",
            {"program": "static", "level": 5, "peak": 9},
            "field_not_used",
            "peak is not used by static",
        ),
        ("start_effect", {"effect": "storm", "flashes": 3}, "field_not_used", "flashes is not used by storm"),
        # The service's own field names, not the engine's.
        (
            "set_layers",
            {"moonlight_level": 1, "moonlight_end": "06:00"},
            "field_required_with",
            "moonlight_start is required with moonlight_level",
        ),
        (
            "set_layers",
            {"acclimation_start_level": 30},
            "field_required_with",
            "acclimation_days is required",
        ),
        (
            "set_layers",
            {"acclimation_days": 400, "acclimation_start_level": 3},
            "field_out_of_range",
            "400 d",
        ),
        (
            "start_effect",
            {"effect": "lightning", "flashes": 100, "duration": 10},
            "lightning_too_short",
            "duration must be at least 70 s for 100 flashes",
        ),
        # 24:00 became 00:00; offsets were stored and ignored.
        (
            "set_layers",
            {"moonlight_level": 1, "moonlight_start": "24:00", "moonlight_end": "06:00"},
            "field_not_a_time",
            "moonlight_start",
        ),
        (
            "set_program",
            {
                "program": "schedule",
                "points": [{"time": "08:00+02:00", "level": 1}, {"time": "09:00", "level": 2}],
            },
            "field_not_a_time",
            "points",
        ),
        (
            "set_program",
            {
                "program": "schedule",
                "points": [{"time": f"{m // 60:02d}:{m % 60:02d}", "level": 1} for m in range(1440)],
            },
            "field_count",
            "points must have 2 to 144 items, got 1440",
        ),
        (
            "set_program",
            {"program": "mimic", "latitude": 999, "longitude": 0, "time_zone": "UTC"},
            "field_out_of_range",
            "90 °",
        ),
        (
            "set_program",
            {"program": "mimic", "latitude": 1, "longitude": 2, "time_zone": "../../etc"},
            "field_not_a_time_zone",
            "time_zone",
        ),
        (
            "set_program",
            {"program": "mimic", "latitude": 1, "longitude": 2, "time_zone": "UTC", "weather_entity": False},
            "field_not_an_entity",
            "weather_entity must be a weather entity, got false",
        ),
        (
            "set_program",
            {"program": "schedule", "points": [{"time": "25:00", "level": 10}]},
            "field_not_a_time",
            "points must be a time of day like 07:30, got 25:00",
        ),
        (
            "set_program",
            {"program": "schedule", "points": [{"time": "08:00", "level": 10}]},
            "field_count",
            "got 1",
        ),
        ("feed_mode", {"config_entry_id": "x", "minutes": "NaN"}, "field_not_a_number", "minutes"),
        ("feed_mode", {"config_entry_id": "x", "roles": ["aquarium"]}, "field_not_a_choice", "roles"),
        ("feed_mode", {"config_entry_id": " "}, "field_not_text", "config_entry_id"),
        ("feed_mode", {"config_entry_id": "x" * 65}, "field_too_long", "at most 64 characters"),
        (
            "readings",
            {"entity_id": "sensor.water_temperature", "start": "0001-01-01T00:00:00"},
            "field_not_a_datetime",
            "start",
        ),
        (
            "readings",
            {"entity_id": "sensor.water_temperature", "start": "yesterday"},
            "field_not_a_datetime",
            "start",
        ),
    ],
)
async def test_bad_field_is_refused_in_its_own_words(
    hass: HomeAssistant, tank: MockConfigEntry, service: str, data: dict[str, Any], key: str, words: str
) -> None:
    """The error names the field as typed, in its unit, and the plan stays as it was."""
    target = {} if service in ("feed_mode", "readings") else {ATTR_ENTITY_ID: BLUE}
    response = {"return_response": True} if service in ("preview", "readings") else {}
    before = _plan(tank)
    err = await _refused(hass, service, {**target, **data}, **response)
    assert err.translation_key == key
    assert words in _message(err)
    assert _plan(tank) == before


async def test_huge_bad_value_is_not_echoed_whole(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """A 10,000-character value comes back cut to a few dozen characters."""
    err = await _refused(hass, "override", {ATTR_ENTITY_ID: BLUE, "level": "9" * 10_000 + "x"})
    assert err.translation_placeholders is not None
    assert len(err.translation_placeholders["value"]) <= 40
    assert len(str(err)) < 200


async def test_valid_values_once_refused_now_work(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """Acclimation from 0 % (as services.yaml allows) and a 100-flash burst at the default duration."""
    await hass.services.async_call(
        DOMAIN,
        "set_layers",
        {ATTR_ENTITY_ID: BLUE, "acclimation_days": 30, "acclimation_start_level": 0},
        blocking=True,
    )
    assert _plan(tank)["layers"][0]["start_level"] == 0
    await hass.services.async_call(
        DOMAIN, "start_effect", {ATTR_ENTITY_ID: BLUE, "effect": "lightning", "flashes": 100}, blocking=True
    )
    assert _plan(tank)["events"][0]["duration_seconds"] >= 70


async def test_override_lasts_what_was_asked(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """A 2-minute override ends after 2 minutes, not after the 60-minute default."""
    await hass.services.async_call(
        DOMAIN, "override", {ATTR_ENTITY_ID: BLUE, "level": 10, "duration": {"minutes": 2}}, blocking=True
    )
    until = datetime.fromisoformat(_plan(tank)["override"]["until"])
    assert until - datetime(2026, 11, 30, 12, 0, tzinfo=AMSTERDAM) == timedelta(minutes=2)


async def test_naive_readings_start_is_in_home_assistant_time_zone(
    hass: HomeAssistant, tank: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """The format services.yaml shows ("2026-11-01 00:00:00") answered a 500; it is Amsterdam time now."""
    result = await hass.services.async_call(
        DOMAIN,
        "readings",
        {"entity_id": "sensor.water_temperature", "start": "2026-11-30 11:00:00", "buckets": 4},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    assert result["entity_id"] == "sensor.water_temperature"
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": f"{DOMAIN}/readings",
            "entity_id": "sensor.water_temperature",
            "start": "2026-11-30 11:00:00",
        }
    )
    reply = await client.receive_json()
    assert reply["success"], reply
    assert checks.moment("start")("2026-11-30 11:00:00") == datetime(2026, 11, 30, 11, tzinfo=AMSTERDAM)


async def test_websocket_error_codes(
    hass: HomeAssistant, tank: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """invalid_format for a malformed message only; not_found for an entity without readings; translated."""
    hass.states.async_set("sensor.outside", "3")
    client = await hass_ws_client(hass)

    async def ask(message: dict[str, Any]) -> dict[str, Any]:
        await client.send_json_auto_id(message)
        reply: dict[str, Any] = await client.receive_json()
        assert not reply["success"]
        return reply["error"]

    error = await ask(
        {"type": f"{DOMAIN}/readings", "entity_id": "sensor.outside", "start": "2026-11-30 11:00"}
    )
    assert error["code"] == "not_found"
    assert error["translation_key"] == "not_a_source"
    error = await ask(
        {"type": f"{DOMAIN}/readings", "entity_id": "sensor.water_temperature", "start": "0001-01-01"}
    )
    assert error["code"] == "service_validation_error"
    assert error["translation_key"] == "field_not_a_datetime"
    error = await ask({"type": f"{DOMAIN}/readings", "start": "2026-11-30 11:00"})
    assert error["code"] == "invalid_format"
    error = await ask({"type": f"{DOMAIN}/readings", "entity_id": "x" * 10_000, "start": "2026-11-30 11:00"})
    assert error["code"] == "service_validation_error"
    assert error["translation_key"] == "field_not_an_entity_id"
    assert len(error["message"]) < 200
    error = await ask({"type": f"{DOMAIN}/preview", "entity_id": BLUE, "date": "9999-12-31"})
    assert error["code"] == "service_validation_error"
    assert error["translation_key"] == "field_not_a_date"
    assert "date" in error["message"]
    error = await ask({"type": f"{DOMAIN}/preview", "entity_id": "light.nothing"})
    assert error["code"] == "not_found", error
    error = await ask({"type": f"{DOMAIN}/preview", "entity_id": BLUE, "step_minutes": True})
    assert error["code"] == "service_validation_error"
    assert error["translation_key"] == "field_not_a_number"
    error = await ask({"type": f"{DOMAIN}/subscribe_outputs", "entry_id": "x" * 10_000})
    assert error["code"] == "not_found"
    assert error["translation_key"] == "controller_not_found"
    assert len(error["message"]) < 200
    assert await hass.config_entries.async_unload(tank.entry_id)
    error = await ask({"type": f"{DOMAIN}/preview", "entity_id": BLUE})
    assert error["code"] == "not_found"
    assert error["translation_key"] == "controller_not_loaded"


async def test_calibrate_probe_on_a_diagnostic_sensor(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """The service reaches every sensor of the integration; the controller's own ones say they cannot."""
    err = await _refused(
        hass,
        "calibrate_probe",
        {ATTR_ENTITY_ID: "sensor.display_reef_driver_errors", "point": "mid", "value": 7},
    )
    assert err.translation_key == "not_calibratable"


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        # Creation compared microseconds, contains() whole seconds: on all day.
        ({"windows": [{"on": "08:00:00.1", "off": "08:00:00.9"}]}, "field_not_a_time", "windows"),
        ({"windows": [{"on": "08:00+02:00", "off": "09:00"}]}, "field_not_a_time", "windows"),
        ({"windows": [{"on": "08:00"}]}, "field_not_an_object", "on, off"),
        ({"windows": "08:00-09:00"}, "field_not_a_list", "windows"),
        (
            {"windows": ["08:00", "09:00"]},
            "field_not_an_object",
            "windows must hold objects with exactly these keys",
        ),
        # true/true was a 1 s relay cycle.
        ({"cycle_on_seconds": True, "cycle_off_seconds": True}, "field_not_a_number", "cycle_on_seconds"),
        ({"cycle_on_seconds": 1.5, "cycle_off_seconds": 3}, "field_not_whole", "cycle_on_seconds"),
        ({"cycle_on_seconds": 30}, "outlet_invalid_cycle", "got 30 and 0"),
        ({"windows": [{"on": "09:00", "off": "09:00"}]}, "outlet_empty_window", "09:00"),
    ],
)
async def test_outlet_program_refused(
    hass: HomeAssistant, tank: MockConfigEntry, data: dict[str, Any], key: str, words: str
) -> None:
    """Outlet programs are refused in the service's words, with no Python reprs, and nothing changes."""
    before = _outlet_program(tank)
    err = await _refused(hass, "set_outlet_program", {ATTR_ENTITY_ID: PUMP, **data})
    assert err.translation_key == key
    message = _message(err)
    assert words in message
    assert "'" not in message
    assert "datetime" not in message
    assert _outlet_program(tank) == before


def test_outlet_program_in_whole_seconds() -> None:
    """The pure program refuses what it cannot follow, even when built in code, with readable messages."""
    with pytest.raises(ProgramError) as caught:
        Window(time(8, 0, 0, 100_000), time(8, 0, 0, 900_000))
    assert caught.value.translation_key == "outlet_invalid_time"
    with pytest.raises(ProgramError):
        Window(time(8, tzinfo=AMSTERDAM), time(9))
    with pytest.raises(ProgramError) as caught:
        OutletProgram(cycle_on_seconds=True, cycle_off_seconds=True)  # type: ignore[arg-type]
    assert caught.value.translation_key == "outlet_invalid_cycle"
    with pytest.raises(ProgramError) as caught:
        OutletProgram.from_dict({"cycle_on_seconds": "lots", "cycle_off_seconds": 3})
    assert str(caught.value) == "a cycle needs on and off seconds, each from 1 to 86400 (got lots and 3)"
    with pytest.raises(ProgramError) as caught:
        OutletProgram.from_dict({"windows": [{"on": "x" * 1000, "off": "09:00"}]})
    assert "'" not in str(caught.value)
    assert len(caught.value.placeholders["value"]) <= 40
    with pytest.raises(ProgramError) as caught:
        OutletProgram.from_dict({"windows": "08:00"})
    assert caught.value.translation_key == "outlet_invalid_windows"
    assert OutletProgram.from_dict({"cycle_on_seconds": 30.0, "cycle_off_seconds": 30}).cycle_on_seconds == 30


def test_time_zone_names_never_touch_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A service's time zone is checked against the zones listed at import, not looked up per call."""

    def no_disk(name: str) -> None:
        raise AssertionError(f"looked up {name}")

    monkeypatch.setattr(zoneinfo, "ZoneInfo", no_disk)
    check = checks.time_zone("time_zone")
    assert check("Pacific/Tahiti") == "Pacific/Tahiti"
    for name in ("Mars/Base", "../../etc", "Europe", "x" * 10_000, "Pacific/Tahiti\x00"):
        with pytest.raises(ServiceValidationError) as caught:
            check(name)
        assert caught.value.translation_key == "field_not_a_time_zone"


def test_engine_times_and_time_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    """24:00 is not a time of day; an unknown time zone is looked up once, then remembered."""
    with pytest.raises(PlanError):
        time_of_day("24:00", "start")
    assert time_of_day("23:59:59", "start") == time(23, 59, 59)
    with pytest.raises(PlanError) as caught:
        time_of_day("x" * 10_000, "start")
    assert len(caught.value.placeholders["value"]) <= 40
    lookups: list[str] = []

    def zone(name: str) -> ZoneInfo:
        lookups.append(name)
        return ZoneInfo(name)

    monkeypatch.setattr(validation, "zone", zone)
    validation._known_zone.cache_clear()
    for _ in range(5):
        with pytest.raises(PlanError):
            validation.check_time_zone("Mars/Olympus_Mons")
    assert lookups == ["Mars/Olympus_Mons"]
