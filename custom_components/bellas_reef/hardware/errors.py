"""Errors the hardware drivers raise, so the HA layer can tell a missing device from a passing glitch."""

import errno


class HardwareError(Exception):
    """A device or bus did not do what was asked; trying again later may work."""


class DeviceMissingError(HardwareError):
    """Nothing answers at the configured address or path: unplugged, wrong address or bus disabled."""


class ProbeReadError(HardwareError):
    """A probe answered, but its reading cannot be trusted."""


_MISSING_ERRNOS = frozenset({errno.ENXIO, errno.EREMOTEIO, errno.ENODEV, errno.ENOENT})


def error_from_os_error(err: OSError, device: str) -> HardwareError:
    """Classify an OS error: an unanswered address means a missing device, anything else a glitch."""
    if err.errno in _MISSING_ERRNOS:
        return DeviceMissingError(f"{device} does not answer: {err}")
    return HardwareError(f"{device} failed: {err}")
