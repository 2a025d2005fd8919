"""The I2C bus as the Adafruit drivers see it, and its Linux implementation on /dev/i2c-N.

The bus methods follow CircuitPython's ``busio.I2C`` (what adafruit_bus_device calls), so they raise
``OSError`` like the real thing; only opening a bus speaks in `HardwareError` terms. smbus2 is imported when a bus
is first opened (in the executor, as every bus call), so importing the integration does not load it.
"""

from collections.abc import Buffer, Iterator
from contextlib import contextmanager
import importlib
import threading
import time
from typing import TYPE_CHECKING, Protocol, SupportsBytes, cast

from .errors import DeviceMissingError, HardwareError

if TYPE_CHECKING:
    from smbus2 import SMBus, i2c_msg

type WritableBuffer = bytearray | memoryview
"""A buffer a read fills in place."""

FIRST_SCAN_ADDRESS = 0x08
LAST_SCAN_ADDRESS = 0x77
# i2cdetect reads instead of quick-writing here: a quick write can corrupt some EEPROMs and lock others.
_READ_PROBED = frozenset((*range(0x30, 0x38), *range(0x50, 0x60)))


class I2CBus(Protocol):
    """An I2C bus shaped like ``busio.I2C``, so the Adafruit drivers run on any implementation of it."""

    def try_lock(self) -> bool:
        """Take the bus for one device's transactions; False when another thread holds it."""

    def unlock(self) -> None:
        """Give the bus back."""

    def scan(self) -> list[int]:
        """Addresses that acknowledge, in ascending order."""

    def writeto(self, address: int, buffer: Buffer, *, start: int = 0, end: int | None = None) -> None:
        """Write ``buffer[start:end]`` to a device in one transaction."""

    def readfrom_into(
        self, address: int, buffer: WritableBuffer, *, start: int = 0, end: int | None = None
    ) -> None:
        """Fill ``buffer[start:end]`` from a device in one transaction."""

    def writeto_then_readfrom(
        self,
        address: int,
        buffer_out: Buffer,
        buffer_in: WritableBuffer,
        *,
        out_start: int = 0,
        out_end: int | None = None,
        in_start: int = 0,
        in_end: int | None = None,
    ) -> None:
        """Write, then read after a repeated START, as one transaction (a register read)."""


def _out_bytes(buffer: Buffer, start: int, end: int | None) -> bytes:
    """Copy the outgoing slice first: drivers pass the same buffer for both directions."""
    return bytes(memoryview(buffer)[start:end])


def _fill(buffer: WritableBuffer, start: int, data: bytes) -> None:
    """Copy read bytes into the caller's buffer slice."""
    memoryview(buffer)[start : start + len(data)] = data


def _in_length(buffer: WritableBuffer, start: int, end: int | None) -> int:
    """The number of bytes the caller asked for."""
    return len(memoryview(buffer)[start:end])


def _message_bytes(message: i2c_msg) -> bytes:
    """The bytes a read message received (smbus2's stubs mistype ``__bytes__``)."""
    return bytes(cast(SupportsBytes, message))


class SMBusI2C:
    """A Linux I2C adapter (/dev/i2c-N) driven with plain I2C messages through smbus2's ``i2c_rdwr``."""

    def __init__(self, bus_number: int) -> None:
        """Open /dev/i2c-<bus_number>; blocking."""
        self.bus_number = bus_number
        self._lock = threading.Lock()
        smbus2 = importlib.import_module("smbus2")
        self._message: type[i2c_msg] = smbus2.i2c_msg
        try:
            self._bus: SMBus = smbus2.SMBus(bus_number)
        except FileNotFoundError as err:
            raise DeviceMissingError(f"I2C bus {bus_number} does not exist (is I2C enabled?)") from err
        except OSError as err:
            raise HardwareError(f"I2C bus {bus_number} cannot be opened: {err}") from err

    def try_lock(self) -> bool:
        """Take the bus without waiting, as busio does."""
        return self._lock.acquire(blocking=False)

    def unlock(self) -> None:
        """Give the bus back."""
        self._lock.release()

    def scan(self) -> list[int]:
        """Probe every usable 7-bit address the way i2cdetect does."""
        found = []
        for address in range(FIRST_SCAN_ADDRESS, LAST_SCAN_ADDRESS + 1):
            try:
                if address in _READ_PROBED:
                    self._bus.read_byte(address)
                else:
                    self._bus.write_quick(address)
            except OSError:
                continue
            found.append(address)
        return found

    def writeto(self, address: int, buffer: Buffer, *, start: int = 0, end: int | None = None) -> None:
        """Write one message."""
        self._bus.i2c_rdwr(self._message.write(address, _out_bytes(buffer, start, end)))

    def readfrom_into(
        self, address: int, buffer: WritableBuffer, *, start: int = 0, end: int | None = None
    ) -> None:
        """Read one message."""
        message = self._message.read(address, _in_length(buffer, start, end))
        self._bus.i2c_rdwr(message)
        _fill(buffer, start, _message_bytes(message))

    def writeto_then_readfrom(
        self,
        address: int,
        buffer_out: Buffer,
        buffer_in: WritableBuffer,
        *,
        out_start: int = 0,
        out_end: int | None = None,
        in_start: int = 0,
        in_end: int | None = None,
    ) -> None:
        """A write and a read message in one ``i2c_rdwr`` call, joined by a repeated START."""
        write = self._message.write(address, _out_bytes(buffer_out, out_start, out_end))
        read = self._message.read(address, _in_length(buffer_in, in_start, in_end))
        self._bus.i2c_rdwr(write, read)
        _fill(buffer_in, in_start, _message_bytes(read))

    def close(self) -> None:
        """Close the device file."""
        self._bus.close()


def scan_i2c(bus: I2CBus | int) -> list[int]:
    """Addresses that answer on a bus, for the config flow to offer; a bus number opens /dev/i2c-N. Blocking."""
    if isinstance(bus, int):
        i2c = SMBusI2C(bus)
        try:
            return scan_i2c(i2c)
        finally:
            i2c.close()
    with locked(bus):
        return bus.scan()


@contextmanager
def locked(bus: I2CBus) -> Iterator[I2CBus]:
    """Hold the bus for a run of transactions, waiting for other threads the way busio drivers do."""
    while not bus.try_lock():
        time.sleep(0)
    try:
        yield bus
    finally:
        bus.unlock()
