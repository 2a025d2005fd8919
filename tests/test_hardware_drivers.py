"""Real drivers through Home Assistant: PCA9685 and GPIO channels, DS18B20 and EZO probes, adopted entities.

Only the outermost edge is simulated: the I2C bus (a register-accurate PCA9685 and EZO circuits behind it, driven
by the real Adafruit and EZO drivers), gpiozero's mock pin factory, and a 1-wire sysfs tree in a temp folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, UnitOfConductivity
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_CHANNEL, SUBENTRY_PROBE
from custom_components.bellas_reef.hardware import gpio
from custom_components.bellas_reef.hardware.errors import DeviceMissingError
from custom_components.bellas_reef.hardware.ezo import CalibrationPoint, EzoCircuit
from custom_components.bellas_reef.hardware.simulated import SimulatedEzo, SimulatedI2CBus, SimulatedPCA9685

from .conftest import advance

COMMON = {"role": "white", "curve": "cie1931", "min_output": 0, "max_output": 100, "override_minutes": 60}
W1_GOOD = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=25125\n"


@pytest.fixture
def i2c(monkeypatch: pytest.MonkeyPatch) -> SimulatedI2CBus:
    """Bus 1: a PCA9685 at 0x41 and EZO circuits; bus 2: nothing; bus 3: every transaction fails."""
    bus = SimulatedI2CBus()
    bus.attach(0x41, SimulatedPCA9685())
    bus.attach(0x63, SimulatedEzo(EzoCircuit.PH, 8.12))
    bus.attach(0x62, SimulatedEzo(EzoCircuit.ORP, 355.0))

    broken = SimulatedI2CBus(failure_rate=1.0)
    broken.attach(0x63, SimulatedEzo(EzoCircuit.PH, 8.0))
    bus.attach(0x64, SimulatedEzo(EzoCircuit.EC, 53_000.0))
    bus.attach(0x61, SimulatedEzo(EzoCircuit.DO, 6.8))
    buses = {1: bus, 2: SimulatedI2CBus(), 3: broken}

    def open_bus(number: int) -> SimulatedI2CBus:
        if number not in buses:
            raise DeviceMissingError(f"I2C bus {number} does not exist")
        return buses[number]

    monkeypatch.setattr("custom_components.bellas_reef.drivers.open_i2c_bus", open_bus)
    return bus


@pytest.fixture
def w1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 1-wire sysfs tree with one good DS18B20."""
    root = tmp_path / "w1"
    (root / "28-0000075a1b2c").mkdir(parents=True)
    (root / "28-0000075a1b2c" / "w1_slave").write_text(W1_GOOD)
    monkeypatch.setattr("custom_components.bellas_reef.drivers.W1_ROOT", root)
    return root


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


@pytest.fixture
async def controller(hass: HomeAssistant) -> MockConfigEntry:
    """An empty controller."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _flow(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str, driver: str, *steps: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {"next_step_id": driver})
    for step in steps:
        result = await hass.config_entries.subentries.async_configure(result["flow_id"], step)
    await hass.async_block_till_done()
    return dict(result)


async def _light_on(hass: HomeAssistant, entity_id: str, brightness: int) -> None:
    await hass.services.async_call(
        "light", "turn_on", {ATTR_ENTITY_ID: entity_id, "brightness": brightness}, blocking=True
    )


async def test_pca9685_channel_found_on_the_bus(
    hass: HomeAssistant, controller: MockConfigEntry, i2c: SimulatedI2CBus, freezer: FrozenDateTimeFactory
) -> None:
    """The flow lists the boards that answer; the light drives the chip through the Adafruit driver."""
    result = await _flow(hass, controller, SUBENTRY_CHANNEL, "pca9685", {"bus": 7})
    assert result["errors"] == {"bus": "bus_not_found"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {"bus": 1})
    assert result["step_id"] == "pca9685_board"
    options = result["data_schema"].schema["address"].config["options"]
    assert options == [
        {"value": str(address), "label": hex(address)} for address in (0x41, 0x61, 0x62, 0x63, 0x64)
    ]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Royal blue", "address": "65", "output": 3, "frequency": 1000, **COMMON}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["bus"] == 1
    assert result["data"]["address"] == 65
    await hass.async_block_till_done()

    await _light_on(hass, "light.royal_blue", 255)
    await advance(hass, freezer, 3)
    chip = i2c.device(0x41)
    assert isinstance(chip, SimulatedPCA9685)
    assert chip.output_duty(3) == 4096
    assert chip.frequency == pytest.approx(1000, rel=0.03)


async def test_pca9685_bus_without_boards(
    hass: HomeAssistant, controller: MockConfigEntry, i2c: SimulatedI2CBus
) -> None:
    """A bus where nothing answers says so."""
    result = await _flow(hass, controller, SUBENTRY_CHANNEL, "pca9685", {"bus": 2})
    assert result["errors"] == {"bus": "no_boards_found"}


async def test_missing_board_raises_and_clears_a_repair_issue(
    hass: HomeAssistant, controller: MockConfigEntry, i2c: SimulatedI2CBus, freezer: FrozenDateTimeFactory
) -> None:
    """A board gone for more than 5 minutes is a repair issue; it goes away when the board answers again."""
    await _flow(
        hass,
        controller,
        SUBENTRY_CHANNEL,
        "pca9685",
        {"bus": 1},
        {"name": "Blue", "address": "65", "output": 0, "frequency": 1000, **COMMON},
    )
    await _light_on(hass, "light.blue", 200)
    i2c.vanish(0x41)
    await advance(hass, freezer, 6 * 60, steps=36)
    issues = ir.async_get(hass)
    issue_id = f"device_missing_{controller.entry_id}_pca9685_1_41"
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get("light.blue").state == "unavailable"  # type: ignore[union-attr]
    i2c.reappear(0x41)
    await advance(hass, freezer, 5, steps=5)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("light.blue").state == "on"  # type: ignore[union-attr]


async def test_gpio_channel(
    hass: HomeAssistant, controller: MockConfigEntry, mock_pins: MockFactory, freezer: FrozenDateTimeFactory
) -> None:
    """A GPIO channel drives gpiozero's PWM pin; two channels cannot share a pin."""
    form = {"name": "UV", "pin": 18, "pin_factory": "auto", "frequency": 800, **COMMON}
    result = await _flow(hass, controller, SUBENTRY_CHANNEL, "gpio", form)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _light_on(hass, "light.uv", 255)
    await advance(hass, freezer, 3)
    pin = mock_pins.pin(18)
    assert pin.state == 1
    assert pin.frequency == 800
    await _light_on(hass, "light.uv", 128)
    await advance(hass, freezer, 3)
    assert 0.15 < pin.state < 0.25
    # A reload (every rule edit is one) keeps the light exactly where it is: no blink to dark.
    level = pin.state
    pin.clear_states()
    assert await hass.config_entries.async_reload(controller.entry_id)
    await advance(hass, freezer, 3)
    assert pin.state == level
    assert all(state == level for _, state in pin.states)
    result = await _flow(hass, controller, SUBENTRY_CHANNEL, "gpio", form | {"name": "UV 2"})
    assert result["errors"] == {"base": "already_configured"}


async def test_gpio_channel_on_hardware_pwm(
    hass: HomeAssistant,
    controller: MockConfigEntry,
    mock_pins: MockFactory,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GPIO 18 with the kernel's PWM enabled is driven through /sys/class/pwm, not gpiozero's software PWM."""
    chip = tmp_path / "pwm" / "pwmchip0"
    (chip / "pwm0").mkdir(parents=True)
    (chip / "npwm").write_text("2\n")
    for name in ("period", "duty_cycle", "enable"):
        (chip / "pwm0" / name).write_text("0\n")
    monkeypatch.setattr("custom_components.bellas_reef.drivers.PWM_ROOT", tmp_path / "pwm")
    form = {"name": "Moon", "pin": 18, "pin_factory": "auto", "frequency": 2000, **COMMON}
    result = await _flow(hass, controller, SUBENTRY_CHANNEL, "gpio", form)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _light_on(hass, "light.moon", 255)
    await advance(hass, freezer, 3)
    assert (chip / "pwm0" / "period").read_text() == "500000"
    assert (chip / "pwm0" / "duty_cycle").read_text() == "500000"
    assert (chip / "pwm0" / "enable").read_text() == "1"
    assert mock_pins.pin(18).frequency is None
    board = next(iter(controller.runtime_data.lighting.boards.values()))
    assert board.model == "Raspberry Pi hardware PWM"


async def test_adopted_light_follows_the_program_and_reports_manual_changes(
    hass: HomeAssistant, controller: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """An HA light (a template light here) is driven by the program; a change made elsewhere is an override."""
    assert await async_setup_component(
        hass, "input_number", {"input_number": {"sump_level": {"min": 0, "max": 255, "initial": 0}}}
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "light": [
                        {
                            "name": "Sump light",
                            "state": "{{ states('input_number.sump_level') | int > 0 }}",
                            "level": "{{ states('input_number.sump_level') | int }}",
                            "turn_on": {
                                "action": "input_number.set_value",
                                "target": {"entity_id": "input_number.sump_level"},
                                "data": {"value": 255},
                            },
                            "turn_off": {
                                "action": "input_number.set_value",
                                "target": {"entity_id": "input_number.sump_level"},
                                "data": {"value": 0},
                            },
                            "set_level": {
                                "action": "input_number.set_value",
                                "target": {"entity_id": "input_number.sump_level"},
                                "data": {"value": "{{ brightness }}"},
                            },
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    result = await _flow(
        hass,
        controller,
        SUBENTRY_CHANNEL,
        "ha_light",
        {
            "name": "Refugium",
            "entity_id": "light.sump_light",
            **COMMON,
            "curve": "linear",
            "role": "refugium",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.services.async_call(
        DOMAIN,
        "set_program",
        {ATTR_ENTITY_ID: "light.refugium", "program": "static", "level": 50},
        blocking=True,
    )
    await advance(hass, freezer, 3, steps=3)
    assert float(hass.states.get("input_number.sump_level").state) == 128  # type: ignore[union-attr]

    await hass.services.async_call(
        "input_number", "set_value", {ATTR_ENTITY_ID: "input_number.sump_level", "value": 40}, blocking=True
    )
    await advance(hass, freezer, 3, steps=3)
    channel = next(iter(controller.runtime_data.lighting.channels.values()))
    assert channel.plan.override is not None
    assert channel.plan.override.level == pytest.approx(40 / 255)
    assert float(hass.states.get("input_number.sump_level").state) == 40  # type: ignore[union-attr]

    with pytest.raises(InvalidData):
        await _flow(
            hass,
            controller,
            SUBENTRY_CHANNEL,
            "ha_light",
            {"name": "Loop", "entity_id": "light.refugium", **COMMON},
        )


async def test_ds18b20_probe(hass: HomeAssistant, controller: MockConfigEntry, w1: Path) -> None:
    """The flow lists the sensors the kernel sees; the sensor reads the water; CRC failures make it unavailable."""
    result = await _flow(
        hass, controller, SUBENTRY_PROBE, "ds18b20", {"name": "Water", "device_id": "28-0000075a1b2c"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    state = hass.states.get("sensor.water")
    assert state is not None
    assert float(state.state) == 25.125
    assert state.attributes["unit_of_measurement"] == "°C"


async def test_ds18b20_none_found(
    hass: HomeAssistant, controller: MockConfigEntry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without sensors on the bus the flow stops with an explanation."""
    monkeypatch.setattr("custom_components.bellas_reef.drivers.W1_ROOT", tmp_path / "empty")
    result = await _flow(hass, controller, SUBENTRY_PROBE, "ds18b20")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_sensors_found"


async def test_ezo_ph_probe_with_compensation_and_calibration(
    hass: HomeAssistant, controller: MockConfigEntry, i2c: SimulatedI2CBus, w1: Path
) -> None:
    """The circuit is asked what it is; readings are compensated by the tank's thermometer; calibration works."""
    await _flow(
        hass, controller, SUBENTRY_PROBE, "ds18b20", {"name": "Water", "device_id": "28-0000075a1b2c"}
    )
    thermometer = next(sid for sid, sub in controller.subentries.items() if sub.title == "Water")
    form = {"name": "pH", "bus": 1, "address": 0x62, "temperature_probe": thermometer}
    result = await _flow(hass, controller, SUBENTRY_PROBE, "ezo_ph", form)
    assert result["errors"] == {"base": "wrong_device"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], form | {"address": 0x70})
    assert result["errors"] == {"base": "device_not_found"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], form | {"bus": 4})
    assert result["errors"] == {"bus": "bus_not_found"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"bus": 3, "address": 0x63}
    )
    assert result["errors"] == {"base": "device_error"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], form | {"address": 0x63})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    assert float(hass.states.get("sensor.ph").state) == pytest.approx(8.12)  # type: ignore[union-attr]
    await controller.runtime_data.probes.async_refresh()
    circuit = i2c.device(0x63)
    assert isinstance(circuit, SimulatedEzo)
    assert circuit.temperature == pytest.approx(25.125)

    await hass.services.async_call(
        DOMAIN, "calibrate_probe", {ATTR_ENTITY_ID: "sensor.ph", "point": "mid", "value": 7.0}, blocking=True
    )
    assert CalibrationPoint.MID in circuit.calibrated
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "calibrate_probe", {ATTR_ENTITY_ID: "sensor.ph", "point": "dry"}, blocking=True
        )
    assert err.value.translation_key == "invalid_calibration"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "calibrate_probe", {ATTR_ENTITY_ID: "sensor.water", "point": "clear"}, blocking=True
        )
    assert err.value.translation_key == "not_calibratable"
    i2c.vanish(0x63)
    with pytest.raises(HomeAssistantError) as failure:
        await hass.services.async_call(
            DOMAIN, "calibrate_probe", {ATTR_ENTITY_ID: "sensor.ph", "point": "clear"}, blocking=True
        )
    assert failure.value.translation_key == "calibration_failed"


async def test_ezo_orp_probe(hass: HomeAssistant, controller: MockConfigEntry, i2c: SimulatedI2CBus) -> None:
    """An ORP circuit has no temperature compensation field and reads millivolts."""
    result = await _flow(hass, controller, SUBENTRY_PROBE, "ezo_orp")
    assert "temperature_probe" not in {str(key) for key in result["data_schema"].schema}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Redox", "bus": 1, "address": 0x62}
    )
    await hass.async_block_till_done()
    state = hass.states.get("sensor.redox")
    assert state is not None
    assert float(state.state) == pytest.approx(355.0)
    assert state.attributes["unit_of_measurement"] == "mV"


async def test_adopted_sensor(
    hass: HomeAssistant, controller: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Any HA sensor can be a probe: its value is read on each poll; a non-number makes it unavailable."""
    hass.states.async_set("sensor.esphome_salinity", "35.2")
    result = await _flow(
        hass,
        controller,
        SUBENTRY_PROBE,
        "ha_sensor",
        {"name": "Salinity", "entity_id": "sensor.esphome_salinity", "kind": "salinity"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert float(hass.states.get("sensor.salinity").state) == 35.2  # type: ignore[union-attr]
    hass.states.async_set("sensor.esphome_salinity", "unavailable")
    await advance(hass, freezer, 40, steps=4)
    assert hass.states.get("sensor.salinity").state == "unavailable"  # type: ignore[union-attr]
    hass.states.async_set("sensor.esphome_salinity", "35.4")
    await advance(hass, freezer, 10)
    assert float(hass.states.get("sensor.salinity").state) == 35.4  # type: ignore[union-attr]
    hass.states.async_remove("sensor.esphome_salinity")
    await advance(hass, freezer, 40, steps=4)
    assert hass.states.get("sensor.salinity").state == "unavailable"  # type: ignore[union-attr]

    with pytest.raises(InvalidData):
        await _flow(
            hass,
            controller,
            SUBENTRY_PROBE,
            "ha_sensor",
            {"name": "Loop", "entity_id": "sensor.salinity", "kind": "ph"},
        )


async def test_reconfigure_a_real_channel(
    hass: HomeAssistant, controller: MockConfigEntry, i2c: SimulatedI2CBus
) -> None:
    """A PCA9685 channel's fields can be edited later without scanning again."""
    await _flow(
        hass,
        controller,
        SUBENTRY_CHANNEL,
        "pca9685",
        {"bus": 1},
        {"name": "Blue", "address": "65", "output": 0, "frequency": 1000, **COMMON},
    )
    subentry_id = next(iter(controller.subentries))
    result = await controller.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Deep blue", "bus": 1, "address": 65, "output": 5, "frequency": 500, **COMMON},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert controller.subentries[subentry_id].unique_id == "pca9685:1:65:5"


@pytest.mark.usefixtures("i2c")
async def test_missing_bus_keeps_the_controller_running(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A channel and a probe on a bus that does not exist are unavailable; the rest of the tank works."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[
            {
                "data": {
                    "driver": "pca9685",
                    "bus": 3,
                    "address": 64,
                    "output": 0,
                    "frequency": 1000.0,
                    **COMMON,
                },
                "subentry_type": "channel",
                "title": "Lost",
                "unique_id": "pca9685:3:64:0",
            },
            {
                "data": {"driver": "ezo_ph", "bus": 3, "address": 99},
                "subentry_type": "probe",
                "title": "Lost pH",
                "unique_id": "ezo:3:99",
            },
            {
                "data": {"driver": "simulated", "kind": "temperature"},
                "subentry_type": "probe",
                "title": "Temperature",
                "unique_id": "simulated:temperature",
            },
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 40, steps=4)
    assert hass.states.get("light.lost").state == "unavailable"  # type: ignore[union-attr]
    assert hass.states.get("sensor.lost_ph").state == "unavailable"  # type: ignore[union-attr]
    assert hass.states.get("sensor.temperature").state != "unavailable"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("driver", "address", "entity_id", "value", "unit"),
    [
        ("ezo_ec", 0x64, "sensor.conductivity", 53_000.0, UnitOfConductivity.MICROSIEMENS_PER_CM),
        ("ezo_do", 0x61, "sensor.oxygen", 6.8, "mg/L"),
    ],
)
async def test_ezo_conductivity_and_oxygen(
    hass: HomeAssistant,
    controller: MockConfigEntry,
    i2c: SimulatedI2CBus,
    driver: str,
    address: int,
    entity_id: str,
    value: float,
    unit: str,
) -> None:
    """EC and DO circuits read with their units (no thermometer on this tank, so no compensation field)."""
    result = await _flow(hass, controller, SUBENTRY_PROBE, driver)
    assert "temperature_probe" not in {str(key) for key in result["data_schema"].schema}
    name = entity_id.removeprefix("sensor.").title()
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": name, "bus": 1, "address": address}
    )
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state is not None
    assert float(state.state) == pytest.approx(value)
    assert state.attributes["unit_of_measurement"] == unit
