"""Probes that measure the tank, behind one blocking Protocol, and the DS18B20 1-wire thermometer.

Linux's w1-therm driver does the 1-wire work: each sensor shows up as a folder in /sys/bus/w1/devices named
after its ROM id (family 28 for a DS18B20), whose ``w1_slave`` file runs a conversion when read and prints the
scratchpad with the driver's CRC verdict, then the temperature in millidegrees.
"""

from pathlib import Path
from typing import Protocol

from .errors import DeviceMissingError, ProbeReadError

W1_DEVICES = Path("/sys/bus/w1/devices")
DS18B20_FAMILY = "28-"
POWER_ON_MILLIDEGREES = 85_000
"""What a DS18B20 reports when read before its first conversion (e.g. after a brown-out): never a reading."""


class Probe(Protocol):
    """Something that measures one value of the tank."""

    def read(self) -> float:
        """Take one reading; blocking. Raises ProbeReadError (or DeviceMissingError) when there is none."""


def list_ds18b20(root: Path = W1_DEVICES) -> list[str]:
    """The ids of the DS18B20 sensors the kernel sees, for the config flow to offer."""
    if not root.is_dir():
        return []
    return sorted(entry.name for entry in root.iterdir() if entry.name.startswith(DS18B20_FAMILY))


class DS18B20:
    """A DS18B20 temperature probe, read in °C through the kernel's w1_slave file."""

    def __init__(self, device_id: str, root: Path = W1_DEVICES) -> None:
        """Describe the probe; no I/O happens here."""
        if not device_id.startswith(DS18B20_FAMILY) or "/" in device_id:
            raise ValueError(f"not a DS18B20 id: {device_id!r}")
        self.device_id = device_id
        self._path = root / device_id / "w1_slave"

    def read(self) -> float:
        """One conversion (about 750 ms at 12 bits); blocking."""
        try:
            text = self._path.read_text(encoding="ascii")
        except FileNotFoundError as err:
            raise DeviceMissingError(f"DS18B20 {self.device_id} is not on the 1-wire bus") from err
        except (OSError, UnicodeDecodeError) as err:
            raise ProbeReadError(f"DS18B20 {self.device_id} could not be read: {err}") from err
        lines = text.splitlines()
        if len(lines) < 2 or not lines[0].rstrip().endswith("YES"):
            raise ProbeReadError(f"DS18B20 {self.device_id} failed its CRC check")
        scratchpad = lines[0].partition(":")[0].split()
        if all(byte == "00" for byte in scratchpad):
            # Zeros pass the CRC too: a sensor that lost its data line reads as 0 °C.
            raise ProbeReadError(f"DS18B20 {self.device_id} returned an empty scratchpad")
        _, found, value = lines[1].rpartition("t=")
        if not found or not value.strip().removeprefix("-").isdigit():
            raise ProbeReadError(f"DS18B20 {self.device_id} gave no temperature")
        millidegrees = int(value)
        if millidegrees == POWER_ON_MILLIDEGREES:
            raise ProbeReadError(f"DS18B20 {self.device_id} reported its power-on value, 85 °C")
        return millidegrees / 1000
