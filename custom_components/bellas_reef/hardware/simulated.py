"""Simulated I2C hardware: a bus that hosts chips by address and register-accurate chips to put on it.

The real drivers (Adafruit's PCA9685 driver, this package's boards and probes) run unchanged on these, so the
demo tank and the tests exercise the same code as a Raspberry Pi with real boards. The bus counts
transactions and bytes and can be told to fail: a seeded share of transactions, or devices that vanish.
"""

from collections.abc import Buffer, Callable
from dataclasses import dataclass
import errno
import random
import threading
import time
from typing import Protocol

from .ezo import SPECS, CalibrationPoint, EcOutput, EzoCircuit, EzoStatus, processing_delay
from .i2c import FIRST_SCAN_ADDRESS, LAST_SCAN_ADDRESS, WritableBuffer
from .pca9685 import (
    ALL_LED_OFF_H,
    ALL_LED_ON_L,
    DEFAULT_FREQUENCY,
    FIRST_ADDRESS,
    LED0_ON_L,
    LED15_OFF_H,
    MIN_PRESCALE,
    MODE1,
    MODE1_AI,
    MODE1_EXTCLK,
    MODE1_RESTART,
    MODE1_SLEEP,
    MODE2,
    MODE2_INVRT,
    MODE2_OCH,
    OSCILLATOR_HZ,
    OUTPUTS,
    PERIOD,
    PRE_SCALE,
    REGISTERS_PER_OUTPUT,
    TEST_MODE,
    PCA9685Board,
    decode_duty,
    output_register,
)
from .seawater import practical_salinity, specific_gravity


class SimulatedDevice(Protocol):
    """A chip on the simulated bus: it sees each transaction's bytes, as a real chip sees them."""

    def write(self, data: bytes) -> None:
        """Take the bytes of one write message; raise OSError to not acknowledge them."""

    def read(self, count: int) -> bytes:
        """Answer one read message with ``count`` bytes."""

    def power_on_reset(self) -> None:
        """Return to the power-on state, as after losing power."""


@dataclass(frozen=True, slots=True)
class BusStats:
    """Traffic on a simulated bus since it was created or last reset; failed transactions included."""

    transactions: int = 0
    bytes_written: int = 0
    bytes_read: int = 0
    failures: int = 0


class SimulatedI2CBus:
    """A ``busio.I2C``-style bus whose devices are simulated chips.

    ``failure_rate`` makes that share of transactions fail at random (seeded, so runs repeat): a failed write
    reaches the chip only in part, as when a transfer breaks off, then raises ``OSError(EIO)``. A device that
    has vanished does not acknowledge its address (``OSError(EREMOTEIO)``, as Linux reports a NACK).
    """

    def __init__(self, *, failure_rate: float = 0.0, seed: int = 0) -> None:
        """An empty bus."""
        self.failure_rate = failure_rate
        self._random = random.Random(seed)  # noqa: S311 - repeatable faults, not secrets
        self._devices: dict[int, SimulatedDevice] = {}
        self._vanished: set[int] = set()
        self._lock = threading.Lock()
        self._stats = BusStats()

    @property
    def stats(self) -> BusStats:
        """Traffic so far (scans are not counted)."""
        return self._stats

    def reset_stats(self) -> None:
        """Start counting again, e.g. at the start of a tick."""
        self._stats = BusStats()

    def attach(self, address: int, device: SimulatedDevice) -> None:
        """Put a chip on the bus."""
        if not 0 <= address <= 0x7F:
            raise ValueError(f"I2C addresses are 7-bit, not {address:#x}")
        self._devices[address] = device
        self._vanished.discard(address)

    def __contains__(self, address: object) -> bool:
        """Whether a chip is attached at an address, answering or not."""
        return address in self._devices

    def device(self, address: int) -> SimulatedDevice:
        """The chip at an address, answering or not."""
        return self._devices[address]

    def vanish(self, address: int) -> None:
        """Make a chip stop answering, as when its cable comes loose."""
        if address not in self._devices:
            raise ValueError(f"no chip at {address:#04x}")
        self._vanished.add(address)

    def reappear(self, address: int, *, power_cycled: bool = True) -> None:
        """Make a vanished chip answer again, by default in its power-on state."""
        self._vanished.discard(address)
        if power_cycled:
            self._devices[address].power_on_reset()

    def try_lock(self) -> bool:
        """Take the bus without waiting."""
        return self._lock.acquire(blocking=False)

    def unlock(self) -> None:
        """Give the bus back."""
        self._lock.release()

    def scan(self) -> list[int]:
        """Addresses in the usual scan range that answer."""
        return [
            address
            for address in sorted(self._devices)
            if FIRST_SCAN_ADDRESS <= address <= LAST_SCAN_ADDRESS and address not in self._vanished
        ]

    def writeto(self, address: int, buffer: Buffer, *, start: int = 0, end: int | None = None) -> None:
        """One write transaction."""
        data = bytes(memoryview(buffer)[start:end])
        self._count(written=len(data))
        self._transfer(address, data, 0)

    def readfrom_into(
        self, address: int, buffer: WritableBuffer, *, start: int = 0, end: int | None = None
    ) -> None:
        """One read transaction."""
        view = memoryview(buffer)[start:end]
        self._count(read=len(view))
        view[:] = self._transfer(address, None, len(view))

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
        """A write and a read joined by a repeated START: one transaction."""
        data = bytes(memoryview(buffer_out)[out_start:out_end])
        view = memoryview(buffer_in)[in_start:in_end]
        self._count(written=len(data), read=len(view))
        view[:] = self._transfer(address, data, len(view))

    def _count(self, *, written: int = 0, read: int = 0) -> None:
        """Add one transaction to the statistics."""
        stats = self._stats
        self._stats = BusStats(
            stats.transactions + 1, stats.bytes_written + written, stats.bytes_read + read, stats.failures
        )

    def _transfer(self, address: int, data: bytes | None, read: int) -> bytes:
        """Deliver one transaction to its chip, failing it when the bus or the chip says so."""
        device = self._devices.get(address)
        if device is None or address in self._vanished:
            self._fail()
            raise OSError(errno.EREMOTEIO, f"no acknowledgement from {address:#04x}")
        if self.failure_rate and self._random.random() < self.failure_rate:
            self._fail()
            if data:
                device.write(data[: self._random.randrange(len(data))])
            raise OSError(errno.EIO, f"transfer to {address:#04x} broke off")
        if data is not None:
            device.write(data)
        return device.read(read) if read else b""

    def _fail(self) -> None:
        """Count a failed transaction."""
        stats = self._stats
        self._stats = BusStats(stats.transactions, stats.bytes_written, stats.bytes_read, stats.failures + 1)


_MODE1_POWER_ON = MODE1_SLEEP | 0x01
_MODE2_POWER_ON = 0x04
_PRESCALE_POWER_ON = 0x1E
_ADDRESS_REGISTERS_POWER_ON = {0x02: 0xE2, 0x03: 0xE4, 0x04: 0xE8, 0x05: 0xE0}
_MODE2_WRITABLE = 0x1F


def _is_pwm_register(register: int) -> bool:
    """LEDn_ON_L through LED15_OFF_H."""
    return LED0_ON_L <= register <= LED15_OFF_H


def _is_all_led_register(register: int) -> bool:
    """ALL_LED_ON_L through ALL_LED_OFF_H: write-only, they load every output at once."""
    return ALL_LED_ON_L <= register <= ALL_LED_OFF_H


class SimulatedPCA9685:
    """An NXP PCA9685 at register level, following its datasheet.

    Modelled: the power-on register values; the control-register pointer with auto-increment (past LED15_OFF_H
    or PRE_SCALE it rolls over to MODE1) or without it; SLEEP, which stops the oscillator; PRE_SCALE writes,
    blocked unless asleep and never below 3; RESTART, set when sleeping with outputs active and cleared by
    writing it as 1 when awake or by a PWM write (on STOP, or with MODE2.OCH once all four of an output's
    registers are written); sticky EXTCLK; ALL_LED registers, which load every output and read as zero;
    full-on and full-off bits (full off wins); INVRT. Reserved registers are not acknowledged.
    """

    def __init__(self) -> None:
        """A chip just powered on."""
        self._registers = bytearray(256)
        self._pointer = 0
        self.power_on_reset()

    def power_on_reset(self) -> None:
        """Every register back to its power-on value."""
        self._registers[:] = bytes(256)
        self._registers[MODE1] = _MODE1_POWER_ON
        self._registers[MODE2] = _MODE2_POWER_ON
        for register, value in _ADDRESS_REGISTERS_POWER_ON.items():
            self._registers[register] = value
        for output in range(OUTPUTS):
            self._registers[output_register(output) + 3] = 0x10
        self._registers[PRE_SCALE] = _PRESCALE_POWER_ON
        self._pointer = 0

    @property
    def sleeping(self) -> bool:
        """True while the oscillator is off."""
        return bool(self._registers[MODE1] & MODE1_SLEEP)

    @property
    def frequency(self) -> float:
        """The PWM frequency PRE_SCALE sets with the internal 25 MHz oscillator."""
        return OSCILLATOR_HZ / PERIOD / (self._registers[PRE_SCALE] + 1)

    def register(self, register: int) -> int:
        """A register as a bus read would return it."""
        return 0 if _is_all_led_register(register) else self._registers[register]

    def output_duty(self, output: int) -> int:
        """The share of each period (in 1/4096) the output is high; a stopped oscillator drives no PWM."""
        first = output_register(output)
        registers = self._registers
        on = registers[first] | registers[first + 1] << 8
        off = registers[first + 2] | registers[first + 3] << 8
        running = not registers[MODE1] & (MODE1_SLEEP | MODE1_RESTART)
        duty = decode_duty(on, off) if running else 0
        return PERIOD - duty if registers[MODE2] & MODE2_INVRT else duty

    def write(self, data: bytes) -> None:
        """A write message: the control register, then data bytes for the registers it points at."""
        if not data:
            return
        register = data[0]
        if LED15_OFF_H < register < ALL_LED_ON_L:
            raise OSError(errno.EIO, f"PCA9685 register {register:#04x} is reserved")
        self._pointer = register
        written: set[int] = set()
        for value in data[1:]:
            written.update(self._store(self._pointer, value))
            self._advance()
        if written:
            self._after_pwm_write(written)

    def read(self, count: int) -> bytes:
        """A read message: registers from the pointer on."""
        data = bytearray()
        for _ in range(count):
            data.append(self.register(self._pointer))
            self._advance()
        return bytes(data)

    def _advance(self) -> None:
        """Move the pointer after a byte, if auto-increment is on."""
        if not self._registers[MODE1] & MODE1_AI:
            return
        if self._pointer in (LED15_OFF_H, PRE_SCALE, TEST_MODE):
            self._pointer = MODE1
        else:
            self._pointer += 1

    def _store(self, register: int, value: int) -> list[int]:
        """Write one register with its rules; returns the PWM registers that changed hands."""
        registers = self._registers
        if register == MODE1:
            self._write_mode1(value)
        elif register == MODE2:
            registers[MODE2] = value & _MODE2_WRITABLE
        elif register == PRE_SCALE:
            if registers[MODE1] & MODE1_SLEEP:
                registers[PRE_SCALE] = max(value, MIN_PRESCALE)
        elif _is_all_led_register(register):
            offset = register - ALL_LED_ON_L
            targets = [output_register(output) + offset for output in range(OUTPUTS)]
            for target in targets:
                registers[target] = value
            return targets
        else:
            registers[register] = value
            if _is_pwm_register(register):
                return [register]
        return []

    def _write_mode1(self, value: int) -> None:
        """MODE1: SLEEP may arm RESTART, RESTART is cleared by writing 1 while awake, EXTCLK sticks."""
        old = self._registers[MODE1]
        restart = old & MODE1_RESTART
        going_to_sleep = value & MODE1_SLEEP and not old & MODE1_SLEEP
        if going_to_sleep and any(self._active(output) for output in range(OUTPUTS)):
            restart = MODE1_RESTART
        elif value & MODE1_RESTART and not value & MODE1_SLEEP:
            restart = 0
        self._registers[MODE1] = (value & 0x3F) | restart | ((old | value) & MODE1_EXTCLK)

    def _active(self, output: int) -> bool:
        """An output that is not fully off."""
        return not self._registers[output_register(output) + 3] & 0x10

    def _after_pwm_write(self, written: set[int]) -> None:
        """At STOP: a PWM write clears RESTART (with OCH, only once a whole output was written)."""
        if self._registers[MODE2] & MODE2_OCH:
            whole = any(
                all(output_register(output) + offset in written for offset in range(REGISTERS_PER_OUTPUT))
                for output in range(OUTPUTS)
            )
            if not whole:
                return
        self._registers[MODE1] &= ~MODE1_RESTART & 0xFF


def simulated_pca9685_board(
    frequency: float = DEFAULT_FREQUENCY, *, bus: SimulatedI2CBus | None = None, address: int = FIRST_ADDRESS
) -> PCA9685Board:
    """A PWM board for the demo tank: the real driver on a simulated PCA9685 (attached if not there yet)."""
    bus = bus if bus is not None else SimulatedI2CBus()
    if address not in bus:
        bus.attach(address, SimulatedPCA9685())
    return PCA9685Board(bus, address, frequency)


class SimulatedEzo:
    """An Atlas Scientific EZO circuit in I2C mode: its command set, processing delays and status codes.

    ``value`` is what the probe measures (the demo tank sets it). Replies become readable once the command's
    processing delay has passed on ``clock``; before that a read gets 254 (pending), and a read with nothing
    to send gets 255. Calibration points and the enabled outputs persist across power cycles, as in the
    circuit's EEPROM.

    The conductivity circuit starts with conductivity as its only output (firmware 2.10 and later); with more
    enabled, a reading adds TDS (conductivity × 0.54, in ppm), practical salinity (PSS-78 from the conductivity at
    the compensation temperature) and specific gravity, in the datasheet's order.
    """

    firmware = "2.16"

    def __init__(
        self, circuit: EzoCircuit, value: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """A circuit just powered on, uncalibrated, compensating at 25 °C."""
        self.circuit = circuit
        self.value = value
        self.temperature = 25.0
        self.calibrated: set[CalibrationPoint] = set()
        self.outputs: set[EcOutput] = {EcOutput.CONDUCTIVITY} if circuit is EzoCircuit.EC else set()
        self.last_command = ""
        self._spec = SPECS[circuit]
        self._clock = clock
        self._reply: tuple[float, int, str] | None = None

    def power_on_reset(self) -> None:
        """Forget the pending reply and the compensation temperature."""
        self.temperature = 25.0
        self._reply = None

    def write(self, data: bytes) -> None:
        """Take a command and start working on it."""
        if not data:
            return
        text = data.decode("ascii", errors="replace").strip("\0\r\n ")
        self.last_command = text
        status, reply = self._execute(text)
        self._reply = (self._clock() + processing_delay(self.circuit, text), status, reply)

    def read(self, count: int) -> bytes:
        """The status byte, then the reply and a NUL once processing is done."""
        if self._reply is None:
            answer = bytes([EzoStatus.NO_DATA])
        elif self._clock() < self._reply[0]:
            answer = bytes([EzoStatus.PENDING])
        else:
            _, status, reply = self._reply
            self._reply = None
            answer = bytes([status]) + reply.encode("ascii")
        return (answer + bytes(count))[:count]

    def _execute(self, text: str) -> tuple[int, str]:
        """Carry a command out: the status and reply it leads to."""
        name, *arguments = text.lower().split(",")
        compensates = self._spec.temperature_compensation
        try:
            match name, arguments:
                case "r", []:
                    return EzoStatus.SUCCESS, self._reading()
                case "rt", [temperature] if compensates:
                    self.temperature = float(temperature)
                    return EzoStatus.SUCCESS, self._reading()
                case "t", ["?"] if compensates:
                    return EzoStatus.SUCCESS, f"?T,{self.temperature:.1f}"
                case "t", [temperature] if compensates:
                    self.temperature = float(temperature)
                    return EzoStatus.SUCCESS, ""
                case "i", []:
                    return EzoStatus.SUCCESS, f"?I,{self._spec.device_type},{self.firmware}"
                case "cal", ["?"]:
                    return EzoStatus.SUCCESS, f"?CAL,{len(self.calibrated - {CalibrationPoint.DRY})}"
                case "cal", _:
                    return self._calibrate(arguments)
                case "o", ["?"] if self.circuit is EzoCircuit.EC:
                    return EzoStatus.SUCCESS, "?O," + (",".join(self._enabled()) or "No output")
                case "o", [name, "1" | "0" as enabled] if self.circuit is EzoCircuit.EC:
                    output = EcOutput(name.upper())
                    (self.outputs.add if enabled == "1" else self.outputs.discard)(output)
                    return EzoStatus.SUCCESS, ""
        except ValueError:
            return EzoStatus.SYNTAX_ERROR, ""
        return EzoStatus.SYNTAX_ERROR, ""

    def _calibrate(self, arguments: list[str]) -> tuple[int, str]:
        """Record a calibration step the circuit knows."""
        match arguments:
            case []:
                point = CalibrationPoint.ATMOSPHERIC
            case ["0"] if self.circuit is EzoCircuit.DO:
                point = CalibrationPoint.ZERO
            case ["clear" | "dry" as name] | ["mid" | "low" | "high" as name, _]:
                point = CalibrationPoint(name)
            case [_]:
                point = CalibrationPoint.SINGLE
            case _:
                return EzoStatus.SYNTAX_ERROR, ""
        if len(arguments) > 1 or point is CalibrationPoint.SINGLE:
            float(arguments[-1])
        if point not in self._spec.calibrations:
            return EzoStatus.SYNTAX_ERROR, ""
        if point in (CalibrationPoint.CLEAR, CalibrationPoint.MID):
            self.calibrated.clear()
        if point is not CalibrationPoint.CLEAR:
            self.calibrated.add(point)
        return EzoStatus.SUCCESS, ""

    def _enabled(self) -> list[EcOutput]:
        """The enabled outputs, in reply order."""
        return [output for output in EcOutput if output in self.outputs]

    def _reading(self) -> str:
        """The measured value with the circuit's usual decimals; a conductivity circuit's enabled outputs."""
        if self.circuit is not EzoCircuit.EC:
            return f"{self.value:.{self._spec.decimals}f}"
        salinity = max(0.0, practical_salinity(self.value, self.temperature))
        fields = {
            EcOutput.CONDUCTIVITY: f"{self.value:.{self._spec.decimals}f}",
            EcOutput.TOTAL_DISSOLVED_SOLIDS: f"{self.value * 0.54:.0f}",
            EcOutput.SALINITY: f"{salinity:.2f}",
            EcOutput.SPECIFIC_GRAVITY: f"{specific_gravity(salinity, self.temperature):.3f}",
        }
        return ",".join(fields[output] for output in self._enabled()) or "No output"
