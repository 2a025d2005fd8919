"""What the flows ask the machine: which boards answer, what an EZO circuit is, whether there is hardware."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .. import drivers
from ..const import CONF_DRIVER
from ..hardware.errors import DeviceMissingError, HardwareError
from ..hardware.ezo import INFO, SPECS, EzoCircuit, EzoProbe
from ..hardware.i2c import scan_i2c

SIMULATED = "simulated"
# Where Linux lists I2C buses (i2c-N) and GPIO chips (gpiochipN); a module constant so tests can fake a board.
DEVICES_ROOT = Path("/dev")


def bus_error(err: HardwareError) -> str:
    """The form error for a bus that cannot be used."""
    return "bus_not_found" if isinstance(err, DeviceMissingError) else "bus_error"


def scan_bus(bus_number: int) -> list[int]:
    """Addresses that answer on the bus; blocking."""
    with drivers.i2c_bus(bus_number) as bus:
        return scan_i2c(bus)


def check_ezo(bus_number: int, circuit: EzoCircuit, address: int) -> str | None:
    """Ask the circuit what it is; the error key when it is missing or a different circuit. Blocking."""
    with drivers.i2c_bus(bus_number) as bus:
        try:
            reply = EzoProbe(bus, circuit, address).query(INFO)
        except DeviceMissingError:
            return "device_not_found"
        except HardwareError:
            return "device_error"
    device_type = reply.split(",")[1] if reply.count(",") else ""
    return None if device_type.lower() == SPECS[circuit].device_type.lower() else "wrong_device"


def _has_controller_hardware() -> bool:
    """Whether this machine has an I2C bus, a GPIO chip or a 1-wire bus; blocking."""
    return any(DEVICES_ROOT.glob("i2c-*")) or any(DEVICES_ROOT.glob("gpiochip*")) or drivers.W1_ROOT.is_dir()


async def async_offered(hass: HomeAssistant, entry: ConfigEntry, choices: Iterable[str]) -> list[str]:
    """The drivers to offer, simulated last.

    Simulated devices are for trying Bella's Reef: they are offered to a tank that already has some, or on a
    machine without controller hardware.
    """
    real = [choice for choice in choices if choice != SIMULATED]
    trying = any(sub.data.get(CONF_DRIVER) == SIMULATED for sub in entry.subentries.values())
    if trying or not await hass.async_add_executor_job(_has_controller_hardware):
        return [*real, SIMULATED]
    return real
