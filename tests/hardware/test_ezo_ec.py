"""The conductivity circuit's extra outputs: enabling them, parsing its replies, and the simulated circuit."""

import math

from hypothesis import given, strategies as st
import pytest

from custom_components.bellas_reef.hardware.errors import ProbeReadError
from custom_components.bellas_reef.hardware.ezo import (
    EcOutput,
    EzoCircuit,
    EzoCommand,
    EzoProbe,
    output_commands,
    parse_ec_reading,
)
from custom_components.bellas_reef.hardware.seawater import (
    density,
    practical_salinity,
    specific_gravity,
)
from custom_components.bellas_reef.hardware.simulated import SimulatedI2CBus
from custom_components.bellas_reef.hardware.tank import ProbeKind

from .test_ezo import Clock, circuit_on_bus, exchange

SAL, SG, EC = ProbeKind.SALINITY, ProbeKind.SPECIFIC_GRAVITY, ProbeKind.CONDUCTIVITY


def test_outputs_are_enabled_in_the_datasheets_words() -> None:
    """Conductivity, salinity and SG on, TDS off; each a short command (300 ms)."""
    commands = output_commands()
    assert [command.text for command in commands] == ["O,EC,1", "O,TDS,0", "O,S,1", "O,SG,1"]
    assert {command.delay for command in commands} == {0.3}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("53000,34.95,1.026", {EC: 53000.0, SAL: 34.95, SG: 1.026}),
        ("50000,32.4,1.0240", {EC: 50000.0, SAL: 32.4, SG: 1.024}),
        ("1413,0.69,1.000", {EC: 1413.0, SAL: 0.69, SG: 1.0}),
        ("0.07,0.00,1.000", {EC: 0.07, SAL: 0.0, SG: 1.0}),
        ("500000,42.00,1.300", {EC: 500000.0, SAL: 42.0, SG: 1.3}),
    ],
)
def test_replies_in_datasheet_order(reply: str, expected: dict[ProbeKind, float]) -> None:
    """EC, then salinity (PSU), then SG, as the circuit sends them with TDS off."""
    assert parse_ec_reading(reply) == expected


@pytest.mark.parametrize(
    "reply",
    [
        "53000",  # factory outputs: conductivity alone
        "50000,27000,32.4,1.024",  # TDS left on
        "No output",
        "",
        "53,000,34.95,1.026",  # a thousands separator would shift every field
        "53000,,1.026",
        "53000,34.95,1.026,",
        "1e5,34.95,1.026",
        "nan,34.95,1.026",
        "53000,inf,1.026",
        "53000,34.95,1_026",
        " 53000,34.95,1.026",
        "53000,34.95,1.026\r",
        "５３０００,34.95,1.026",
        "53000;34.95;1.026",
        "0x10,34.95,1.026",
    ],
)
def test_replies_of_another_shape_are_refused(reply: str) -> None:
    """Anything but three plain decimal numbers is not a reading."""
    with pytest.raises(ValueError, match=r"values where|not a decimal number"):
        parse_ec_reading(reply)


@given(st.text(max_size=60))
def test_any_reply_is_a_reading_or_refused(reply: str) -> None:
    """Whatever arrives, the parser gives three finite numbers or a ValueError, never anything else."""
    try:
        values = parse_ec_reading(reply)
    except ValueError:
        return
    assert list(values) == [EC, SAL, SG]
    assert all(math.isfinite(value) for value in values.values())


@given(
    st.decimals(0, 10**6, places=2),
    st.decimals(0, 99, places=2),
    st.decimals(1, 2, places=4),
)
def test_written_readings_read_back(conductivity: object, salinity: object, gravity: object) -> None:
    """Numbers written the circuit's way read back as the same numbers."""
    reply = f"{conductivity},{salinity},{gravity}"
    assert parse_ec_reading(reply) == {
        EC: float(str(conductivity)),
        SAL: float(str(salinity)),
        SG: float(str(gravity)),
    }


def test_seawater_against_the_unesco_check_values() -> None:
    """PSS-78 and EOS-80 give UNESCO's published values (35 for 53.065 mS/cm at 25 °C, the density checks)."""
    assert practical_salinity(42_914.0, 15.0) == pytest.approx(35.0, abs=1e-6)
    assert practical_salinity(53_065.0, 25.0) == pytest.approx(35.0, abs=0.002)
    assert practical_salinity(0.0, 25.0) == pytest.approx(0.0, abs=0.02)
    assert density(0.0, 5.0) == pytest.approx(999.96675, abs=1e-4)
    assert density(35.0, 5.0) == pytest.approx(1027.67547, abs=1e-4)
    assert density(35.0, 25.0) == pytest.approx(1023.34306, abs=1e-4)
    assert specific_gravity(35.0, 25.0) == pytest.approx(1.0264, abs=1e-4)
    assert specific_gravity(0.0, 25.0) == 1.0
    with pytest.raises(ValueError, match="negative"):
        practical_salinity(-1.0, 25.0)
    with pytest.raises(ValueError, match="negative"):
        density(-1.0, 25.0)


def test_simulated_circuit_starts_with_conductivity_alone(bus: SimulatedI2CBus) -> None:
    """Firmware 2.10 and later: EC only until told; the outputs survive a power cycle, as in EEPROM."""
    clock = Clock()
    chip = circuit_on_bus(bus, clock, EzoCircuit.EC, 53_065.0)
    probe = EzoProbe(bus, EzoCircuit.EC)
    assert not probe.outputs_set
    assert exchange(probe, clock, EzoCommand("O,?", 0.3)) == "?O,EC"
    assert exchange(probe, clock, EzoCommand("R", 0.9)) == "53065.00"
    for command in output_commands():
        assert exchange(probe, clock, command) == ""
    assert exchange(probe, clock, EzoCommand("O,?", 0.3)) == "?O,EC,S,SG"
    assert exchange(probe, clock, EzoCommand("R", 0.9)) == "53065.00,35.00,1.026"
    chip.power_on_reset()
    assert exchange(probe, clock, EzoCommand("O,tds,1", 0.3)) == ""
    assert exchange(probe, clock, EzoCommand("R", 0.9)) == "53065.00,28655,35.00,1.026"
    for output in EcOutput:
        exchange(probe, clock, EzoCommand(f"O,{output},0", 0.3))
    assert exchange(probe, clock, EzoCommand("O,?", 0.3)) == "?O,No output"
    assert exchange(probe, clock, EzoCommand("R", 0.9)) == "No output"


@pytest.mark.parametrize("text", ["O,X,1", "O,EC,2", "O,EC", "O", "O,S,1,1"])
def test_simulated_circuit_refuses_bad_output_commands(bus: SimulatedI2CBus, text: str) -> None:
    """An unknown parameter or flag is a syntax error, and changes nothing."""
    clock = Clock()
    chip = circuit_on_bus(bus, clock, EzoCircuit.EC, 53_000.0)
    with pytest.raises(ProbeReadError, match="rejected the command"):
        exchange(EzoProbe(bus, EzoCircuit.EC), clock, EzoCommand(text, 0.3))
    assert chip.outputs == {EcOutput.CONDUCTIVITY}


def test_only_the_conductivity_circuit_has_outputs(bus: SimulatedI2CBus) -> None:
    """The pH circuit knows no ``O`` command."""
    clock = Clock()
    circuit_on_bus(bus, clock, EzoCircuit.PH, 8.1)
    probe = EzoProbe(bus, EzoCircuit.PH)
    assert probe.outputs_set
    with pytest.raises(ProbeReadError, match="rejected the command"):
        exchange(probe, clock, EzoCommand("O,S,1", 0.3))


def test_salinity_follows_conductivity_and_compensation_temperature(bus: SimulatedI2CBus) -> None:
    """Warmer water conducts more: salinity holds when the circuit is told the temperature, reads high if not."""
    clock = Clock()
    chip = circuit_on_bus(bus, clock, EzoCircuit.EC, 53_065.0)
    probe = EzoProbe(bus, EzoCircuit.EC)
    for command in output_commands():
        exchange(probe, clock, command)
    clock.sleep(probe.start_reading(25.0))
    at_25 = probe.fetch_ec_reading()
    assert at_25 == {EC: 53065.0, SAL: 35.0, SG: 1.026}
    chip.value = 53_065.0 * 1.04  # two degrees warmer, about 2 % a degree
    clock.sleep(probe.start_reading(27.0))
    at_27 = probe.fetch_ec_reading()
    assert at_27[SAL] == pytest.approx(35.0, abs=0.3)
    clock.sleep(probe.start_reading(25.0))
    assert probe.fetch_ec_reading()[SAL] > 36.0
    chip.value = 45_000.0
    clock.sleep(probe.start_reading(25.0))
    brackish = probe.fetch_ec_reading()
    assert brackish[SAL] < 30.0
    assert brackish[SG] < at_25[SG]


def test_a_reply_of_the_wrong_shape_asks_for_the_outputs_again(bus: SimulatedI2CBus) -> None:
    """A circuit back at factory outputs answers EC alone: the reading fails, and its outputs are to be set again."""
    clock = Clock()
    circuit_on_bus(bus, clock, EzoCircuit.EC, 53_000.0)
    probe = EzoProbe(bus, EzoCircuit.EC)
    probe.outputs_set = True
    clock.sleep(probe.start_reading())
    with pytest.raises(ProbeReadError, match="1 values where 3 were enabled"):
        probe.fetch_ec_reading()
    assert not probe.outputs_set
