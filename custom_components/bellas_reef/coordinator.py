"""The controller's coordinators: the lighting tick that drives the PWM boards, and the probe poll."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import DOMAIN, FAILURES_BEFORE_UNAVAILABLE, LIGHTING_TICK, PROBE_INTERVAL, ChannelRole
from .hardware.errors import HardwareError
from .hardware.failures import FailureTracker, Transition
from .hardware.pwm import PwmBoard
from .hardware.simulated import SimulatedI2CBus
from .hardware.tank import ProbeKind, TankModel
from .lighting.curves import OutputMapping

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY_SECONDS = 5


def storage_key(entry_id: str) -> str:
    """Where a controller's channel state is saved between restarts."""
    return f"{DOMAIN}.{entry_id}"


@dataclass(slots=True)
class DeviceHealth:
    """Whether one device answers, so its entities go unavailable once and come back once, each logged once."""

    name: str
    tracker: FailureTracker = field(default_factory=lambda: FailureTracker(FAILURES_BEFORE_UNAVAILABLE))
    errors: int = 0

    @property
    def available(self) -> bool:
        """False after several failures in a row, until the device answers again."""
        return self.tracker.available

    def failed(self, err: Exception) -> None:
        """Count a failed read or write."""
        self.errors += 1
        if self.tracker.failure(err) is Transition.UNAVAILABLE:
            _LOGGER.warning("%s is unavailable: %s", self.name, err)

    def succeeded(self) -> None:
        """Note a read or write that worked."""
        if self.tracker.success() is Transition.RECOVERED:
            _LOGGER.info("%s is available again", self.name)


@dataclass(slots=True)
class Board:
    """A PWM board (or a single PWM pin) and what was last written to it."""

    key: str
    name: str
    model: str
    driver: PwmBoard
    health: DeviceHealth
    written: dict[int, int] = field(default_factory=dict)
    device_id: str = ""


@dataclass(slots=True)
class Channel:
    """A light channel at run time: where it is wired and the level it should show."""

    subentry_id: str
    name: str
    role: ChannelRole
    board: Board
    output: int
    mapping: OutputMapping
    override_minutes: int
    is_on: bool = False
    level: float = 1.0
    duty: int = 0

    @property
    def target_level(self) -> float:
        """The level the channel's program asks for now (a static level until programs arrive)."""
        return self.level if self.is_on else 0.0


@dataclass(frozen=True, slots=True)
class ChannelOutput:
    """What a channel shows, as compared between ticks to decide whether HA's state must change."""

    is_on: bool
    level: float
    duty: int
    available: bool


@dataclass(slots=True)
class Probe:
    """A probe at run time: how to read it and whether it answers."""

    subentry_id: str
    name: str
    kind: ProbeKind
    read: Callable[[], float]
    health: DeviceHealth


class LightingCoordinator(DataUpdateCoordinator[dict[str, ChannelOutput]]):
    """Ticks once a second: computes each channel's target and writes what changed to its board.

    Hardware writes happen on every tick; HA state writes follow the coordinator's data, which only changes (and
    so only notifies entities) when a channel's output does, at most once per tick.
    """

    config_entry: ReefConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: ReefConfigEntry, boards: list[Board], channels: list[Channel]
    ) -> None:
        """Bind the channels to their boards and the controller's saved state."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} lighting",
            update_interval=LIGHTING_TICK,
            always_update=False,
        )
        self.boards = {board.key: board for board in boards}
        self.channels = {channel.subentry_id: channel for channel in channels}
        self.store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, storage_key(entry.entry_id))
        self.last_tick_seconds = 0.0

    async def async_restore(self) -> None:
        """Put every channel back the way it was before the restart."""
        saved = await self.store.async_load() or {}
        for subentry_id, state in saved.get("channels", {}).items():
            if channel := self.channels.get(subentry_id):
                channel.is_on = bool(state["is_on"])
                channel.level = float(state["level"])

    def _saved_state(self) -> dict[str, Any]:
        return {
            "channels": {
                sid: {"is_on": channel.is_on, "level": channel.level}
                for sid, channel in self.channels.items()
            }
        }

    async def async_shutdown(self) -> None:
        """Save the channels now rather than after the save delay, then stop ticking."""
        await self.store.async_save(self._saved_state())
        await super().async_shutdown()

    async def async_set_channel(self, subentry_id: str, *, is_on: bool, level: float | None = None) -> None:
        """Apply a manual change at once, not at the next tick, and remember it."""
        channel = self.channels[subentry_id]
        channel.is_on = is_on
        if level is not None:
            channel.level = level
        self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)
        self.async_set_updated_data(await self._async_drive())

    async def _async_update_data(self) -> dict[str, ChannelOutput]:
        return await self._async_drive()

    async def _async_drive(self) -> dict[str, ChannelOutput]:
        started = time.perf_counter()
        pending: dict[str, dict[int, int]] = {}
        for channel in self.channels.values():
            channel.duty = channel.mapping.duty(channel.target_level)
            board = channel.board
            # An unavailable board is sent everything again each tick, so it is back as soon as it answers.
            if not board.health.available or board.written.get(channel.output) != channel.duty:
                pending.setdefault(board.key, {})[channel.output] = channel.duty
        for key, duties in pending.items():
            board = self.boards[key]
            try:
                await self.hass.async_add_executor_job(board.driver.write, duties)
            except HardwareError as err:
                board.health.failed(err)
                for output in duties:
                    board.written.pop(output, None)
            else:
                board.health.succeeded()
                board.written.update(duties)
        self.last_tick_seconds = time.perf_counter() - started
        return {
            sid: ChannelOutput(
                is_on=channel.is_on,
                level=channel.target_level,
                duty=channel.duty,
                available=channel.board.health.available,
            )
            for sid, channel in self.channels.items()
        }

    def light_power(self) -> float:
        """The share of full output the lights give now, for the simulated tank's warming and photosynthesis."""
        if not self.channels:
            return 0.0
        return sum(ch.duty / ch.mapping.max_duty for ch in self.channels.values()) / len(self.channels)


class ProbeCoordinator(DataUpdateCoordinator[dict[str, float | None]]):
    """Reads every probe on a fixed interval; a probe that fails only takes its own sensor down."""

    config_entry: ReefConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: ReefConfigEntry, probes: list[Probe], tank: TankModel
    ) -> None:
        """Bind the probes and the simulated water they may read."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} probes", update_interval=PROBE_INTERVAL
        )
        self.probes = {probe.subentry_id: probe for probe in probes}
        self.tank = tank

    async def _async_update_data(self) -> dict[str, float | None]:
        runtime = self.config_entry.runtime_data
        self.tank.advance(dt_util.utcnow(), runtime.lighting.light_power())
        values: dict[str, float | None] = {}
        for sid, probe in self.probes.items():
            try:
                values[sid] = await self.hass.async_add_executor_job(probe.read)
            except HardwareError as err:
                probe.health.failed(err)
                values[sid] = None
            else:
                probe.health.succeeded()
        return values


@dataclass(frozen=True, slots=True)
class Simulator:
    """The controller's simulated hardware: an I2C bus for simulated boards, and the water simulated probes read."""

    bus: SimulatedI2CBus
    tank: TankModel


@dataclass(slots=True)
class ReefRuntimeData:
    """Everything a loaded controller holds, reachable from its config entry."""

    controller_device_id: str
    lighting: LightingCoordinator
    probes: ProbeCoordinator
    simulator: Simulator


type ReefConfigEntry = ConfigEntry[ReefRuntimeData]
