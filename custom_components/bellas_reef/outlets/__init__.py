"""Smart-outlet drivers behind one Protocol: Kasa, Shelly, VeSync and simulated outlets.

Pure Python (no Home Assistant imports). Everything is async, each device call is bounded by a timeout, and
devices never wait on one another. The vendor modules (`kasa`, `shelly`, `vesync`) import their libraries, so
import the one a configured outlet needs.
"""

from .base import (
    DEFAULT_TIMEOUT,
    Outlet,
    OutletAuthError,
    OutletConnectionError,
    OutletDevice,
    OutletError,
    OutletNotConfirmedError,
    OutletNotFoundError,
    OutletRole,
    OutletState,
)
from .simulated import SimulatedOutlet

__all__ = [
    "DEFAULT_TIMEOUT",
    "Outlet",
    "OutletAuthError",
    "OutletConnectionError",
    "OutletDevice",
    "OutletError",
    "OutletNotConfirmedError",
    "OutletNotFoundError",
    "OutletRole",
    "OutletState",
    "SimulatedOutlet",
]
