"""The auto top-off in Home Assistant: fills to the float, locks out, resets, and gives way to leaks and feeding."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.bellas_reef.const import DOMAIN, EVENT_ALERT
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import base
from custom_components.bellas_reef.outlets.simulated import SimulatedOutlet
from custom_components.bellas_reef.safety import leak_rule, rules_to_list

from .conftest import advance, probe_subentry
from .test_outlets import outlet_subentry

FLOAT = "binary_sensor.sump_float"
RESERVOIR = "binary_sensor.reservoir_float"
LEAK = "binary_sensor.sump_leak"
ATO = {
    "level_sensor": FLOAT,
    "low_when": "on",
    "reservoir_sensor": RESERVOIR,
    "empty_when": "on",
    "debounce": 10.0,
    "max_fill": 60.0,
    "max_fills_per_day": 3,
    "max_run_per_day": 900.0,
}
SWITCH = "switch.reef_auto_top_off"
LOCKOUT = "binary_sensor.reef_top_off_locked_out"
EMPTY = "binary_sensor.reef_top_off_reservoir_empty"
FILLS = "sensor.reef_top_off_fills_today"
RUN_TIME = "sensor.reef_top_off_run_time_today"
STATUS = "sensor.reef_top_off_status"
RESET = "button.reef_reset_top_off_lockout"


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated outlets confirm a switch within a few milliseconds here."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


async def _setup(hass: HomeAssistant, ato: dict[str, Any] | None = ATO, **options: Any) -> ReefConfigEntry:
    hass.states.async_set(FLOAT, "off")
    hass.states.async_set(RESERVOIR, "off")
    hass.states.async_set(LEAK, "off", {"device_class": "moisture"})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        options={"ato": ato, "defaults_applied": ["temperature"], **options},
        subentries_data=[
            {**probe_subentry("Water temperature", "temperature"), "subentry_id": "probe_temperature"},
            outlet_subentry("Return pump", "return_pump"),
            outlet_subentry("Top-off", "ato"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: "switch.return_pump"}, blocking=True)
    return entry


def _pump(entry: ReefConfigEntry) -> bool:
    for outlet in entry.runtime_data.outlets.outlets.values():
        if outlet.role == "ato":
            assert isinstance(outlet.driver, SimulatedOutlet)
            return outlet.driver.is_on
    raise AssertionError("no top-off outlet")


def _return_pump(entry: ReefConfigEntry) -> bool:
    outlet = next(
        outlet for outlet in entry.runtime_data.outlets.outlets.values() if outlet.role == "return_pump"
    )
    assert isinstance(outlet.driver, SimulatedOutlet)
    return outlet.driver.is_on


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def _fill_starts(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The float drops and stays low past the debounce."""
    hass.states.async_set(FLOAT, "on")
    await advance(hass, freezer, 11, steps=11)


async def test_fills_to_the_float_and_stops(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Low past the debounce: the pump runs; full: it stops within the same tick, and the day is counted."""
    entry = await _setup(hass)
    assert (_pump(entry), _state(hass, STATUS), _state(hass, SWITCH)) == (False, "full", "on")
    hass.states.async_set(FLOAT, "on")
    await advance(hass, freezer, 5, steps=5)
    assert (_pump(entry), _state(hass, STATUS)) == (False, "waiting")
    await advance(hass, freezer, 6, steps=6)
    assert (_pump(entry), _state(hass, STATUS)) == (True, "filling")
    assert hass.states.get("switch.top_off").attributes["held_by"] == "ato"  # type: ignore[union-attr]
    await advance(hass, freezer, 20, steps=20)
    hass.states.async_set(FLOAT, "off")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (_pump(entry), _state(hass, STATUS)) == (False, "full")
    assert _state(hass, FILLS) == "1"
    assert float(_state(hass, RUN_TIME)) == pytest.approx(20, abs=1)


async def test_a_fill_too_long_locks_out_until_reset(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The float never rises: a minute in, the pump stops for good, one alert; reset lets it fill again."""
    events = async_capture_events(hass, EVENT_ALERT)
    entry = await _setup(hass)
    await _fill_starts(hass, freezer)
    assert _pump(entry)
    await advance(hass, freezer, 60, steps=60)
    assert not _pump(entry)
    assert (_state(hass, LOCKOUT), _state(hass, STATUS)) == ("on", "locked_out")
    assert [(e.data["rule_id"], e.data["state"], e.data["condition"]) for e in events] == [
        ("ato_lockout", "raised", "ato")
    ]
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert any(n["title"] == "Reef: top-off locked out" for n in notifications.values())
    await advance(hass, freezer, 600, steps=10)
    assert not _pump(entry), "a lockout holds until the keeper resets it"

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, LOCKOUT) == "on", "a restart keeps the lockout"

    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: RESET}, blocking=True)
    # Reloaded within the second after the reset: the reset was saved as the controller unloaded.
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, LOCKOUT) == "off"
    await advance(hass, freezer, 11, steps=11)
    assert _pump(entry)
    assert [e.data["state"] for e in events] == ["raised", "cleared"]


async def test_an_empty_reservoir_stops_the_pump(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """The reservoir float says empty mid-fill: the pump stops at once and a problem shows until refilled."""
    entry = await _setup(hass)
    await _fill_starts(hass, freezer)
    hass.states.async_set(RESERVOIR, "on")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not _pump(entry)
    assert (_state(hass, EMPTY), _state(hass, STATUS)) == ("on", "reservoir_empty")
    hass.states.async_set(RESERVOIR, "off")
    await advance(hass, freezer, 11, steps=11)
    assert _pump(entry)
    assert _state(hass, EMPTY) == "off"


async def test_a_leak_cuts_the_return_pump_and_the_top_off_within_a_tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The leak rule turns both pumps off at once and the top-off pauses; dry again, both come back."""
    entry = await _setup(hass, rules=rules_to_list([leak_rule("sump_leak", "Sump leak", LEAK)]))
    await _fill_starts(hass, freezer)
    assert (_pump(entry), _return_pump(entry)) == (True, True)
    hass.states.async_set(LEAK, "on", {"device_class": "moisture"})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (_pump(entry), _return_pump(entry)) == (False, False)
    assert _state(hass, STATUS) == "paused"
    assert hass.states.get(SWITCH).attributes["paused_by"] == "safety_rule"  # type: ignore[union-attr]
    await advance(hass, freezer, 30, steps=30)
    assert not _pump(entry)
    hass.states.async_set(LEAK, "off", {"device_class": "moisture"})
    await advance(hass, freezer, 1)
    assert _return_pump(entry)
    assert not _pump(entry), "the top-off debounces again before it fills"
    await advance(hass, freezer, 11, steps=11)
    assert _pump(entry)


@pytest.mark.parametrize("pause", ["feed_mode", "safety_mode"])
async def test_feeding_and_safety_mode_pause_it(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, pause: str
) -> None:
    """Feed mode (whatever roles it holds) and safety mode stop a fill and hold it off until they end."""
    entry = await _setup(hass)
    await _fill_starts(hass, freezer)
    if pause == "feed_mode":
        await entry.runtime_data.outlets.async_feed(1, ["skimmer"])
    else:
        entry.runtime_data.monitor.async_request_safety_mode("test", True)
    await advance(hass, freezer, 1)
    assert not _pump(entry)
    assert hass.states.get(SWITCH).attributes["paused_by"] == pause  # type: ignore[union-attr]
    await advance(hass, freezer, 30, steps=30)
    assert not _pump(entry)
    if pause == "safety_mode":
        entry.runtime_data.monitor.async_request_safety_mode("test", False)
    else:
        await advance(hass, freezer, 30, steps=30)
    await advance(hass, freezer, 11, steps=11)
    assert _pump(entry)


async def test_off_leaves_the_pump_to_its_own_switch(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Switched off mid-fill the top-off stops commanding: the outlet is the keeper's again."""
    entry = await _setup(hass)
    await _fill_starts(hass, freezer)
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: SWITCH}, blocking=True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not _pump(entry)
    assert _state(hass, STATUS) == "disabled"
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: "switch.top_off"}, blocking=True)
    await advance(hass, freezer, 5, steps=5)
    assert _pump(entry), "the keeper's own switch works while the top-off is off"
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: SWITCH}, blocking=True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, SWITCH) == "on"


async def test_the_days_fills_are_capped_and_reset_at_midnight(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Three fills a day: the fourth waits for local midnight, with one daily-limit alert."""
    freezer.move_to("2026-11-30T12:00:00+00:00")
    events = async_capture_events(hass, EVENT_ALERT)
    entry = await _setup(hass)
    for _ in range(3):
        await _fill_starts(hass, freezer)
        hass.states.async_set(FLOAT, "off")
        await advance(hass, freezer, 1)
    assert _state(hass, FILLS) == "3"
    await _fill_starts(hass, freezer)
    assert not _pump(entry)
    assert _state(hass, STATUS) == "daily_limit"
    freezer.move_to("2026-12-01T12:00:00+00:00")
    await advance(hass, freezer, 11, steps=11)
    assert _pump(entry)
    assert _state(hass, FILLS) == "1"
    assert [(e.data["rule_id"], e.data["state"]) for e in events] == [
        ("ato_daily_limit", "raised"),
        ("ato_daily_limit", "cleared"),
    ]


async def test_an_unavailable_float_stops_the_pump(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """No water is added blind."""
    entry = await _setup(hass)
    await _fill_starts(hass, freezer)
    hass.states.async_set(FLOAT, "unavailable")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not _pump(entry)
    assert _state(hass, STATUS) == "sensor_unavailable"


async def test_removing_the_top_off_removes_its_entities(hass: HomeAssistant) -> None:
    """The options drop the top-off: its entities go from the registry on the reload."""
    entry = await _setup(hass)
    registry = er.async_get(hass)
    assert registry.async_get(SWITCH) is not None
    hass.config_entries.async_update_entry(entry, options={**entry.options, "ato": None})
    await hass.async_block_till_done(wait_background_tasks=True)
    for entity_id in (SWITCH, LOCKOUT, EMPTY, FILLS, RUN_TIME, STATUS, RESET):
        assert registry.async_get(entity_id) is None, entity_id
    assert entry.runtime_data.top_off is None


async def test_unusable_stored_settings_leave_the_tank_without_a_top_off(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Settings edited by hand into nonsense: no top-off, one error naming why, the pump left alone."""
    entry = await _setup(hass, ato={**ATO, "max_fill": -5})
    assert entry.runtime_data.top_off is None
    assert hass.states.get(SWITCH) is None
    assert "the top-off's settings cannot be used" in caplog.text


async def test_diagnostics_show_the_top_off_and_the_thermostat(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, freezer: FrozenDateTimeFactory
) -> None:
    """A tank with a top-off and a thermostat shows what each is doing; one without shows neither."""
    entry = await _setup(
        hass,
        thermostat={
            "probe": "probe_temperature",
            "hysteresis": 0.2,
            "min_on": 60.0,
            "min_off": 120.0,
        },
    )
    await _fill_starts(hass, freezer)
    report = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert report["top_off"] | {"day": None} == {
        "status": "filling",
        "paused_by": None,
        "filling": True,
        "alarms": [],
        "enabled": True,
        "locked_out": False,
        "day": None,
        "fills_today": 1,
        "run_today": 1.0,
    }
    assert report["thermostat"]["mode"] == "off"
    assert report["thermostat"]["outlets"] == {"heater": False, "chiller": False}
    assert "inputs" not in report
