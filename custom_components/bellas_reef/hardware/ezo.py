"""Atlas Scientific EZO circuits (pH, ORP, conductivity, dissolved oxygen) in I2C mode.

The conductivity circuit also reports total dissolved solids, salinity and specific gravity, each enabled on its
own (``O,<parameter>,<1|0>``, kept in its EEPROM); a reading lists the enabled ones, comma-separated, always in
the datasheet's order EC, TDS, S, SG. Firmware 2.10 and later enables conductivity alone out of the box.

An EZO circuit takes an ASCII command, works on it for a while (about 900 ms for a reading or a calibration,
300 ms for the rest, per the datasheets), then answers a read with a status byte and an ASCII reply ended by a
NUL. Each exchange is therefore split into a short blocking `EzoProbe.send` and `EzoProbe.fetch`, so the
async HA layer can ``await asyncio.sleep(delay)`` in between instead of holding an executor thread.
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import IntEnum, StrEnum
import math
import re
from time import sleep
from typing import Final

from .errors import ProbeReadError, error_from_os_error
from .i2c import I2CBus, locked
from .tank import ProbeKind


class EzoCircuit(StrEnum):
    """The EZO circuits supported, named as the probe drivers are configured."""

    PH = "ezo_ph"
    ORP = "ezo_orp"
    EC = "ezo_ec"
    DO = "ezo_do"


class CalibrationPoint(StrEnum):
    """Calibration steps, in the circuits' own terms; which ones apply depends on the circuit."""

    MID = "mid"
    LOW = "low"
    HIGH = "high"
    SINGLE = "single"
    DRY = "dry"
    ATMOSPHERIC = "atmospheric"
    ZERO = "zero"
    CLEAR = "clear"


class EcOutput(StrEnum):
    """The conductivity circuit's output parameters, named as its ``O`` command names them, in reply order."""

    CONDUCTIVITY = "EC"
    TOTAL_DISSOLVED_SOLIDS = "TDS"
    SALINITY = "S"
    SPECIFIC_GRAVITY = "SG"


EC_MEASURES: Final[Mapping[EcOutput, ProbeKind]] = {
    EcOutput.CONDUCTIVITY: ProbeKind.CONDUCTIVITY,
    EcOutput.SALINITY: ProbeKind.SALINITY,
    EcOutput.SPECIFIC_GRAVITY: ProbeKind.SPECIFIC_GRAVITY,
}
"""The outputs Bella's Reef enables on a conductivity circuit, and what each measures (TDS is off: keepers of
seawater read salinity)."""


class EzoStatus(IntEnum):
    """The first byte of every reply."""

    SUCCESS = 1
    SYNTAX_ERROR = 2
    PENDING = 254
    NO_DATA = 255


@dataclass(frozen=True, slots=True)
class EzoSpec:
    """What tells the circuits apart."""

    device_type: str
    """As the circuit names itself in its reply to ``i``."""
    default_address: int
    unit: str
    calibrations: frozenset[CalibrationPoint]
    temperature_compensation: bool
    calibration_delay: float
    decimals: int


SPECS = {
    EzoCircuit.PH: EzoSpec(
        "pH",
        0x63,
        "pH",
        frozenset(
            {CalibrationPoint.MID, CalibrationPoint.LOW, CalibrationPoint.HIGH, CalibrationPoint.CLEAR}
        ),
        temperature_compensation=True,
        calibration_delay=0.9,
        decimals=3,
    ),
    EzoCircuit.ORP: EzoSpec(
        "ORP",
        0x62,
        "mV",
        frozenset({CalibrationPoint.SINGLE, CalibrationPoint.CLEAR}),
        temperature_compensation=False,
        calibration_delay=0.9,
        decimals=1,
    ),
    EzoCircuit.EC: EzoSpec(
        "EC",
        0x64,
        "µS/cm",
        frozenset(
            {
                CalibrationPoint.DRY,
                CalibrationPoint.SINGLE,
                CalibrationPoint.LOW,
                CalibrationPoint.HIGH,
                CalibrationPoint.CLEAR,
            }
        ),
        temperature_compensation=True,
        calibration_delay=0.9,
        decimals=2,
    ),
    EzoCircuit.DO: EzoSpec(
        "D.O.",
        0x61,
        "mg/L",
        frozenset({CalibrationPoint.ATMOSPHERIC, CalibrationPoint.ZERO, CalibrationPoint.CLEAR}),
        temperature_compensation=True,
        calibration_delay=1.3,
        decimals=2,
    ),
}

_DECIMAL: Final = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,6})?")
"""A value as the circuits write them: plain digits, no exponent, sign only when negative."""
READING_DELAY = 0.9
SHORT_DELAY = 0.3
REPLY_LENGTH = 40
"""Status byte plus the longest reply (EC with every parameter enabled); the circuit pads with NULs."""
_VALUED_POINTS = frozenset(
    {CalibrationPoint.MID, CalibrationPoint.LOW, CalibrationPoint.HIGH, CalibrationPoint.SINGLE}
)


@dataclass(frozen=True, slots=True)
class EzoCommand:
    """A command and how long the circuit works on it before its reply can be fetched."""

    text: str
    delay: float


INFO = EzoCommand("i", SHORT_DELAY)
"""Device type and firmware, e.g. ``?I,pH,2.16``."""


class ReadingPendingError(ProbeReadError):
    """The circuit is still working on the command: fetch again a little later."""


def _number(value: float) -> str:
    """A number as the datasheets write them: no exponent, no trailing zeros."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    return f"{value:.3f}".rstrip("0").rstrip(".")


def processing_delay(circuit: EzoCircuit, text: str) -> float:
    """How long a circuit works on a command, from its datasheet."""
    name = text.split(",", 1)[0].lower()
    if name in {"r", "rt"}:
        return READING_DELAY
    if name == "cal" and not text.endswith("?"):
        return SPECS[circuit].calibration_delay
    return SHORT_DELAY


def _command(circuit: EzoCircuit, text: str) -> EzoCommand:
    """A command with its processing delay."""
    return EzoCommand(text, processing_delay(circuit, text))


def reading_command(circuit: EzoCircuit, temperature: float | None = None) -> EzoCommand:
    """``R``, or ``RT,<°C>`` to read compensated for the water temperature (which the circuit then keeps)."""
    if temperature is None:
        return _command(circuit, "R")
    if not SPECS[circuit].temperature_compensation:
        raise ValueError(f"{circuit} readings have no temperature compensation")
    return _command(circuit, f"RT,{_number(temperature)}")


def temperature_command(circuit: EzoCircuit, temperature: float) -> EzoCommand:
    """``T,<°C>``: set the compensation temperature without reading."""
    if not SPECS[circuit].temperature_compensation:
        raise ValueError(f"{circuit} readings have no temperature compensation")
    return _command(circuit, f"T,{_number(temperature)}")


def calibration_command(
    circuit: EzoCircuit, point: CalibrationPoint, value: float | None = None
) -> EzoCommand:
    """The ``Cal`` command for one calibration step; points that take a solution's value need it."""
    if point not in SPECS[circuit].calibrations:
        raise ValueError(f"{circuit} has no {point} calibration")
    if point in _VALUED_POINTS and value is None:
        raise ValueError(f"{point} calibration needs the calibration solution's value")
    if point not in _VALUED_POINTS and value is not None:
        raise ValueError(f"{point} calibration takes no value")
    amount = "" if value is None else _number(value)
    match point:
        case CalibrationPoint.SINGLE:
            text = f"Cal,{amount}"
        case CalibrationPoint.MID | CalibrationPoint.LOW | CalibrationPoint.HIGH:
            text = f"Cal,{point},{amount}"
        case CalibrationPoint.ATMOSPHERIC:
            text = "Cal"
        case CalibrationPoint.ZERO:
            text = "Cal,0"
        case _:
            text = f"Cal,{point}"
    return _command(circuit, text)


def output_commands() -> tuple[EzoCommand, ...]:
    """``O,<parameter>,<1|0>`` for each conductivity output: the ones in `EC_MEASURES` on, the rest off."""
    return tuple(_command(EzoCircuit.EC, f"O,{output},{int(output in EC_MEASURES)}") for output in EcOutput)


def parse_ec_reading(text: str) -> dict[ProbeKind, float]:
    """A conductivity reading with the outputs of `EC_MEASURES` enabled, e.g. ``53000,34.95,1.026``.

    Raises ValueError unless the reply has exactly one finite number per enabled output.
    """
    fields = text.split(",")
    kinds: Sequence[ProbeKind] = [EC_MEASURES[output] for output in EcOutput if output in EC_MEASURES]
    if len(fields) != len(kinds):
        raise ValueError(f"{len(fields)} values where {len(kinds)} were enabled")
    if not all(_DECIMAL.fullmatch(field) for field in fields):
        raise ValueError("a value is not a decimal number")
    return {kind: float(field) for kind, field in zip(kinds, fields, strict=True)}


def calibration_query(circuit: EzoCircuit) -> EzoCommand:
    """``Cal,?``: how many points are calibrated, e.g. ``?CAL,2``."""
    return _command(circuit, "Cal,?")


class EzoProbe:
    """One EZO circuit on an I2C bus; also a blocking `Probe` through `read`."""

    def __init__(self, i2c: I2CBus, circuit: EzoCircuit, address: int | None = None) -> None:
        """Describe the circuit (at its factory address unless told); no I/O happens here."""
        self.circuit = circuit
        self.spec = SPECS[circuit]
        self.address = self.spec.default_address if address is None else address
        if not 1 <= self.address <= 0x7F:
            raise ValueError(f"EZO I2C address must be 1-127, not {self.address}")
        self._i2c = i2c
        # Whether the conductivity outputs were set since the driver started; a reply of the wrong shape (a
        # circuit swapped or reset to its factory outputs) clears it, so they are set again.
        self.outputs_set = circuit is not EzoCircuit.EC

    def __repr__(self) -> str:
        """Name the circuit in logs and errors."""
        return f"EZO {self.spec.device_type} at {self.address:#04x}"

    def send(self, command: EzoCommand) -> float:
        """Write a command; returns the seconds to wait before `fetch`. Blocking, one short transaction."""
        with self._transaction() as i2c:
            i2c.writeto(self.address, command.text.encode("ascii"))
        return command.delay

    def fetch(self) -> str:
        """The reply to the last command; blocking, one short transaction."""
        reply = bytearray(REPLY_LENGTH)
        with self._transaction() as i2c:
            i2c.readfrom_into(self.address, reply)
        status, text = reply[0], reply[1:].split(b"\0", 1)[0].decode("ascii", errors="replace")
        if status == EzoStatus.SUCCESS:
            return text
        if status == EzoStatus.PENDING:
            raise ReadingPendingError(f"{self} is still processing")
        if status == EzoStatus.SYNTAX_ERROR:
            raise ProbeReadError(f"{self} rejected the command")
        if status == EzoStatus.NO_DATA:
            raise ProbeReadError(f"{self} has no reply to send")
        raise ProbeReadError(f"{self} answered with unknown status {status}")

    def start_reading(self, temperature: float | None = None) -> float:
        """Ask for a reading (compensated at ``temperature`` °C when given); returns the delay."""
        return self.send(reading_command(self.circuit, temperature))

    def fetch_reading(self) -> float:
        """The reading asked for; the first value when the circuit reports several (EC, DO)."""
        text = self.fetch()
        try:
            value = float(text.split(",", 1)[0])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ProbeReadError(f"{self} sent {text!r}, not a reading")
        return value

    def fetch_ec_reading(self) -> dict[ProbeKind, float]:
        """The conductivity circuit's reading asked for: every enabled output, by what it measures."""
        text = self.fetch()
        try:
            return parse_ec_reading(text)
        except ValueError as err:
            self.outputs_set = False
            raise ProbeReadError(f"{self} sent {text[:40]!r}, not a reading: {err}") from err

    def query(self, command: EzoCommand) -> str:
        """Send, wait, fetch: the blocking round trip, for executor threads that may wait."""
        sleep(self.send(command))
        return self.fetch()

    def read(self) -> float:
        """One uncompensated reading, waiting out the processing delay; blocking."""
        sleep(self.start_reading())
        return self.fetch_reading()

    @contextmanager
    def _transaction(self) -> Iterator[I2CBus]:
        """The bus, locked for one transaction; bus errors become HardwareErrors."""
        try:
            with locked(self._i2c) as i2c:
                yield i2c
        except OSError as err:
            raise error_from_os_error(err, repr(self)) from err
