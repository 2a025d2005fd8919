"""A simulated outlet for the demo tank and for testing the layers above without hardware.

It switches like a real socket, draws the typical power of what is plugged into it (by role, or a wattage of
its own), counts energy against a clock, and can be made to fail the ways real outlets do: drop off the
network, have its button pressed, or ignore commands (a stuck relay).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import time
from types import MappingProxyType

from .base import (
    OutletConnectionError,
    OutletDevice,
    OutletRole,
    OutletState,
    confirm,
)

MANUFACTURER = "Bella's Reef"
MODEL = "Simulated outlet"

ROLE_WATTS: Mapping[OutletRole, float] = MappingProxyType(
    {
        OutletRole.HEATER: 200.0,
        OutletRole.CHILLER: 250.0,
        OutletRole.RETURN_PUMP: 45.0,
        OutletRole.POWERHEAD: 15.0,
        OutletRole.SKIMMER: 20.0,
        OutletRole.ATO: 10.0,
        OutletRole.LIGHT: 150.0,
    }
)
"""What a typical reef device of each role draws while switched on; `other` has no typical draw."""

_SECONDS_PER_HOUR = 3600.0


class SimulatedOutlet:
    """A socket that lives in memory.

    `watts` overrides the role's typical draw; with neither, the outlet reports no power. `clock` returns
    seconds (monotonic by default) and drives the energy count.
    """

    def __init__(
        self,
        key: str,
        name: str,
        *,
        role: OutletRole = OutletRole.OTHER,
        watts: float | None = None,
        is_on: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create the socket, switched as `is_on`; no I/O happens here."""
        self._key = key
        self._name = name
        self._watts = watts if watts is not None else ROLE_WATTS.get(role)
        self._is_on = is_on
        self._clock = clock
        self._energy_wh = 0.0
        self._since = clock()
        self.available = True
        """False makes every call fail as an unreachable device does."""
        self.stuck = False
        """True makes the relay ignore commands, so switching is not confirmed."""

    @property
    def unique_id(self) -> str:
        """Built from the key the outlet was created with."""
        return f"simulated:{self._key}"

    @property
    def name(self) -> str:
        """The name the outlet was created with."""
        return self._name

    @property
    def model(self) -> str:
        """Always the simulated model."""
        return MODEL

    @property
    def device(self) -> OutletDevice:
        """A device of its own."""
        return OutletDevice(id=self.unique_id, name=self._name, manufacturer=MANUFACTURER, model=MODEL)

    @property
    def has_power_monitoring(self) -> bool:
        """True when the outlet has a wattage (its own or its role's)."""
        return self._watts is not None

    @property
    def is_on(self) -> bool:
        """The relay as it is, for the demo and tests to look at."""
        return self._is_on

    def press_button(self) -> None:
        """Flip the relay by hand, as a real device's button does."""
        self._set(not self._is_on)

    async def connect(self) -> None:
        """Succeed unless the outlet is unavailable."""
        self._check()

    async def update(self) -> OutletState:
        """The current state, power and energy."""
        self._check()
        self._account()
        if self._watts is None:
            return OutletState(is_on=self._is_on)
        return OutletState(
            is_on=self._is_on,
            power_w=self._watts if self._is_on else 0.0,
            energy_kwh=self._energy_wh / 1000.0,
        )

    async def turn_on(self) -> OutletState:
        """Switch on (unless stuck) and confirm."""
        return await self._switch(True)

    async def turn_off(self) -> OutletState:
        """Switch off (unless stuck) and confirm."""
        return await self._switch(False)

    async def close(self) -> None:
        """Nothing to release."""

    async def _switch(self, on: bool) -> OutletState:
        self._check()
        if not self.stuck:
            self._set(on)
        return await confirm(self.update, on, f"simulated outlet {self._name}")

    def _set(self, on: bool) -> None:
        self._account()
        self._is_on = on

    def _account(self) -> None:
        now = self._clock()
        if self._is_on and self._watts is not None:
            self._energy_wh += self._watts * (now - self._since) / _SECONDS_PER_HOUR
        self._since = now

    def _check(self) -> None:
        if not self.available:
            raise OutletConnectionError(f"simulated outlet {self._name} is unavailable")
