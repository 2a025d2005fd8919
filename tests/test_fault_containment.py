"""Nothing silences the safety path: faults of every kind, injected at the device edge, stay with their device.

Each test breaks one thing the way real hardware and real integrations break — any exception, a hang, garbage,
a unit the keeper's sensor reports in, a late confirmation — and checks that the rules are still judged, the
other devices still driven, and the keeper told once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.bellas_reef.const import DOMAIN, EVENT_ALERT, SUBENTRY_CHANNEL, SUBENTRY_OUTLET
from custom_components.bellas_reef.coordinator import probes as probes_module
from custom_components.bellas_reef.hardware.tank import ProbeKind
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import SimulatedOutlet, base

from .conftest import channel_subentry, probe_subentry

HOT_C = 30.0
LIGHT_COMMON = {
    "role": "white",
    "curve": "linear",
    "min_output": 0,
    "max_output": 100,
    "override_minutes": 60,
}


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated outlets confirm a switch within a millisecond."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


def outlet(title: str, role: str, **extra: Any) -> dict[str, Any]:
    """A simulated outlet subentry."""
    return {
        "data": {"driver": "simulated", "role": role, "boot_delay": 0, **extra},
        "subentry_type": SUBENTRY_OUTLET,
        "title": title,
        "unique_id": f"simulated:{title}",
    }


def adopted_light(title: str, entity_id: str) -> dict[str, Any]:
    """A channel driven through an HA light entity."""
    return {
        "data": {"driver": "ha_light", "entity_id": entity_id, **LIGHT_COMMON},
        "subentry_type": SUBENTRY_CHANNEL,
        "title": title,
        "unique_id": f"ha_light:{entity_id}",
    }


async def setup(hass: HomeAssistant, *subentries: Any, **options: Any) -> ReefConfigEntry:
    """A controller with the given subentries, set up and running."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        options=options,
        subentries_data=list(subentries),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def step(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float, steps: int = 1) -> None:
    """Move time on without waiting for background device calls: a hung one must not hold the test either."""
    for _ in range(steps):
        freezer.tick(seconds / steps)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


async def hang(*_args: Any, **_kwargs: Any) -> Any:
    """A device call that never returns."""
    await asyncio.Event().wait()


def chip_duty(entry: ReefConfigEntry, title: str) -> int:
    """What the simulated chip itself drives on a channel's output."""
    channel = next(ch for ch in entry.runtime_data.lighting.channels.values() if ch.name == title)
    chip = entry.runtime_data.simulator.bus.device(0x40)
    return chip.output_duty(channel.output)  # type: ignore[attr-defined]


def probe_id(entry: ReefConfigEntry, kind: ProbeKind) -> str:
    """The subentry id of the controller's probe of a kind."""
    return next(sid for sid, probe in entry.runtime_data.probes.probes.items() if probe.kind == kind)


def alerts(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every `bellas_reef_alert` fired from now on."""
    fired: list[dict[str, Any]] = []

    @callback
    def record(event: Event) -> None:
        fired.append(dict(event.data))

    hass.bus.async_listen(EVENT_ALERT, record)
    return fired


async def sump_light(hass: HomeAssistant, set_level: list[dict[str, Any]] | dict[str, Any]) -> None:
    """A real HA light (a template light on an input_number) whose set_level does what a test needs."""
    assert await async_setup_component(
        hass, "input_number", {"input_number": {"sump": {"min": 0, "max": 255, "initial": 0}}}
    )
    level = {"action": "input_number.set_value", "target": {"entity_id": "input_number.sump"}}
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "light": [
                        {
                            "name": "Sump light",
                            "state": "{{ states('input_number.sump') | int > 0 }}",
                            "level": "{{ states('input_number.sump') | int }}",
                            "turn_on": {**level, "data": {"value": 255}},
                            "turn_off": {**level, "data": {"value": 0}},
                            "set_level": set_level,
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "error", [RuntimeError("driver bug"), KeyError("t"), ZeroDivisionError(), OSError(5)]
)
async def test_any_probe_exception_leaves_the_rules_running(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, error: Exception
) -> None:
    """A probe raising something no one planned for only takes its own sensor down; overheat still acts."""
    entry = await setup(
        hass,
        channel_subentry("Blue", output=0),
        probe_subentry("Water temperature", "temperature"),
        probe_subentry("pH", "ph"),
    )
    await hass.services.async_call(
        DOMAIN, "set_program", {ATTR_ENTITY_ID: "light.blue", "program": "static", "level": 80}, blocking=True
    )
    await step(hass, freezer, 3, steps=3)
    assert chip_duty(entry, "Blue") > 0

    async def broken() -> float:
        raise error

    entry.runtime_data.probes.probes[probe_id(entry, ProbeKind.PH)].read = broken
    entry.runtime_data.simulator.tank.temperature_c = HOT_C
    await step(hass, freezer, 11, steps=11)
    assert entry.runtime_data.monitor.outcome.forced_off
    assert chip_duty(entry, "Blue") == 0
    assert entry.runtime_data.probes.last_update_success
    await step(hass, freezer, 30, steps=30)
    assert hass.states.get("sensor.ph").state == "unavailable"  # type: ignore[union-attr]
    assert float(hass.states.get("sensor.water_temperature").state) > 27.8  # type: ignore[union-attr]


@pytest.mark.parametrize("garbage", [float("nan"), float("inf"), "abc", None, [1, 2], -1e308, 15.5])
async def test_garbage_readings_make_the_probe_unavailable(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, garbage: object
) -> None:
    """NaN, infinity, not a number at all, or no pH there can be (15.5) is a failing probe, not a reading."""
    entry = await setup(hass, probe_subentry("pH", "ph"))

    async def nonsense() -> Any:
        return garbage

    entry.runtime_data.probes.probes[probe_id(entry, ProbeKind.PH)].read = nonsense
    await step(hass, freezer, 40, steps=40)
    assert hass.states.get("sensor.ph").state == "unavailable"  # type: ignore[union-attr]
    assert entry.runtime_data.probes.last_update_success


@pytest.fixture
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real time, with probes polled every 0.2 s so hangs can be watched for seconds, not minutes."""
    monkeypatch.setattr(probes_module, "PROBE_INTERVAL", timedelta(seconds=0.2))


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait in real time for something the controller does on its own."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.mark.usefixtures("quick_polls")
async def test_hung_probe_and_hung_light_do_not_delay_safety(hass: HomeAssistant) -> None:
    """A pH probe and a Zigbee-style light that never answer: overheat still darkens the PCA9685 at once.

    The light's service call hangs (its script waits an hour) and is only given up after the 10 s device
    timeout; the blue channel must be dark long before that.
    """
    await sump_light(hass, {"delay": "01:00:00"})
    entry = await setup(
        hass,
        channel_subentry("Blue", output=0),
        adopted_light("Sump", "light.sump_light"),
        probe_subentry("Water temperature", "temperature"),
        probe_subentry("pH", "ph"),
    )
    for light in ("light.blue", "light.sump"):
        await hass.services.async_call(
            DOMAIN, "set_program", {ATTR_ENTITY_ID: light, "program": "static", "level": 80}, blocking=True
        )
    entry.runtime_data.probes.probes[probe_id(entry, ProbeKind.PH)].read = hang
    await until(lambda: chip_duty(entry, "Blue") > 0)
    sump_board = next(
        board
        for board in entry.runtime_data.lighting.boards.values()
        if board.name != "Simulated PCA9685 0x40"
    )
    assert sump_board.task is not None
    assert not sump_board.task.done()

    entry.runtime_data.simulator.tank.temperature_c = HOT_C
    await until(lambda: chip_duty(entry, "Blue") == 0)
    # The light and the probe are still hanging: the safety path did not wait for them.
    assert not sump_board.task.done()
    assert entry.runtime_data.monitor.outcome.forced_off
    judged = entry.runtime_data.monitor.last_judged
    await until(lambda: entry.runtime_data.monitor.last_judged != judged, 3.0)


async def test_a_bad_rule_is_skipped_with_a_repair_issue(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """One invalid rule costs only itself: the others protect the tank, and the keeper is told which one."""
    entry = await setup(
        hass, channel_subentry("Blue", output=0), probe_subentry("Water temperature", "temperature")
    )
    probe = probe_id(entry, ProbeKind.TEMPERATURE)
    good = {
        "id": "hot",
        "name": "Too hot",
        "probe": probe,
        "condition": {"kind": "above", "limit": 28.0},
        "actions": {"lights_off": True},
    }
    bad = {"id": "broken", "name": "Half-typed rule", "probe": probe, "condition": {"kind": "above"}}
    hass.config_entries.async_update_entry(entry, options={**entry.options, "rules": [bad, good, "nonsense"]})
    await hass.async_block_till_done()
    monitor = entry.runtime_data.monitor
    assert [rule.id for rule in monitor.rules] == ["hot"]
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"rule_invalid_{entry.entry_id}_0") is not None
    issue = issues.async_get_issue(DOMAIN, f"rule_invalid_{entry.entry_id}_2")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["rule"] == "3"

    entry.runtime_data.simulator.tank.temperature_c = HOT_C
    await step(hass, freezer, 11, steps=11)
    assert entry.runtime_data.monitor.outcome.forced_off

    hass.config_entries.async_update_entry(entry, options={**entry.options, "rules": [good]})
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, f"rule_invalid_{entry.entry_id}_0") is None
    assert issues.async_get_issue(DOMAIN, f"rule_invalid_{entry.entry_id}_2") is None


async def test_a_failed_safety_switch_backs_off_alerts_and_recovers(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The heater fail-safe cannot reach the heater: retried with growing pauses, announced once, then cleared."""
    entry = await setup(
        hass,
        probe_subentry("Water temperature", "temperature"),
        outlet("Heater", "heater", watts=200),
        failsafe_minutes=1,
    )
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: "switch.heater"}, blocking=True)
    heater = next(iter(entry.runtime_data.outlets.outlets.values()))
    driver = heater.driver
    assert isinstance(driver, SimulatedOutlet)
    assert driver.is_on
    fired = alerts(hass)
    attempts = 0
    original = driver.turn_off

    async def refuse() -> Any:
        nonlocal attempts
        attempts += 1
        raise RuntimeError("relay welded")

    driver.turn_off = refuse  # type: ignore[method-assign]
    entry.runtime_data.probes.probes[probe_id(entry, ProbeKind.TEMPERATURE)].read = hang
    await step(hass, freezer, 300, steps=300)
    assert entry.runtime_data.monitor.failsafe_tripped
    # Five minutes of a failing relay: a handful of attempts, not one every second.
    assert 3 <= attempts <= 12
    failed = [alert for alert in fired if alert.get("state") == "action_failed"]
    assert len(failed) == 1
    assert failed[0]["outlet"] == "Heater"
    issue_id = f"safety_action_failed_{entry.entry_id}_{heater.subentry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    driver.turn_off = original  # type: ignore[method-assign]
    await step(hass, freezer, 600, steps=60)
    assert not driver.is_on
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_hung_outlet_does_not_hold_up_the_others(hass: HomeAssistant) -> None:
    """Feed mode turns the return pump off at once while the skimmer's plug hangs."""
    entry = await setup(hass, outlet("Return pump", "return_pump"), outlet("Skimmer", "skimmer"))
    for entity_id in ("switch.return_pump", "switch.skimmer"):
        await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: entity_id}, blocking=True)
    outlets = {o.name: o for o in entry.runtime_data.outlets.outlets.values()}
    skimmer = outlets["Skimmer"]
    skimmer.driver.turn_off = hang  # type: ignore[method-assign]
    async with asyncio.timeout(2):
        await hass.services.async_call(
            DOMAIN, "feed_mode", {"config_entry_id": entry.entry_id, "minutes": 5}, blocking=True
        )
    pump = outlets["Return pump"].driver
    assert isinstance(pump, SimulatedOutlet)
    assert not pump.is_on
    assert skimmer.task is not None
    assert not skimmer.task.done()
    # The 1 s tick goes on and does not start a second call to the hung plug.
    await asyncio.sleep(1.5)
    assert not skimmer.task.done()
    assert entry.runtime_data.outlets.overruns == 0


async def test_an_adopted_switch_may_confirm_late(hass: HomeAssistant) -> None:
    """MQTT and ESPHome switches report their new state a moment after the call returns: that is success."""
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"relay": {}}})
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "report_late": {
                    "sequence": [
                        {"delay": {"milliseconds": 300}},
                        {"action": "input_boolean.turn_on", "target": {"entity_id": "input_boolean.relay"}},
                    ]
                }
            }
        },
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "MQTT plug",
                            "state": "{{ is_state('input_boolean.relay', 'on') }}",
                            "turn_on": {
                                "action": "script.turn_on",
                                "target": {"entity_id": "script.report_late"},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.relay"},
                            },
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    entry = await setup(
        hass,
        {
            "data": {
                "driver": "ha_switch",
                "entity_id": "switch.mqtt_plug",
                "role": "other",
                "boot_delay": 0,
            },
            "subentry_type": SUBENTRY_OUTLET,
            "title": "Plug",
            "unique_id": "ha_switch:switch.mqtt_plug",
        },
    )
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: "switch.plug"}, blocking=True)
    assert hass.states.get("switch.mqtt_plug").state == "on"  # type: ignore[union-attr]
    assert hass.states.get("switch.plug").state == "on"  # type: ignore[union-attr]
    assert next(iter(entry.runtime_data.outlets.outlets.values())).health.errors == 0


@pytest.mark.parametrize("us_units", [False, True])
async def test_an_adopted_fahrenheit_probe_is_converted(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, us_units: bool
) -> None:
    """78 °F from a US keeper's ESPHome probe is 25.6 °C, not 78 °C: the overheat rule stays quiet."""
    if us_units:
        from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM

        hass.config.units = US_CUSTOMARY_SYSTEM
    hass.states.async_set("sensor.esphome_water", "78", {"unit_of_measurement": "°F"})
    entry = await setup(
        hass,
        channel_subentry("Blue", output=0),
        {
            "data": {"driver": "ha_sensor", "entity_id": "sensor.esphome_water", "kind": "temperature"},
            "subentry_type": "probe",
            "title": "Water",
            "unique_id": "ha_sensor:sensor.esphome_water",
        },
    )
    await step(hass, freezer, 11, steps=11)
    sid = probe_id(entry, ProbeKind.TEMPERATURE)
    assert entry.runtime_data.probes.data[sid] == pytest.approx(25.556, abs=0.001)
    assert not entry.runtime_data.monitor.outcome.forced_off
    shown = hass.states.get("sensor.water")
    assert shown is not None
    expected = 78.0 if us_units else 25.6
    assert float(shown.state) == pytest.approx(expected, abs=0.06)

    hass.states.async_set("sensor.esphome_water", "300", {"unit_of_measurement": "K"})
    await step(hass, freezer, 21, steps=21)
    assert entry.runtime_data.probes.data[sid] == pytest.approx(26.85)
    hass.states.async_set("sensor.esphome_water", "12", {"unit_of_measurement": "m/s"})
    await step(hass, freezer, 40, steps=40)
    assert hass.states.get("sensor.water").state == "unavailable"  # type: ignore[union-attr]
    assert "m/s" in (entry.runtime_data.probes.probes[sid].health.tracker.last_error or "")


async def test_an_adopted_lights_own_echo_is_not_an_override(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A light that reports back a rounded or late brightness with no context is not the keeper's hand."""
    await sump_light(
        hass,
        {
            "action": "input_number.set_value",
            "target": {"entity_id": "input_number.sump"},
            "data": {"value": "{{ brightness }}"},
        },
    )
    entry = await setup(hass, adopted_light("Sump", "light.sump_light"))
    await hass.services.async_call(
        DOMAIN, "set_program", {ATTR_ENTITY_ID: "light.sump", "program": "static", "level": 40}, blocking=True
    )
    await step(hass, freezer, 3, steps=3)
    channel = next(iter(entry.runtime_data.lighting.channels.values()))
    sent = channel.duty
    assert sent == 102
    # The device rounds what it was sent and reports it later from its own poll: no context of ours.
    for reported in (sent - 1, sent + 2, sent):
        hass.states.async_set(
            "light.sump_light",
            "on",
            {"brightness": reported, "supported_color_modes": ["brightness"]},
            context=Context(),
        )
        await hass.async_block_till_done()
        assert channel.plan.override is None
    # A real change in the device's own app is an override.
    hass.states.async_set(
        "light.sump_light",
        "on",
        {"brightness": 230, "supported_color_modes": ["brightness"]},
        context=Context(),
    )
    await hass.async_block_till_done()
    assert channel.plan.override is not None
    assert channel.plan.override.level == pytest.approx(230 / 255)


async def test_a_subentry_that_cannot_be_built_leaves_the_rest_running(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """NaN limits on one channel and a NaN boot delay on one outlet: those two are out, the tank runs."""
    entry = await setup(
        hass,
        channel_subentry("Blue", output=0),
        channel_subentry("Broken", address=0x41, output=3, min_output=float("nan")),
        outlet("Pump", "return_pump"),
        {
            **outlet("Bad plug", "other"),
            "data": {"driver": "simulated", "role": "other", "boot_delay": float("nan")},
        },
    )
    assert entry.state.name == "LOADED"
    assert [ch.name for ch in entry.runtime_data.lighting.channels.values()] == ["Blue"]
    assert [o.name for o in entry.runtime_data.outlets.outlets.values()] == ["Pump"]
    broken = {sub.title: sid for sid, sub in entry.subentries.items() if sub.title in ("Broken", "Bad plug")}
    issues = ir.async_get(hass)
    for sid in broken.values():
        assert issues.async_get_issue(DOMAIN, f"subentry_broken_{entry.entry_id}_{sid}") is not None
    await hass.services.async_call(
        DOMAIN, "set_program", {ATTR_ENTITY_ID: "light.blue", "program": "static", "level": 50}, blocking=True
    )
    await step(hass, freezer, 3, steps=3)
    assert chip_duty(entry, "Blue") > 0

    for sid in broken.values():
        hass.config_entries.async_remove_subentry(entry, sid)
        await hass.async_block_till_done()
    assert entry.state.name == "LOADED"
    for sid in broken.values():
        assert issues.async_get_issue(DOMAIN, f"subentry_broken_{entry.entry_id}_{sid}") is None


async def test_a_hung_board_is_written_once_not_queued(hass: HomeAssistant) -> None:
    """While a board's write hangs, the ticks go on (a storm at 20 Hz) and no second write queues behind it."""
    entry = await setup(hass, channel_subentry("Blue", output=0))
    lighting = entry.runtime_data.lighting
    await hass.services.async_call(
        DOMAIN, "set_program", {ATTR_ENTITY_ID: "light.blue", "program": "static", "level": 80}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN,
        "start_effect",
        {ATTR_ENTITY_ID: "light.blue", "effect": "storm", "duration": 60},
        blocking=True,
    )
    release = asyncio.Event()
    calls = 0

    async def slow_write(duties: dict[int, int]) -> bool:
        nonlocal calls
        calls += 1
        await release.wait()
        return True

    board = next(iter(lighting.boards.values()))
    board.output.async_write = slow_write  # type: ignore[method-assign]
    levels = set()
    for _ in range(30):
        await asyncio.sleep(0.05)
        levels.add(next(iter(lighting.channels.values())).output_level)
    assert calls == 1
    assert len(levels) > 5
    release.set()
    await until(lambda: calls > 1)
