"""SMBusI2C: smbus2's real I2C messages, delivered to simulated chips instead of /dev/i2c-N."""

import ctypes
import errno

import pytest
import smbus2
from smbus2 import i2c_msg
from smbus2.smbus2 import I2C_M_RD

from custom_components.bellas_reef.hardware.errors import DeviceMissingError, HardwareError
from custom_components.bellas_reef.hardware.i2c import SMBusI2C, scan_i2c
from custom_components.bellas_reef.hardware.pca9685 import MODE1, MODE1_AI, PCA9685Board
from custom_components.bellas_reef.hardware.simulated import SimulatedI2CBus, SimulatedPCA9685


class FakeSMBus:
    """The kernel side of /dev/i2c-N: each message goes to the simulated bus."""

    def __init__(self, bus: SimulatedI2CBus) -> None:
        self.bus = bus
        self.closed = False
        self.messages: list[tuple[int, int, int]] = []

    def i2c_rdwr(self, *messages: i2c_msg) -> None:
        for message in messages:
            self.messages.append((message.addr, message.flags, message.len))
            if message.flags & I2C_M_RD:
                data = bytearray(message.len)
                self.bus.readfrom_into(message.addr, data)
                ctypes.memmove(message.buf, bytes(data), message.len)
            else:
                self.bus.writeto(message.addr, ctypes.string_at(message.buf, message.len))

    def write_quick(self, address: int) -> None:
        self.bus.writeto(address, b"")

    def read_byte(self, address: int) -> int:
        data = bytearray(1)
        self.bus.readfrom_into(address, data)
        return data[0]

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def smbus(monkeypatch: pytest.MonkeyPatch, bus: SimulatedI2CBus) -> FakeSMBus:
    fake = FakeSMBus(bus)
    opened: list[int] = []

    def open_bus(bus_number: int) -> FakeSMBus:
        opened.append(bus_number)
        return fake

    monkeypatch.setattr(smbus2, "SMBus", open_bus)
    return fake


def test_adafruit_and_the_board_run_over_smbus2(smbus: FakeSMBus, chip: SimulatedPCA9685) -> None:
    i2c = SMBusI2C(1)
    assert i2c.bus_number == 1
    board = PCA9685Board(i2c, 0x40, 1000.0)
    board.write({0: 2048, 1: 4096})
    assert [chip.output_duty(output) for output in range(3)] == [2048, 4096, 0]
    assert board.read()[0] == 2048
    assert (0x40, 0, 0) in smbus.messages
    assert (0x40, I2C_M_RD, 64) in smbus.messages
    i2c.close()
    assert smbus.closed


def test_slices_are_honoured(smbus: FakeSMBus, chip: SimulatedPCA9685) -> None:
    i2c = SMBusI2C(1)
    i2c.writeto(0x40, bytes([0xAA, MODE1, MODE1_AI, 0xBB]), start=1, end=3)
    assert chip.register(MODE1) == MODE1_AI
    buffer = bytearray(b"xyz")
    i2c.writeto_then_readfrom(0x40, bytes([9, MODE1]), buffer, out_start=1, in_start=1, in_end=2)
    assert buffer == bytearray([ord("x"), MODE1_AI, ord("z")])
    i2c.readfrom_into(0x40, buffer, end=2)
    assert buffer[:2] == bytes([0x04, 0xE2])


def test_scan_probes_like_i2cdetect(smbus: FakeSMBus, bus: SimulatedI2CBus) -> None:
    for address in (0x03, 0x20, 0x50, 0x70):
        bus.attach(address, SimulatedPCA9685())
    assert SMBusI2C(1).scan() == [0x20, 0x50, 0x70]


def test_errors_are_os_errors_like_busio(smbus: FakeSMBus) -> None:
    with pytest.raises(OSError, match="acknowledgement") as caught:
        SMBusI2C(1).writeto(0x40, b"\x00")
    assert caught.value.errno == errno.EREMOTEIO


def test_the_lock_is_exclusive(smbus: FakeSMBus) -> None:
    i2c = SMBusI2C(1)
    assert i2c.try_lock()
    assert not i2c.try_lock()
    i2c.unlock()
    assert i2c.try_lock()
    i2c.unlock()


def test_a_missing_bus_is_a_missing_device() -> None:
    with pytest.raises(DeviceMissingError, match="I2C bus 250 does not exist"):
        SMBusI2C(250)


def test_an_unopenable_bus_is_a_hardware_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(bus_number: int) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(smbus2, "SMBus", refuse)
    with pytest.raises(HardwareError, match=r"cannot be opened: .*Permission denied"):
        SMBusI2C(1)


def test_scan_i2c_on_a_bus_number(smbus: FakeSMBus, bus: SimulatedI2CBus) -> None:
    bus.attach(0x63, SimulatedPCA9685())
    assert scan_i2c(1) == [0x63]
    assert smbus.closed


def test_scan_i2c_waits_for_the_bus(bus: SimulatedI2CBus) -> None:
    bus.attach(0x40, SimulatedPCA9685())
    attempts = []
    original = bus.try_lock

    def busy_once() -> bool:
        attempts.append(1)
        return len(attempts) > 1 and original()

    bus.try_lock = busy_once  # type: ignore[method-assign]
    assert scan_i2c(bus) == [0x40]
    assert len(attempts) == 2
    assert original()


def test_scan_i2c_on_a_missing_bus() -> None:
    with pytest.raises(DeviceMissingError):
        scan_i2c(250)
