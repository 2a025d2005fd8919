"""PCA9685 16-channel, 12-bit PWM boards: Adafruit's driver sets the chip up, batched writes drive it.

Adafruit's per-channel API costs one I2C transaction per output. A lighting tick often moves every channel of
a board, so this driver keeps what the chip holds, skips outputs that did not change, and sends each run of
neighbouring outputs as one auto-increment write (or one ALL_LED write when every output takes one value).
Adafruit's driver (with Blinka's board detection) is imported when a board is first used, in the executor like
every call, so a tank without a PCA9685 never loads it.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
import importlib
import struct
import threading
import time
from typing import TYPE_CHECKING, cast

from .errors import DeviceMissingError, HardwareError, error_from_os_error
from .i2c import I2CBus

if TYPE_CHECKING:
    from adafruit_pca9685 import PCA9685

MODE1 = 0x00
MODE2 = 0x01
LED0_ON_L = 0x06
LED15_OFF_H = 0x45
ALL_LED_ON_L = 0xFA
ALL_LED_OFF_H = 0xFD
PRE_SCALE = 0xFE
TEST_MODE = 0xFF

MODE1_RESTART = 0x80
MODE1_EXTCLK = 0x40
MODE1_AI = 0x20
MODE1_SLEEP = 0x10
MODE2_INVRT = 0x10
MODE2_OCH = 0x08

OUTPUTS = 16
REGISTERS_PER_OUTPUT = 4
PERIOD = 4096
"""Counter steps per PWM period: the 12-bit resolution, and this board's full-on duty."""
FULL_BIT = 0x1000
"""Bit 4 of LEDn_ON_H (full on) or LEDn_OFF_H (full off), seen in the 16-bit ON/OFF words."""
OSCILLATOR_HZ = 25_000_000
MIN_PRESCALE = 3
MAX_PRESCALE = 255
FIRST_ADDRESS = 0x40
LAST_ADDRESS = 0x7F
DEFAULT_FREQUENCY = 1000.0

_OSCILLATOR_SETTLE_S = 0.0005
_WORDS = struct.Struct("<HH")
# adafruit_register reads and writes through one module-level buffer, so no two threads may use it at once.
_DRIVER_LOCK = threading.Lock()


def prescale_for(frequency: float) -> int:
    """The PRE_SCALE value for a PWM frequency, rounded as Adafruit's driver rounds it."""
    prescale = int(OSCILLATOR_HZ / PERIOD / frequency + 0.5) - 1
    if not MIN_PRESCALE <= prescale <= MAX_PRESCALE:
        low = OSCILLATOR_HZ / PERIOD / (MAX_PRESCALE + 1)
        high = OSCILLATOR_HZ / PERIOD / (MIN_PRESCALE + 1)
        raise ValueError(f"PCA9685 frequency must be {low:.0f}-{high:.0f} Hz, not {frequency}")
    return prescale


def frequency_for(prescale: int) -> float:
    """The PWM frequency a PRE_SCALE value produces with the internal oscillator."""
    return OSCILLATOR_HZ / PERIOD / (prescale + 1)


def encode_duty(duty: int) -> tuple[int, int]:
    """The LEDn_ON and LEDn_OFF words for a duty: full-off and full-on bits at the ends, no glitches."""
    if duty <= 0:
        return 0, FULL_BIT
    if duty >= PERIOD:
        return FULL_BIT, 0
    return 0, duty


def decode_duty(on: int, off: int) -> int:
    """The duty the LEDn_ON and LEDn_OFF words produce; full off wins over full on, as on the chip."""
    if off & FULL_BIT:
        return 0
    if on & FULL_BIT:
        return PERIOD
    return ((off & 0x0FFF) - (on & 0x0FFF)) % PERIOD


def output_register(output: int) -> int:
    """LEDn_ON_L, the first of an output's four registers."""
    return LED0_ON_L + REGISTERS_PER_OUTPUT * output


def _runs(outputs: Iterable[int]) -> list[list[int]]:
    """Split ascending output indexes into runs of neighbours, each one auto-increment write."""
    runs: list[list[int]] = []
    for output in outputs:
        if runs and runs[-1][-1] == output - 1:
            runs[-1].append(output)
        else:
            runs.append([output])
    return runs


class PCA9685Board:
    """One PCA9685 chip as a `PwmBoard` of 16 outputs with duties 0-4096 (4096 = fully on).

    Nothing is sent until the first `write` or `read`, which set the chip up (so a board that is missing
    at start-up comes up once it answers). A chip that already runs at the right frequency is not put to
    sleep, so lights keep their level across a restart. After a failure the next call checks MODE1 and
    PRE_SCALE and sets the chip up again if it lost power or stopped; outputs whose write failed are sent
    again, even when that call does not name them (``write({})`` just retries).
    """

    max_duty = PERIOD

    def __init__(
        self, i2c: I2CBus, address: int = FIRST_ADDRESS, frequency: float = DEFAULT_FREQUENCY
    ) -> None:
        """Describe the board; no I/O happens here."""
        if not FIRST_ADDRESS <= address <= LAST_ADDRESS:
            raise ValueError(f"PCA9685 address must be 0x40-0x7F, not {address:#04x}")
        self.address = address
        self._prescale = prescale_for(frequency)
        self.frequency = frequency_for(self._prescale)
        self._i2c = i2c
        self._frequency_asked = frequency
        self._pca: PCA9685 | None = None
        self._suspect = False
        self._closed = False
        self._targets: dict[int, int] = {}
        self._known: dict[int, int] = {}

    def __repr__(self) -> str:
        """Name the board in logs and errors."""
        return f"PCA9685 at {self.address:#04x}"

    def write(self, duties: Mapping[int, int]) -> None:
        """Send the outputs whose duty differs from what the chip holds; blocking."""
        for output, duty in duties.items():
            if not 0 <= output < OUTPUTS:
                raise ValueError(f"PCA9685 output must be 0-{OUTPUTS - 1}, not {output}")
            if not 0 <= duty <= PERIOD:
                raise ValueError(f"PCA9685 duty must be 0-{PERIOD}, not {duty}")
        with _DRIVER_LOCK:
            self._targets.update(duties)
            self._run(self._flush)

    def read(self) -> dict[int, int]:
        """The duty of all 16 outputs, read back from the chip; blocking."""
        with _DRIVER_LOCK:
            return dict(self._run(self._read_outputs))

    def close(self) -> None:
        """Stop using the chip; it keeps driving its outputs."""
        with _DRIVER_LOCK:
            self._closed = True
            self._pca = None

    def _run[T](self, operation: Callable[[PCA9685], T]) -> T:
        """Bring the chip up if needed, run one operation, and remember to re-check it after a failure."""
        if self._closed:
            raise HardwareError(f"{self} is closed")
        try:
            return operation(self._ready())
        except OSError as err:
            self._suspect = True
            raise error_from_os_error(err, repr(self)) from err

    def _ready(self) -> PCA9685:
        """The Adafruit driver for a chip that is awake, auto-incrementing and at the right frequency."""
        pca = self._pca
        if pca is None:
            driver = cast("type[PCA9685]", importlib.import_module("adafruit_pca9685").PCA9685)
            try:
                pca = driver(self._i2c, address=self.address)
            except ValueError as err:
                raise DeviceMissingError(f"{self} does not answer") from err
            self._pca = pca
            self._set_up(pca)
        elif self._suspect:
            mode1 = int(pca.mode1_reg) & (MODE1_RESTART | MODE1_SLEEP | MODE1_AI)
            if mode1 != MODE1_AI or int(pca.prescale_reg) != self._prescale:
                pca.reset()
                self._set_up(pca)
        self._suspect = False
        return pca

    def _set_up(self, pca: PCA9685) -> None:
        """Set the frequency (only when it differs: that needs a sleep), turn on auto-increment, read back."""
        if int(pca.prescale_reg) == self._prescale:
            time.sleep(_OSCILLATOR_SETTLE_S)
            pca.mode1_reg = MODE1_RESTART | MODE1_AI
        else:
            pca.frequency = self._frequency_asked
        self._read_outputs(pca)

    def _read_outputs(self, pca: PCA9685) -> dict[int, int]:
        """All 16 outputs in one auto-increment read; what the chip holds is known from then on."""
        words = bytearray(REGISTERS_PER_OUTPUT * OUTPUTS)
        with pca.i2c_device as device:
            device.write_then_readinto(bytes([LED0_ON_L]), words)
        self._known = {
            output: decode_duty(*_WORDS.unpack_from(words, REGISTERS_PER_OUTPUT * output))
            for output in range(OUTPUTS)
        }
        return self._known

    def _flush(self, pca: PCA9685) -> None:
        """Send every target the chip does not hold yet, in as few transactions as the chip allows."""
        pending = [
            output for output, duty in sorted(self._targets.items()) if self._known.get(output) != duty
        ]
        if not pending:
            return
        wanted = {self._targets.get(output, self._known.get(output)) for output in range(OUTPUTS)}
        if len(pending) > 1 and len(wanted) == 1 and None not in wanted:
            duty = self._targets[pending[0]]
            self._send(pca, ALL_LED_ON_L, dict.fromkeys(range(OUTPUTS), duty), [duty])
            return
        for run in _runs(pending):
            settled = {output: self._targets[output] for output in run}
            self._send(pca, output_register(run[0]), settled, list(settled.values()))

    def _send(self, pca: PCA9685, register: int, settled: Mapping[int, int], payload: Sequence[int]) -> None:
        """One write transaction; the outputs it settles count as unknown until the chip acknowledged it."""
        for output in settled:
            self._known.pop(output, None)
        message = bytearray([register])
        for duty in payload:
            message += _WORDS.pack(*encode_duty(duty))
        with pca.i2c_device as device:
            device.write(message)
        self._known.update(settled)
