"""EZO probes against simulated EZO circuits on the simulated bus."""

import pytest

from custom_components.bellas_reef.hardware import ezo
from custom_components.bellas_reef.hardware.errors import DeviceMissingError, HardwareError, ProbeReadError
from custom_components.bellas_reef.hardware.ezo import (
    INFO,
    CalibrationPoint,
    EzoCircuit,
    EzoCommand,
    EzoProbe,
    ReadingPendingError,
    calibration_command,
    calibration_query,
    processing_delay,
    reading_command,
    temperature_command,
)
from custom_components.bellas_reef.hardware.probes import Probe
from custom_components.bellas_reef.hardware.simulated import SimulatedEzo, SimulatedI2CBus


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def circuit_on_bus(bus: SimulatedI2CBus, clock: Clock, circuit: EzoCircuit, value: float) -> SimulatedEzo:
    chip = SimulatedEzo(circuit, value, clock=clock)
    bus.attach(ezo.SPECS[circuit].default_address, chip)
    return chip


def exchange(probe: EzoProbe, clock: Clock, command: EzoCommand) -> str:
    clock.sleep(probe.send(command))
    return probe.fetch()


def test_reading_waits_out_the_processing_delay(bus: SimulatedI2CBus, clock: Clock) -> None:
    chip = circuit_on_bus(bus, clock, EzoCircuit.PH, 8.123)
    probe = EzoProbe(bus, EzoCircuit.PH)
    assert repr(probe) == "EZO pH at 0x63"
    delay = probe.start_reading()
    assert delay == 0.9
    assert chip.last_command == "R"
    clock.sleep(0.5)
    with pytest.raises(ReadingPendingError, match="still processing"):
        probe.fetch_reading()
    clock.sleep(0.4)
    assert probe.fetch_reading() == 8.123
    with pytest.raises(ProbeReadError, match="no reply"):
        probe.fetch()


def test_temperature_compensated_reading(bus: SimulatedI2CBus, clock: Clock) -> None:
    chip = circuit_on_bus(bus, clock, EzoCircuit.EC, 53012.5)
    probe = EzoProbe(bus, EzoCircuit.EC)
    clock.sleep(probe.start_reading(25.9))
    assert chip.last_command == "RT,25.9"
    assert chip.temperature == 25.9
    assert probe.fetch_reading() == 53012.5
    assert exchange(probe, clock, temperature_command(EzoCircuit.EC, 24.0)) == ""
    assert exchange(probe, clock, EzoCommand("T,?", 0.3)) == "?T,24.0"


def test_orp_has_no_temperature_compensation(bus: SimulatedI2CBus, clock: Clock) -> None:
    circuit_on_bus(bus, clock, EzoCircuit.ORP, 351.26)
    probe = EzoProbe(bus, EzoCircuit.ORP)
    with pytest.raises(ValueError, match="no temperature compensation"):
        probe.start_reading(25.0)
    with pytest.raises(ValueError, match="no temperature compensation"):
        temperature_command(EzoCircuit.ORP, 25.0)
    with pytest.raises(ProbeReadError, match="rejected the command"):
        exchange(probe, clock, EzoCommand("RT,25", 0.9))
    clock.sleep(probe.start_reading())
    assert probe.fetch_reading() == 351.3


def test_info_names_the_circuit(bus: SimulatedI2CBus, clock: Clock) -> None:
    circuit_on_bus(bus, clock, EzoCircuit.DO, 6.5)
    probe = EzoProbe(bus, EzoCircuit.DO)
    assert exchange(probe, clock, INFO) == "?I,D.O.,2.16"


def test_syntax_errors(bus: SimulatedI2CBus, clock: Clock) -> None:
    circuit_on_bus(bus, clock, EzoCircuit.PH, 8.1)
    probe = EzoProbe(bus, EzoCircuit.PH)
    for text in ("X", "R,1", "RT,warm", "Cal,mid", "Cal,mid,seven", "Cal,dry", "Cal,1,2,3", "Cal"):
        with pytest.raises(ProbeReadError, match="rejected the command"):
            exchange(probe, clock, EzoCommand(text, 0.9))


@pytest.mark.parametrize(
    ("circuit", "steps", "texts", "points"),
    [
        (
            EzoCircuit.PH,
            [(CalibrationPoint.MID, 7.0), (CalibrationPoint.LOW, 4.0), (CalibrationPoint.HIGH, 10.01)],
            ["Cal,mid,7", "Cal,low,4", "Cal,high,10.01"],
            3,
        ),
        (EzoCircuit.ORP, [(CalibrationPoint.SINGLE, 225.0)], ["Cal,225"], 1),
        (
            EzoCircuit.EC,
            [(CalibrationPoint.DRY, None), (CalibrationPoint.LOW, 12880.0), (CalibrationPoint.HIGH, 80000.0)],
            ["Cal,dry", "Cal,low,12880", "Cal,high,80000"],
            2,
        ),
        (EzoCircuit.EC, [(CalibrationPoint.SINGLE, 53000.0)], ["Cal,53000"], 1),
        (
            EzoCircuit.DO,
            [(CalibrationPoint.ATMOSPHERIC, None), (CalibrationPoint.ZERO, None)],
            ["Cal", "Cal,0"],
            2,
        ),
    ],
)
def test_calibration(
    bus: SimulatedI2CBus,
    clock: Clock,
    *,
    circuit: EzoCircuit,
    steps: list[tuple[CalibrationPoint, float | None]],
    texts: list[str],
    points: int,
) -> None:
    chip = circuit_on_bus(bus, clock, circuit, 1.0)
    probe = EzoProbe(bus, circuit)
    for (point, value), text in zip(steps, texts, strict=True):
        command = calibration_command(circuit, point, value)
        assert command.text == text
        assert exchange(probe, clock, command) == ""
        assert chip.last_command == text
    assert exchange(probe, clock, calibration_query(circuit)) == f"?CAL,{points}"
    chip.power_on_reset()
    assert exchange(probe, clock, calibration_query(circuit)) == f"?CAL,{points}"
    assert exchange(probe, clock, calibration_command(circuit, CalibrationPoint.CLEAR)) == ""
    assert chip.last_command == "Cal,clear"
    assert exchange(probe, clock, calibration_query(circuit)) == "?CAL,0"


def test_mid_point_calibration_starts_over(bus: SimulatedI2CBus, clock: Clock) -> None:
    circuit_on_bus(bus, clock, EzoCircuit.PH, 8.1)
    probe = EzoProbe(bus, EzoCircuit.PH)
    exchange(probe, clock, calibration_command(EzoCircuit.PH, CalibrationPoint.MID, 7.0))
    exchange(probe, clock, calibration_command(EzoCircuit.PH, CalibrationPoint.LOW, 4.0))
    exchange(probe, clock, calibration_command(EzoCircuit.PH, CalibrationPoint.MID, 7.0))
    assert exchange(probe, clock, calibration_query(EzoCircuit.PH)) == "?CAL,1"


def test_calibration_commands_are_checked() -> None:
    with pytest.raises(ValueError, match="ezo_ph has no dry calibration"):
        calibration_command(EzoCircuit.PH, CalibrationPoint.DRY)
    with pytest.raises(ValueError, match="needs the calibration solution's value"):
        calibration_command(EzoCircuit.PH, CalibrationPoint.MID)
    with pytest.raises(ValueError, match="takes no value"):
        calibration_command(EzoCircuit.DO, CalibrationPoint.ZERO, 0.0)
    with pytest.raises(ValueError, match="not a finite number"):
        calibration_command(EzoCircuit.PH, CalibrationPoint.MID, float("nan"))


def test_processing_delays() -> None:
    assert processing_delay(EzoCircuit.PH, "R") == 0.9
    assert processing_delay(EzoCircuit.PH, "RT,25") == 0.9
    assert processing_delay(EzoCircuit.PH, "Cal,mid,7") == 0.9
    assert processing_delay(EzoCircuit.DO, "Cal") == 1.3
    assert processing_delay(EzoCircuit.PH, "Cal,?") == 0.3
    assert processing_delay(EzoCircuit.PH, "T,25") == 0.3
    assert processing_delay(EzoCircuit.PH, "i") == 0.3
    assert reading_command(EzoCircuit.PH, 25.0) == EzoCommand("RT,25", 0.9)


def test_read_is_the_blocking_round_trip(
    bus: SimulatedI2CBus, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    circuit_on_bus(bus, clock, EzoCircuit.ORP, -12.0)
    monkeypatch.setattr(ezo, "sleep", clock.sleep)
    probe: Probe = EzoProbe(bus, EzoCircuit.ORP)
    assert probe.read() == -12.0
    assert EzoProbe(bus, EzoCircuit.ORP).query(INFO) == "?I,ORP,2.16"


def test_a_reply_that_is_not_a_number(bus: SimulatedI2CBus, clock: Clock) -> None:
    chip = circuit_on_bus(bus, clock, EzoCircuit.PH, float("nan"))
    probe = EzoProbe(bus, EzoCircuit.PH)
    clock.sleep(probe.start_reading())
    with pytest.raises(ProbeReadError, match="'nan', not a reading"):
        probe.fetch_reading()
    chip.value = 7.0
    probe.send(INFO)
    clock.sleep(1)
    with pytest.raises(ProbeReadError, match="not a reading"):
        probe.fetch_reading()


def test_unknown_status(bus: SimulatedI2CBus, clock: Clock) -> None:
    class Odd(SimulatedEzo):
        def read(self, count: int) -> bytes:
            return bytes([7]) + bytes(count - 1)

    bus.attach(0x63, Odd(EzoCircuit.PH, 7.0, clock=clock))
    with pytest.raises(ProbeReadError, match="unknown status 7"):
        EzoProbe(bus, EzoCircuit.PH).fetch()


def test_bus_errors(bus: SimulatedI2CBus, clock: Clock) -> None:
    probe = EzoProbe(bus, EzoCircuit.PH, 0x70)
    with pytest.raises(DeviceMissingError, match="EZO pH at 0x70"):
        probe.start_reading()
    circuit_on_bus(bus, clock, EzoCircuit.PH, 7.0)
    bus.failure_rate = 1.0
    with pytest.raises(HardwareError, match="broke off"):
        EzoProbe(bus, EzoCircuit.PH).fetch()
    assert bus.try_lock()
    bus.unlock()


def test_addresses_are_checked(bus: SimulatedI2CBus) -> None:
    with pytest.raises(ValueError, match="1-127"):
        EzoProbe(bus, EzoCircuit.PH, 0)
    assert EzoProbe(bus, EzoCircuit.EC).address == 0x64


def test_a_power_cycle_drops_the_pending_reply(bus: SimulatedI2CBus, clock: Clock) -> None:
    chip = circuit_on_bus(bus, clock, EzoCircuit.DO, 7.0)
    probe = EzoProbe(bus, EzoCircuit.DO)
    clock.sleep(probe.start_reading(20.0))
    assert bus.scan() == [0x61]
    bus.writeto(0x61, b"")
    assert probe.fetch_reading() == 7.0
    clock.sleep(probe.start_reading(20.0))
    chip.power_on_reset()
    assert chip.temperature == 25.0
    with pytest.raises(ProbeReadError, match="no reply"):
        probe.fetch()
