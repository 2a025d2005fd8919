"""The probe poll: every probe read side by side, each one's failure contained to its own sensor."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import logging
import math
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import DEVICE_TIMEOUT, DOMAIN, PROBE_INTERVAL, reading_id
from ..hardware.errors import ProbeReadError
from ..hardware.ezo import EzoProbe
from ..hardware.tank import ProbeKind
from ..health import DeviceHealth, within

_LOGGER = logging.getLogger(__name__)

# What a probe of each kind can physically report, in its kind's unit; wider than any tank, narrower than noise.
PLAUSIBLE: Final[Mapping[ProbeKind, tuple[float, float]]] = {
    ProbeKind.TEMPERATURE: (-20.0, 80.0),
    ProbeKind.PH: (0.0, 14.0),
    ProbeKind.ORP: (-2000.0, 2000.0),
    ProbeKind.SALINITY: (0.0, 100.0),
    ProbeKind.CONDUCTIVITY: (0.0, 1_000_000.0),
    ProbeKind.DISSOLVED_OXYGEN: (0.0, 100.0),
    ProbeKind.SPECIFIC_GRAVITY: (0.9, 1.4),
}

type ProbeReading = float | Mapping[ProbeKind, float]
"""What a probe's read gives: its one value, or a value per kind it measures (its own and its extras)."""


@dataclass(slots=True)
class Probe:
    """A probe at run time: how to read it and whether it answers."""

    subentry_id: str
    name: str
    kind: ProbeKind
    read: Callable[[], Awaitable[ProbeReading]]
    health: DeviceHealth
    model: str
    # The circuit behind an Atlas Scientific EZO probe, for calibration.
    ezo: EzoProbe | None = None
    # What the probe reports beside its own kind (a conductivity circuit's salinity and specific gravity).
    extra: tuple[ProbeKind, ...] = ()

    @property
    def readings(self) -> dict[str, ProbeKind]:
        """Each reading the probe gives, by reading id: its own under its subentry id, then its extras."""
        return {self.subentry_id: self.kind} | {
            reading_id(self.subentry_id, kind): kind for kind in self.extra
        }


class ProbeCoordinator(DataUpdateCoordinator[dict[str, float | None]]):
    """Reads every probe on a fixed interval; a probe that fails only takes its own sensors down.

    Its data holds every reading by reading id (see `Probe.readings`).

    Whatever a probe does — raise any exception, hang, answer garbage — the poll itself never fails: that probe
    reads None until it answers again. Each reading is announced as soon as it arrives (the safety monitor
    listens), so one slow probe does not delay the verdict on the others.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        probes: list[Probe],
        before_poll: Callable[[], None] | None = None,
    ) -> None:
        """Bind the probes; `before_poll` runs at the start of every poll (the simulated water moves on)."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} probes", update_interval=PROBE_INTERVAL
        )
        self.probes = {probe.subentry_id: probe for probe in probes}
        self.readings: dict[str, tuple[Probe, ProbeKind]] = {
            reading: (probe, kind) for probe in probes for reading, kind in probe.readings.items()
        }
        self._before_poll = before_poll
        # Every reading as it arrives, this poll's included: a circuit that compensates for the water's
        # temperature takes the freshest one, so its first reading after setup is compensated too when the
        # thermometer answers first (an EZO-EC sets its outputs first, which takes longer than a thermometer).
        self.latest: dict[str, float | None] = {}
        self._reading_listeners: list[Callable[[str, float | None], None]] = []

    @callback
    def async_add_reading_listener(self, listener: Callable[[str, float | None], None]) -> CALLBACK_TYPE:
        """Call `listener(reading id, value)` with every reading the moment it arrives (None: failed)."""
        self._reading_listeners.append(listener)

        @callback
        def remove() -> None:
            self._reading_listeners.remove(listener)

        return remove

    async def _async_update_data(self) -> dict[str, float | None]:
        if self._before_poll is not None:
            self._before_poll()
        # Probes are read side by side: an EZO circuit's 900 ms wait does not hold up the others.
        polled = await asyncio.gather(*(self._async_read(probe) for probe in self.probes.values()))
        return {reading: value for values in polled for reading, value in values.items()}

    async def _async_read(self, probe: Probe) -> dict[str, float | None]:
        values: dict[str, float | None] = dict.fromkeys(probe.readings)
        try:
            values = dict(_plausible(probe, await within(DEVICE_TIMEOUT, probe.read(), probe.name)))
        except Exception as err:  # noqa: BLE001 - any failure of one probe is that probe's, never the poll's
            probe.health.failed(err)
        else:
            probe.health.succeeded()
        probe.health.update_issue(self.hass, self.config_entry, probe.subentry_id)
        self.latest.update(values)
        for reading, value in values.items():
            for listener in list(self._reading_listeners):
                listener(reading, value)
        return values


def _plausible(probe: Probe, reading: object) -> dict[str, float]:
    """A reading as numbers a probe of its kinds can give; anything else is the probe failing, not the tank.

    NaN, infinity, text, a missing value or -1e308 °C from a corrupted frame must never reach a safety rule as if
    it were water: one bad value fails the whole reading, whose other values came in the same frame.
    """
    measured = reading if isinstance(reading, Mapping) else {probe.kind: reading}
    values: dict[str, float] = {}
    for name, kind in probe.readings.items():
        value = measured.get(kind)
        try:
            number = float(value)  # type: ignore[arg-type]
        except TypeError, ValueError:
            number = math.nan
        low, high = PLAUSIBLE[kind]
        if not low <= number <= high:
            raise ProbeReadError(f"{probe.name} read {str(value)[:40]!r}, not a plausible {kind} value")
        values[name] = number
    return values
