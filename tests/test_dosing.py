"""Dosing pumps through Home Assistant, on frozen time: calibration, schedules, the cap, restarts, containers.

The pumps run on the simulated PCA9685 (a DC pump on a PWM output, through the real driver), gpiozero's mock pins
or a simulated outlet; what a pump delivered is
read back from the chip's output and the readings table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_DOSER, SUBENTRY_OUTLET
from custom_components.bellas_reef.coordinator.dosing import Doser
from custom_components.bellas_reef.hardware import gpio
from custom_components.bellas_reef.hardware.errors import DeviceMissingError
from custom_components.bellas_reef.hardware.simulated import SimulatedI2CBus, SimulatedPCA9685
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import SimulatedOutlet

from .conftest import advance, channel_data, channel_subentry, probe_subentry

ADDRESS = 0x41
REMAINING = "sensor.alkalinity_remaining"
LOW = "binary_sensor.alkalinity_container_low"
REFILL = "button.alkalinity_refill"
SETTINGS: dict[str, Any] = {
    "rate": 0.5,
    "daily_ml": 60.0,
    "doses": 24,
    "window_start": "00:00:00",
    "window_end": "23:59:00",
    "cap_ml": 70.0,
    "container_ml": 1000.0,
    "low_ml": 100.0,
    "skip_in_feed": True,
}


def doser_subentry(title: str = "Alkalinity", output: int = 0, **settings: Any) -> dict[str, Any]:
    """A doser on an output of the simulated PCA9685 at 0x41, at full speed."""
    return {
        "data": {
            "pump": "simulated",
            "address": ADDRESS,
            "output": output,
            "duty": 100.0,
            **SETTINGS,
            **settings,
        },
        "subentry_type": SUBENTRY_DOSER,
        "title": title,
        "unique_id": f"doser:simulated:{ADDRESS}:{output}",
    }


async def _setup(hass: HomeAssistant, *subentries: dict[str, Any]) -> ReefConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=list(subentries),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
def midnight(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> datetime:
    """The clock stands a little before local midnight."""
    start = datetime(2026, 6, 1, 23, 50, tzinfo=dt_util.get_default_time_zone())
    freezer.move_to(start)
    return start


def _doser(entry: ReefConfigEntry, name: str = "Alkalinity") -> Doser:
    return next(d for d in entry.runtime_data.dosing.dosers.values() if d.name == name)


def _pump_on(entry: ReefConfigEntry, output: int = 0) -> bool:
    chip = entry.runtime_data.simulator.bus.device(ADDRESS)
    assert isinstance(chip, SimulatedPCA9685)
    return chip.output_duty(output) > 0


async def _dose_rows(entry: ReefConfigEntry, subentry_id: str) -> tuple[int, float]:
    """How many dose rows the readings table holds for a doser, and their sum."""
    readings = entry.runtime_data.readings
    await readings.writer.flush()
    buckets = await readings.store.query(
        entry.entry_id,
        subentry_id,
        "dose",
        start=dt_util.utcnow() - timedelta(days=30),
        end=dt_util.utcnow() + timedelta(days=1),
        buckets=1,
    )
    return sum(b.count for b in buckets), sum(b.avg * b.count for b in buckets)


async def _run(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: ReefConfigEntry,
    seconds: float,
    step: float = 0.5,
) -> float:
    """Step the clock; the seconds the pump's output stood on."""
    on = 0.0
    for _ in range(round(seconds / step)):
        was_on = _pump_on(entry)
        await advance(hass, freezer, step)
        on += step if was_on else 0.0
    return on


async def _service(hass: HomeAssistant, name: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN, name, {ATTR_ENTITY_ID: REMAINING, **data}, blocking=True, return_response=True
    )


async def test_calibration_runs_the_pump_and_stores_the_rate(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """The calibration run keeps the pump on for its seconds; the measured millilitres become ml/s."""
    entry = await _setup(hass, doser_subentry(rate=0.0, daily_ml=0.0))
    with pytest.raises(ServiceValidationError) as err:
        await _service(hass, "dose", volume=1)
    assert err.value.translation_key == "doser_uncalibrated"
    assert await _service(hass, "calibrate_doser", seconds=30) == {"running": 30}
    with pytest.raises(ServiceValidationError) as err:
        await _service(hass, "calibrate_doser", seconds=30)
    assert err.value.translation_key == "doser_busy"
    with pytest.raises(ServiceValidationError) as err:
        await _service(hass, "dose", volume=1)
    assert err.value.translation_key == "doser_busy"
    assert await _run(hass, freezer, entry, 40) == 30
    assert (await _dose_rows(entry, _doser(entry).subentry_id))[0] == 0, "a calibration run is not a dose"
    assert await _service(hass, "calibrate_doser", seconds=30, measured=12.6) == {"rate": pytest.approx(0.42)}
    await hass.async_block_till_done()
    subentry_id = _doser(entry).subentry_id
    assert entry.subentries[subentry_id].data["rate"] == pytest.approx(0.42)
    assert _doser(entry).rate == pytest.approx(0.42), "the reloaded doser uses the new rate"
    assert await _service(hass, "dose", volume=4.2) == {"dosed": 4.2}
    assert await _run(hass, freezer, entry, 12) == 10


async def test_daily_volume_is_delivered_as_its_doses(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """60 ml in 24 doses across the day: 24 doses of 2.5 ml, each 5 s on the chip, 60 ml in the readings."""
    entry = await _setup(hass, doser_subentry())
    doser = _doser(entry)
    assert doser.schedule is not None
    slots = doser.schedule.slots(date(2026, 6, 2), dt_util.get_default_time_zone())
    pumped = 0.0
    for slot in slots:
        freezer.move_to(slot - timedelta(seconds=2))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        pumped += await _run(hass, freezer, entry, 10)
    count, total = await _dose_rows(entry, doser.subentry_id)
    assert count == 24
    assert total == pytest.approx(60, abs=0.1)
    assert pumped * doser.rate == pytest.approx(60, abs=0.1)
    state = hass.states.get(REMAINING)
    assert state is not None
    assert float(state.state) == pytest.approx(940)
    assert state.attributes["dosed_today"] == pytest.approx(60)


async def test_cap_holds_across_restarts_and_manual_doses(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """Manual doses and scheduled ones share one cap per day, kept across a restart; the next day starts anew."""
    entry = await _setup(hass, doser_subentry(cap_ml=10.0, daily_ml=0.0))
    assert await _service(hass, "dose", volume=6) == {"dosed": 6}
    await _run(hass, freezer, entry, 14)
    assert await _service(hass, "dose", volume=6) == {"dosed": 4}
    await _run(hass, freezer, entry, 10)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await _service(hass, "dose", volume=1)
    assert err.value.translation_key == "dose_cap_reached"
    freezer.move_to(midnight + timedelta(minutes=11))
    assert await _service(hass, "dose", volume=1) == {"dosed": 1}
    await _run(hass, freezer, entry, 4)
    assert (await _dose_rows(entry, _doser(entry).subentry_id)) == (3, pytest.approx(11))
    # The doser's own sensor charts its doses through the readings service, as dashboards ask for them.
    await entry.runtime_data.readings.writer.flush()
    history = await hass.services.async_call(
        DOMAIN,
        "readings",
        {"entity_id": REMAINING, "start": (midnight - timedelta(days=2)).isoformat(), "buckets": 1},
        blocking=True,
        return_response=True,
    )
    assert history is not None
    assert history["metric"] == "dose"
    assert sum(bucket["count"] for bucket in history["buckets"]) == 3


async def test_no_double_dose_after_a_restart_during_a_dose(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """HA restarting in the middle of a dose stops the pump and never gives that dose again."""
    entry = await _setup(hass, doser_subentry())
    await _run(hass, freezer, entry, 10 * 60 + 2, step=1)
    assert _pump_on(entry)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert not _pump_on(entry)
    assert await _run(hass, freezer, entry, 120, step=1) == 0
    doser = _doser(entry)
    assert (await _dose_rows(entry, doser.subentry_id)) == (1, pytest.approx(2.5))
    assert doser.cap.delivered_on(dt_util.now().date()) == pytest.approx(2.5)


async def test_no_double_dose_after_a_crash_during_a_dose(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """HA dying in the middle of a dose (no orderly stop): the pump is stopped at start and the dose not repeated."""
    entry = await _setup(hass, doser_subentry())
    key = f"{DOMAIN}.{entry.entry_id}.dosers"
    await _run(hass, freezer, entry, 10 * 60 + 2, step=1)
    assert _pump_on(entry)
    at_crash = dict(hass_storage[key])
    assert next(iter(at_crash["data"]["dosers"].values()))["running"]
    chip = entry.runtime_data.simulator.bus.device(ADDRESS)
    assert isinstance(chip, SimulatedPCA9685)
    await hass.config_entries.async_unload(entry.entry_id)
    # As the crash left them: the state saved as the dose started, and the chip still pumping (full on).
    hass_storage[key] = at_crash
    chip.write(bytes([0x06, 0, 0x10, 0, 0]))
    assert chip.output_duty(0) > 0
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert chip.output_duty(0) == 0
    assert await _run(hass, freezer, entry, 120, step=1) == 0
    assert _doser(entry).cap.delivered_on(dt_util.now().date()) == pytest.approx(2.5)


async def test_scheduled_dose_past_the_cap_is_not_given(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    """Manual doses that used up the day's cap leave nothing for the schedule."""
    entry = await _setup(hass, doser_subentry())
    await _run(hass, freezer, entry, 11 * 60, step=5)
    assert await _service(hass, "dose", volume=100) == {"dosed": 67.5}
    await _run(hass, freezer, entry, 60 * 60, step=5)
    assert _doser(entry).cap.delivered_on(dt_util.now().date()) == pytest.approx(70)
    assert "scheduled dose not given: Alkalinity has reached its daily cap of 70 ml" in caplog.text


async def test_missed_doses_are_not_piled_up(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """After three hours without a tick (HA down), the missed doses are dropped, not given at once."""
    entry = await _setup(hass, doser_subentry())
    await hass.config_entries.async_unload(entry.entry_id)
    freezer.move_to(midnight + timedelta(hours=3, minutes=30))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert await _run(hass, freezer, entry, 60, step=1) == 0
    assert (await _dose_rows(entry, _doser(entry).subentry_id))[0] == 0


async def test_container_counts_down_and_asks_for_a_refill(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """Each dose leaves the container; at the low level a problem sensor turns on; the refill button clears it."""
    entry = await _setup(hass, doser_subentry(daily_ml=0.0, container_ml=20.0, low_ml=5.0, cap_ml=100.0))
    assert hass.states.get(REMAINING).state == "20.0"  # type: ignore[union-attr]
    await _service(hass, "dose", volume=10)
    await _run(hass, freezer, entry, 22)
    assert hass.states.get(LOW).state == "off"  # type: ignore[union-attr]
    await _service(hass, "dose", volume=6)
    await _run(hass, freezer, entry, 14)
    assert float(hass.states.get(REMAINING).state) == pytest.approx(4)  # type: ignore[union-attr]
    assert hass.states.get(LOW).state == "on"  # type: ignore[union-attr]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert float(hass.states.get(REMAINING).state) == pytest.approx(4)  # type: ignore[union-attr]
    await hass.services.async_call("button", "press", {ATTR_ENTITY_ID: REFILL}, blocking=True)
    await advance(hass, freezer, 1)
    assert float(hass.states.get(REMAINING).state) == pytest.approx(20)  # type: ignore[union-attr]
    assert hass.states.get(LOW).state == "off"  # type: ignore[union-attr]


async def test_safety_and_feed_mode_hold_doses(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, midnight: datetime
) -> None:
    """Safety mode holds every dose; feed mode holds a doser that asks for it; the missed slot is not repeated."""
    entry = await _setup(hass, doser_subentry(), probe_subentry("pH", "ph"))
    water = entry.runtime_data.simulator.tank
    water.ph = water.ph_night = 7.5
    water.ph_day_rise = 0.0
    await _run(hass, freezer, entry, 12, step=1)
    assert hass.states.get("binary_sensor.reef_safety_mode").state == "on"  # type: ignore[union-attr]
    with pytest.raises(ServiceValidationError) as err:
        await _service(hass, "dose", volume=1)
    assert err.value.translation_placeholders == {"name": "Alkalinity", "reason": "safety_mode"}
    await _run(hass, freezer, entry, 10 * 60, step=1)
    water.ph = water.ph_night = 8.1
    await _run(hass, freezer, entry, 12, step=1)
    assert hass.states.get("binary_sensor.reef_safety_mode").state == "off"  # type: ignore[union-attr]
    await hass.services.async_call(
        DOMAIN, "feed_mode", {"config_entry_id": entry.entry_id, "minutes": 90}, blocking=True
    )
    await _run(hass, freezer, entry, 60 * 60, step=5)
    with pytest.raises(ServiceValidationError) as err:
        await _service(hass, "dose", volume=1)
    assert err.value.translation_placeholders == {"name": "Alkalinity", "reason": "feed_mode"}
    assert (await _dose_rows(entry, _doser(entry).subentry_id))[0] == 0
    await hass.services.async_call(
        DOMAIN, "feed_mode", {"config_entry_id": entry.entry_id, "stop": True}, blocking=True
    )
    await _run(hass, freezer, entry, 60 * 60, step=5)
    assert (await _dose_rows(entry, _doser(entry).subentry_id))[0] == 1


async def test_outlet_and_switch_pumps(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A pump on an outlet of the tank is switched through it; one on an HA switch through the switch service.

    A switch that fails leaves the dose unbooked and the failure translated.
    """
    calls: list[ServiceCall] = []
    failing = False

    async def switch(call: ServiceCall) -> None:
        if failing:
            raise HomeAssistantError("relay stuck")
        calls.append(call)

    entry = await _setup(
        hass,
        {
            "data": {"driver": "simulated", "role": "other", "boot_delay": 0},
            "subentry_type": SUBENTRY_OUTLET,
            "title": "Calcium plug",
            "unique_id": "simulated:calcium_plug",
        },
    )
    # The switch integration is loaded by now; its services become the relay's edge.
    hass.services.async_register("switch", "turn_on", switch)
    hass.services.async_register("switch", "turn_off", switch)
    outlet_id = next(iter(entry.subentries))
    flow = await _doser_flow(hass, entry, "outlet", {"outlet": outlet_id}, {"name": "Calcium", **SETTINGS})
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    flow = await _doser_flow(
        hass,
        entry,
        "ha_switch",
        {"entity_id": "switch.kalk_pump"},
        {"name": "Kalk", **SETTINGS, "daily_ml": 0},
    )
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    plug = entry.runtime_data.simulator.outlets
    assert len(plug) == 1
    driver = next(iter(plug.values()))
    assert isinstance(driver, SimulatedOutlet)
    await advance(hass, freezer, 20, steps=20)
    await hass.services.async_call(
        DOMAIN, "dose", {ATTR_ENTITY_ID: "sensor.calcium_remaining", "volume": 2}, blocking=True
    )
    assert driver.is_on
    await advance(hass, freezer, 5, steps=10)
    assert not driver.is_on
    await hass.services.async_call(
        DOMAIN, "dose", {ATTR_ENTITY_ID: "sensor.kalk_remaining", "volume": 1}, blocking=True
    )
    await advance(hass, freezer, 3, steps=6)
    assert [(c.service, c.data["entity_id"]) for c in calls] == [
        ("turn_on", "switch.kalk_pump"),
        ("turn_off", "switch.kalk_pump"),
    ]
    failing = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "dose", {ATTR_ENTITY_ID: "sensor.kalk_remaining", "volume": 1}, blocking=True
        )
    assert err.value.translation_key == "doser_failed"
    kalk = _doser(entry, "Kalk")
    assert kalk.cap.delivered_on(dt_util.now().date()) == pytest.approx(1), "the failed dose is not booked"
    assert kalk.stop_pending, "an off that failed is tried again"
    failing = False
    await advance(hass, freezer, 1)
    assert not kalk.stop_pending
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "dose", {ATTR_ENTITY_ID: "switch.calcium_plug", "volume": 1}, blocking=True
        )
    assert err.value.translation_key == "not_a_doser"


async def _doser_flow(
    hass: HomeAssistant, entry: ReefConfigEntry, pump: str, *steps: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_DOSER), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {"next_step_id": pump})
    for step in steps:
        result = await hass.config_entries.subentries.async_configure(result["flow_id"], step)
    await hass.async_block_till_done()
    return dict(result)


async def test_doser_flow_checks_and_reconfigure(hass: HomeAssistant) -> None:
    """Each bad answer is a translated error on its field; the same pump twice is refused; settings are editable."""
    entry = await _setup(hass, dict(channel_subentry("Blue", address=0x40, output=2)))
    assert (await _doser_flow(hass, entry, "outlet"))["reason"] == "no_outlets"
    form = await _doser_flow(hass, entry, "simulated")
    assert form["step_id"] == "simulated"
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {"address": ADDRESS, "output": 1.5, "duty": 80}
    )
    assert result["errors"] == {"output": "field_not_whole"}
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {"address": ADDRESS, "output": 2, "duty": 80}
    )
    assert result["step_id"] == "settings"
    for changes, error in (
        ({"name": "  "}, {"name": "name_required"}),
        ({"daily_ml": 80.0}, {"daily_ml": "daily_over_cap"}),
        ({"low_ml": 1000.0}, {"low_ml": "low_over_container"}),
        ({"rate": 0}, {"rate": "rate_required"}),
    ):
        result = await hass.config_entries.subentries.async_configure(
            form["flow_id"], {"name": "Magnesium", **SETTINGS, **changes}
        )
        assert result["errors"] == error
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {"name": "Magnesium", **SETTINGS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"pump": "simulated", "address": ADDRESS, "output": 2, "duty": 80.0, **SETTINGS}
    await hass.async_block_till_done()
    again = await _doser_flow(
        hass, entry, "simulated", {"address": ADDRESS, "output": 2, "duty": 50}, {"name": "Again", **SETTINGS}
    )
    assert again["reason"] == "already_configured"
    switch_form = await _doser_flow(hass, entry, "ha_switch")
    assert switch_form["step_id"] == "ha_switch"
    subentry_id = next(sid for sid, sub in entry.subentries.items() if sub.subentry_type == SUBENTRY_DOSER)
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**SETTINGS, "cap_ml": 50.0}
    )
    assert result["errors"] == {"daily_ml": "daily_over_cap"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**SETTINGS, "rate": 0.75, "window_end": "22:00"}
    )
    assert result["type"] is FlowResultType.ABORT, result
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[subentry_id].data["rate"] == 0.75
    assert entry.subentries[subentry_id].data["window_end"] == "22:00:00"
    await hass.async_block_till_done()
    assert _doser(entry, "Magnesium").rate == 0.75


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    """gpiozero's own mock pin factory with PWM pins, as the default factory."""
    factory = MockFactory(pin_class=MockPWMPin)
    Device.pin_factory = factory
    yield factory
    for owner in {owner for owner, _device in gpio._parked.values()}:
        gpio.release_parked(owner)
    factory.reset()
    Device.pin_factory = None


async def test_pumps_on_a_pca9685_and_a_gpio_pin(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    freezer: FrozenDateTimeFactory,
    mock_pins: MockFactory,
) -> None:
    """A doser on a real board's output (the real driver on a simulated chip) and one on a GPIO pin run at their duty.

    An output or pin a light channel uses is refused, as is another PWM frequency on a light's board.
    """
    board = SimulatedI2CBus()
    board.attach(0x40, SimulatedPCA9685())
    buses = {1: board}

    def open_bus(number: int) -> SimulatedI2CBus:
        if number not in buses:
            raise DeviceMissingError(f"I2C bus {number} does not exist")
        return buses[number]

    monkeypatch.setattr("custom_components.bellas_reef.dosers.open_i2c_bus", open_bus)
    light = {
        "data": {**channel_data(driver="pca9685", address=0x40, output=0), "bus": 1, "frequency": 800.0},
        "subentry_type": "channel",
        "title": "Blue",
        "unique_id": "pca9685:1:64:0",
    }
    gpio_light = {
        "data": {**channel_data(driver="gpio"), "pin": 18, "pin_factory": "auto", "frequency": 1000.0},
        "subentry_type": "channel",
        "title": "UV",
        "unique_id": "gpio:18",
    }
    monkeypatch.setattr("custom_components.bellas_reef.drivers.open_i2c_bus", open_bus)
    entry = await _setup(hass, light, gpio_light)
    chip = {"bus": 1, "address": 0x40, "output": 0, "frequency": 800, "duty": 50}
    result = await _doser_flow(hass, entry, "pca9685", chip)
    assert result["errors"] == {"output": "output_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**chip, "output": 3, "frequency": 1000}
    )
    assert result["errors"] == {"frequency": "frequency_differs"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {**chip, "output": 3})
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Calcium", **SETTINGS, "daily_ml": 0}
    )
    assert result["data"]["pump"] == "pca9685"
    pin = {"pin": 18, "pin_factory": "auto", "frequency": 500, "duty": 80}
    result = await _doser_flow(hass, entry, "gpio", pin)
    assert result["errors"] == {"pin": "output_in_use"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {**pin, "pin": 13})
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Magnesium", **SETTINGS, "daily_ml": 0}
    )
    assert result["data"] == {
        "pump": "gpio",
        "pin": 13,
        "pin_factory": "auto",
        "frequency": 500.0,
        "duty": 80.0,
        **SETTINGS,
        "daily_ml": 0.0,
    }
    await hass.async_block_till_done()
    await advance(hass, freezer, 1)
    chip_device = board.device(0x40)
    assert isinstance(chip_device, SimulatedPCA9685)
    await hass.services.async_call(
        DOMAIN, "dose", {ATTR_ENTITY_ID: "sensor.calcium_remaining", "volume": 1}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "dose", {ATTR_ENTITY_ID: "sensor.magnesium_remaining", "volume": 1}, blocking=True
    )
    assert chip_device.output_duty(3) == 2048
    assert mock_pins.pin(13).state == pytest.approx(0.8)
    await advance(hass, freezer, 3, steps=6)
    assert chip_device.output_duty(3) == 0
    assert mock_pins.pin(13).state == 0
    # Without its bus, the doser's doses fail in words; the rest of the tank runs.
    del buses[1]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "dose", {ATTR_ENTITY_ID: "sensor.calcium_remaining", "volume": 1}, blocking=True
        )
    assert err.value.translation_key == "doser_failed"
    await hass.services.async_call(
        DOMAIN, "dose", {ATTR_ENTITY_ID: "sensor.magnesium_remaining", "volume": 1}, blocking=True
    )
    assert mock_pins.pin(13).state == pytest.approx(0.8)
    await advance(hass, freezer, 3, steps=6)
    assert mock_pins.pin(13).state == 0
    # Unloaded before the mock pins go: the pins it parks are released with them, not left to the next test.
    assert await hass.config_entries.async_unload(entry.entry_id)
