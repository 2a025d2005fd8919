"""DC pump channels through Home Assistant on frozen time: presets, gyre, stall speed, feed and safety mode.

Each preset's waveform is read from the simulated chip: period and bounds, the gyre's alternation, feed and safety
mode taking over and handing back.

The pumps share the simulated PCA9685 with a light channel, driven by the lighting engine's tick.
"""

from __future__ import annotations

from collections.abc import Iterator
import itertools
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_PUMP
from custom_components.bellas_reef.hardware import gpio
from custom_components.bellas_reef.hardware.errors import DeviceMissingError
from custom_components.bellas_reef.hardware.simulated import SimulatedI2CBus, SimulatedPCA9685
from custom_components.bellas_reef.models import ReefConfigEntry

from .conftest import advance, channel_subentry, probe_subentry

ADDRESS = 0x40
LEFT, RIGHT = "fan.left_wave", "fan.right_wave"
SETTINGS: dict[str, Any] = {
    "role": "powerhead",
    "speed": 100.0,
    "low": 30.0,
    "on_seconds": 2.0,
    "off_seconds": 3.0,
    "random_seconds": 10.0,
    "gyre_seconds": 10.0,
    "second_of_gyre": False,
    "tide_hours": 6.0,
    "min_speed": 20.0,
    "feed_speed": 0.0,
    "safety_speed": 50.0,
}


def pump_subentry(title: str, output: int, **settings: Any) -> dict[str, Any]:
    """A DC pump on an output of the simulated PCA9685."""
    return {
        "data": {"pump": "simulated", "address": ADDRESS, "output": output, **SETTINGS, **settings},
        "subentry_type": SUBENTRY_PUMP,
        "title": title,
        "unique_id": f"pump:simulated:{ADDRESS}:{output}",
    }


@pytest.fixture
async def tank(hass: HomeAssistant) -> ReefConfigEntry:
    """A light and two wave makers on one simulated board, and a pH probe."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[
            dict(channel_subentry("Blue", address=ADDRESS, output=0)),
            pump_subentry("Left wave", 14),
            pump_subentry("Right wave", 15, second_of_gyre=True),
            dict(probe_subentry("pH", "ph")),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _speed(entry: ReefConfigEntry, output: int) -> float:
    """The share of full speed the chip's output drives now."""
    chip = entry.runtime_data.simulator.bus.device(ADDRESS)
    assert isinstance(chip, SimulatedPCA9685)
    return round(chip.output_duty(output) / 4096, 3)


async def _fan(hass: HomeAssistant, service: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call("fan", service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True)


async def _trace(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry: ReefConfigEntry, seconds: float, step: float
) -> list[tuple[float, float]]:
    """Both pumps' speeds after each step."""
    speeds = []
    for _ in range(round(seconds / step)):
        await advance(hass, freezer, step)
        speeds.append((_speed(entry, 14), _speed(entry, 15)))
    return speeds


async def test_presets_make_their_waveforms(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Constant, pulse (period and bounds), gyre (the two pumps alternate), random (within bounds), tidal."""
    await advance(hass, freezer, 2, steps=4)
    state = hass.states.get(LEFT)
    assert state is not None
    assert state.state == "on"
    assert state.attributes["preset_mode"] == "constant"
    assert state.attributes["percentage"] == 100
    assert _speed(tank, 14) == 1.0

    await _fan(hass, "set_preset_mode", LEFT, preset_mode="pulse")
    left = [left for left, _right in await _trace(hass, freezer, tank, 20, 0.5)]
    assert set(left) == {1.0, 0.3}
    # 2 s high, 3 s low: every 5 s the same.
    assert left[10:20] == left[20:30] == left[30:40]
    assert left[10:20].count(1.0) == 4

    for entity_id in (LEFT, RIGHT):
        await _fan(hass, "set_preset_mode", entity_id, preset_mode="gyre")
    trace = await _trace(hass, freezer, tank, 40, 1)
    assert all({left, right} == {1.0, 0.3} for left, right in trace[1:])
    leads = [left > right for left, right in trace[1:]]
    assert 3 <= sum(1 for a, b in itertools.pairwise(leads) if a != b) <= 4, "a lead every 10 s"

    await _fan(hass, "set_preset_mode", LEFT, preset_mode="random")
    left = [left for left, _right in await _trace(hass, freezer, tank, 60, 1)]
    assert min(left) >= 0.3
    assert max(left) <= 1.0
    assert len(set(left)) > 10

    await _fan(hass, "set_preset_mode", LEFT, preset_mode="tidal")
    await advance(hass, freezer, 1)
    tide = _speed(tank, 14)
    assert 0.3 <= tide <= 1.0
    # No state write for every step of a wave: the entity shows the keeper's choice.
    assert hass.states.get(LEFT).attributes["preset_mode"] == "tidal"  # type: ignore[union-attr]


async def test_speed_stall_and_off(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A speed below the stall speed runs at it; 0 % and turn off stop the pump; turn on brings it back."""
    await _fan(hass, "set_percentage", LEFT, percentage=10)
    await advance(hass, freezer, 1)
    assert _speed(tank, 14) == 0.2
    await _fan(hass, "set_percentage", LEFT, percentage=60)
    await advance(hass, freezer, 1)
    assert _speed(tank, 14) == 0.6
    await _fan(hass, "set_percentage", LEFT, percentage=0)
    await advance(hass, freezer, 1)
    assert _speed(tank, 14) == 0
    assert hass.states.get(LEFT).state == "off"  # type: ignore[union-attr]
    await _fan(hass, "turn_on", LEFT, preset_mode="pulse")
    await advance(hass, freezer, 1)
    assert hass.states.get(LEFT).attributes["preset_mode"] == "pulse"  # type: ignore[union-attr]
    await _fan(hass, "turn_off", LEFT)
    assert await hass.config_entries.async_reload(tank.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 1)
    state = hass.states.get(LEFT)
    assert state is not None
    assert state.state == "off"
    assert state.attributes["preset_mode"] == "pulse", "mode and speed survive a restart"
    assert state.attributes["percentage"] == 60


async def test_feed_and_safety_take_over_and_hand_back(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Feed mode stops powerheads (their feed speed), safety mode runs every pump at its safety speed; both end."""
    for entity_id in (LEFT, RIGHT):
        await _fan(hass, "set_preset_mode", entity_id, preset_mode="gyre")
    await hass.services.async_call(
        DOMAIN, "feed_mode", {"config_entry_id": tank.entry_id, "minutes": 1}, blocking=True
    )
    await advance(hass, freezer, 2, steps=2)
    assert (_speed(tank, 14), _speed(tank, 15)) == (0, 0)
    assert hass.states.get(LEFT).attributes["held_by"] == "feed_mode"  # type: ignore[union-attr]
    await advance(hass, freezer, 60, steps=60)
    assert {_speed(tank, 14), _speed(tank, 15)} == {1.0, 0.3}
    assert hass.states.get(LEFT).attributes["held_by"] is None  # type: ignore[union-attr]

    water = tank.runtime_data.simulator.tank
    water.ph = water.ph_night = 7.5
    water.ph_day_rise = 0.0
    await advance(hass, freezer, 12, steps=12)
    assert hass.states.get("binary_sensor.reef_safety_mode").state == "on"  # type: ignore[union-attr]
    assert (_speed(tank, 14), _speed(tank, 15)) == (0.5, 0.5)
    water.ph = water.ph_night = 8.1
    await advance(hass, freezer, 12, steps=12)
    assert hass.states.get("binary_sensor.reef_safety_mode").state == "off"  # type: ignore[union-attr]
    assert {_speed(tank, 14), _speed(tank, 15)} == {1.0, 0.3}


async def _pump_flow(
    hass: HomeAssistant, entry: ReefConfigEntry, kind: str, *steps: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_PUMP), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {"next_step_id": kind})
    for step in steps:
        result = await hass.config_entries.subentries.async_configure(result["flow_id"], step)
    await hass.async_block_till_done()
    return dict(result)


async def test_pump_flow(hass: HomeAssistant, tank: ReefConfigEntry) -> None:
    """Outputs of lights are refused, bad answers are errors on their fields, settings are editable later."""
    result = await _pump_flow(hass, tank, "simulated", {"address": ADDRESS, "output": 0})
    assert result["errors"] == {"output": "output_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"address": ADDRESS, "output": 1.5}
    )
    assert result["errors"] == {"output": "field_not_whole"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"address": ADDRESS, "output": 3}
    )
    assert result["step_id"] == "settings"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Return", **SETTINGS, "low": 100.0, "speed": 50.0}
    )
    assert result["errors"] == {"low": "low_over_speed"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Return", **SETTINGS, "role": "return_pump"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "pump": "simulated",
        "address": ADDRESS,
        "output": 3,
        **SETTINGS,
        "role": "return_pump",
    }
    await hass.async_block_till_done()
    again = await _pump_flow(
        hass, tank, "simulated", {"address": ADDRESS, "output": 3}, {"name": "Again", **SETTINGS}
    )
    assert again["reason"] == "already_configured"
    for kind in ("pca9685", "gpio"):
        form = await _pump_flow(hass, tank, kind)
        assert form["step_id"] == kind
    subentry_id = next(sid for sid, sub in tank.subentries.items() if sub.title == "Return")
    result = await tank.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**SETTINGS, "speed": 50.0, "low": 100.0}
    )
    assert result["errors"] == {"low": "low_over_speed"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**SETTINGS, "safety_speed": 80.0}
    )
    assert result["reason"] == "reconfigure_successful"
    assert tank.subentries[subentry_id].data["safety_speed"] == 80.0


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


async def test_pumps_on_their_own_boards(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    freezer: FrozenDateTimeFactory,
    mock_pins: MockFactory,
) -> None:
    """Pumps on a board no light uses (the real PCA9685 driver), on a GPIO pin, and on a missing bus.

    The first two run (with no light on the tank, the engine still ticks for them); the last is unavailable while
    the others go on.
    """
    board = SimulatedI2CBus()
    board.attach(0x41, SimulatedPCA9685())

    def open_bus(number: int) -> SimulatedI2CBus:
        if number != 1:
            raise DeviceMissingError(f"I2C bus {number} does not exist")
        return board

    monkeypatch.setattr("custom_components.bellas_reef.pump_channels.open_i2c_bus", open_bus)
    chip = {"pump": "pca9685", "bus": 1, "address": 0x41, "output": 0, "frequency": 1000.0}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[
            {
                "data": {**chip, **SETTINGS},
                "subentry_type": SUBENTRY_PUMP,
                "title": "Return",
                "unique_id": "a",
            },
            {
                "data": {"pump": "gpio", "pin": 13, "pin_factory": "auto", "frequency": 500.0, **SETTINGS},
                "subentry_type": SUBENTRY_PUMP,
                "title": "Gyre",
                "unique_id": "b",
            },
            {
                "data": {**chip, "bus": 7, **SETTINGS},
                "subentry_type": SUBENTRY_PUMP,
                "title": "Lost",
                "unique_id": "c",
            },
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _fan(hass, "set_percentage", "fan.return", percentage=40)
    await _fan(hass, "set_percentage", "fan.gyre", percentage=70)
    await advance(hass, freezer, 30, steps=30)
    device = board.device(0x41)
    assert isinstance(device, SimulatedPCA9685)
    assert device.output_duty(0) == round(0.4 * 4096)
    assert mock_pins.pin(13).state == pytest.approx(0.7)
    assert hass.states.get("fan.lost").state == "unavailable"  # type: ignore[union-attr]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert mock_pins.pin(13).state == pytest.approx(0.7), "a GPIO pump keeps running across a reload"
