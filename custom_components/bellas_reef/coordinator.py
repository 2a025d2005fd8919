"""The controller's coordinators: the lighting tick that drives the PWM boards, and the probe poll."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
import contextlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    DEVICE_MISSING_AFTER,
    DOMAIN,
    FAILURES_BEFORE_UNAVAILABLE,
    FAST_TICK,
    LIGHTING_TICK,
    OUTLET_MANUAL_HOLD,
    OUTLET_MAX_RETRY,
    OUTLET_POLL,
    OUTLET_PUSH_POLL_EVERY,
    OUTLET_TICK,
    PROBE_INTERVAL,
    RAMP_FULL_SWING_SECONDS,
    ChannelRole,
)
from .hardware.errors import HardwareError
from .hardware.ezo import EzoProbe
from .hardware.failures import FailureTracker, Transition
from .hardware.simulated import SimulatedI2CBus
from .hardware.tank import ProbeKind, TankModel
from .lighting import (
    ChannelPlan,
    Evaluation,
    LightingContext,
    Mimic,
    Override,
    Place,
    PlanError,
    Ramp,
    WeatherData,
    evaluate,
    needs_fast_tick,
    prune,
)
from .lighting.curves import OutputMapping
from .outlets import Outlet, OutletAuthError, OutletError, OutletRole, OutletState, SimulatedOutlet
from .outlets.program import OutletProgram
from .safety import SafetyOutcome
from .weather import WeatherFeed

if TYPE_CHECKING:
    from .monitor import SafetyMonitor
    from .readings import ReadingsRecorder

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
    unavailable_since: datetime | None = None
    issue_raised: bool = False

    @property
    def available(self) -> bool:
        """False after several failures in a row, until the device answers again."""
        return self.tracker.available

    def failed(self, err: Exception) -> None:
        """Count a failed read or write."""
        self.errors += 1
        if self.tracker.failure(err) is Transition.UNAVAILABLE:
            self.unavailable_since = dt_util.utcnow()
            _LOGGER.warning("%s is unavailable: %s", self.name, err)

    def succeeded(self) -> None:
        """Note a read or write that worked."""
        if self.tracker.success() is Transition.RECOVERED:
            self.unavailable_since = None
            _LOGGER.info("%s is available again", self.name)

    def update_issue(self, hass: HomeAssistant, entry: ConfigEntry, key: str) -> None:
        """Raise a repair issue once the device has been gone a while; remove it when the device is back."""
        issue_id = f"device_missing_{entry.entry_id}_{key}"
        if self.available and self.issue_raised:
            self.issue_raised = False
            ir.async_delete_issue(hass, DOMAIN, issue_id)
        elif (
            not self.issue_raised
            and self.unavailable_since is not None
            and dt_util.utcnow() - self.unavailable_since >= DEVICE_MISSING_AFTER
        ):
            self.issue_raised = True
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key="device_missing",
                translation_placeholders={"device": self.name, "controller": entry.title},
            )


class BoardOutput(Protocol):
    """Where a board's duties go: a PWM chip or pin in the executor, or an adopted HA light."""

    @property
    def max_duty(self) -> int:
        """The fully-on duty."""

    async def async_write(self, duties: dict[int, int]) -> bool:
        """Send duties; False when the write was deferred (try again next tick). Raises HardwareError."""

    async def async_read(self) -> dict[int, int]:
        """What the device shows now. Raises HardwareError."""

    async def async_close(self) -> None:
        """Release the device; it keeps its outputs."""


@dataclass(slots=True)
class Board:
    """A PWM board (or a single PWM pin) and what was last written to it."""

    key: str
    name: str
    model: str
    output: BoardOutput
    health: DeviceHealth
    written: dict[int, int] = field(default_factory=dict)
    device_id: str = ""


@dataclass(slots=True)
class Channel:
    """A light channel at run time: where it is wired, what it follows and what it shows now."""

    subentry_id: str
    name: str
    role: ChannelRole
    board: Board
    output: int
    mapping: OutputMapping
    override_minutes: int
    plan: ChannelPlan = field(default_factory=ChannelPlan)
    # The level a plain "turn on" goes back to: the last brightness the keeper chose.
    last_on_level: float = 1.0
    evaluation: Evaluation | None = None
    output_level: float = 0.0
    duty: int = 0

    @property
    def target_level(self) -> float:
        """The level the plan asks for now; the output ramps toward it."""
        return 0.0 if self.evaluation is None else self.evaluation.level


@dataclass(frozen=True, slots=True)
class ChannelOutput:
    """What HA shows of a channel; compared between ticks so HA's state only changes when this does."""

    brightness: int
    active_event: str | None
    override_until: datetime | None
    next_transition: datetime | None
    available: bool


@dataclass(slots=True)
class Probe:
    """A probe at run time: how to read it and whether it answers."""

    subentry_id: str
    name: str
    kind: ProbeKind
    read: Callable[[], Awaitable[float]]
    health: DeviceHealth
    model: str
    # The circuit behind an Atlas Scientific EZO probe, for calibration.
    ezo: EzoProbe | None = None


class LightingCoordinator(DataUpdateCoordinator[dict[str, ChannelOutput]]):
    """Runs every channel's plan through the behavior engine and drives the boards.

    The coordinator's own 1 s refresh evaluates, ramps, writes what changed and publishes `ChannelOutput`s,
    which only notify entities (HA state writes) when they change: at most once a second per channel. While an
    effect runs or an output is still ramping, a 50 ms tick drives the hardware alone, so flashes and fades are
    smooth without flooding HA's state machine and recorder.
    """

    config_entry: ReefConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ReefConfigEntry,
        place: Place,
        boards: list[Board],
        channels: list[Channel],
    ) -> None:
        """Bind the channels to their boards and the controller's place."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} lighting",
            update_interval=LIGHTING_TICK,
            always_update=False,
        )
        self.place = place
        self.boards = {board.key: board for board in boards}
        self.channels = {channel.subentry_id: channel for channel in channels}
        self.weather: dict[str, WeatherData] = {}
        self.weather_feed = WeatherFeed(hass, self._set_weather)
        self.derate = 1.0
        self.forced_off = False
        self.store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, storage_key(entry.entry_id))
        self.last_tick_seconds = 0.0
        self._ramp = Ramp(RAMP_FULL_SWING_SECONDS)
        self._drive_lock = asyncio.Lock()
        self._last_drive: datetime | None = None
        self._unsub_fast_tick: CALLBACK_TYPE | None = None
        self._output_listeners: list[Callable[[dict[str, tuple[float, int]]], None]] = []
        self._published_duties: dict[str, int] = {}

    @property
    def context(self) -> LightingContext:
        """What the engine needs to know beyond a channel's plan."""
        return LightingContext(
            place=self.place, weather=self.weather, derate=self.derate, forced_off=self.forced_off
        )

    async def async_restore(self) -> None:
        """Put every channel's plan back the way it was before the restart."""
        saved = await self.store.async_load() or {}
        for subentry_id, state in saved.get("channels", {}).items():
            if channel := self.channels.get(subentry_id):
                try:
                    plan = ChannelPlan.from_dict(state["plan"])
                except (PlanError, KeyError) as err:
                    _LOGGER.warning("Ignoring the saved plan of %s: %s", channel.name, err)
                    continue
                channel.plan = replace(plan, position=channel.plan.position, name=channel.name)
                channel.last_on_level = float(state.get("last_on_level", 1.0))

    @callback
    def async_subscribe_outputs(
        self, listener: Callable[[dict[str, tuple[float, int]]], None]
    ) -> CALLBACK_TYPE:
        """Call `listener` with every channel's (level, duty) now and whenever a duty changes, even at 20 Hz."""
        self._output_listeners.append(listener)
        listener(self._outputs_now())

        @callback
        def unsubscribe() -> None:
            self._output_listeners.remove(listener)

        return unsubscribe

    def _outputs_now(self) -> dict[str, tuple[float, int]]:
        return {sid: (channel.output_level, channel.duty) for sid, channel in self.channels.items()}

    def _publish_outputs(self) -> None:
        duties = {sid: channel.duty for sid, channel in self.channels.items()}
        if duties == self._published_duties:
            return
        self._published_duties = duties
        outputs = self._outputs_now()
        for listener in list(self._output_listeners):
            listener(outputs)

    @callback
    def async_apply_safety(self, outcome: SafetyOutcome, safety_mode_lights: float) -> None:
        """Take the safety rules' verdict into the engine's last stage; the next tick (≤ 1 s) shows it."""
        self.derate = outcome.derate * (safety_mode_lights if outcome.safety_mode else 1.0)
        self.forced_off = outcome.forced_off

    def _set_weather(self, weather: dict[str, WeatherData]) -> None:
        self.weather = weather

    async def async_follow_weather(self) -> None:
        """Follow the weather entities the channels' mimic programs read (and only those)."""
        await self.weather_feed.async_follow(
            channel.plan.program.weather_entity
            for channel in self.channels.values()
            if isinstance(channel.plan.program, Mimic) and channel.plan.program.weather_entity
        )

    async def async_read_outputs(self) -> None:
        """Start each channel from what its board shows, so a restart does not dip or flash the lights."""
        for board in self.boards.values():
            try:
                duties = await board.output.async_read()
            except HardwareError as err:
                board.health.failed(err)
                continue
            board.written.update(duties)
            for channel in self.channels.values():
                if channel.board is board:
                    channel.duty = duties.get(channel.output, 0)
                    channel.output_level = channel.mapping.level(channel.duty)

    def _saved_state(self) -> dict[str, Any]:
        return {
            "channels": {
                sid: {"plan": channel.plan.to_dict(), "last_on_level": channel.last_on_level}
                for sid, channel in self.channels.items()
            }
        }

    async def async_shutdown(self) -> None:
        """Stop the fast tick, save the channels now rather than after the save delay, then stop ticking."""
        self._stop_fast_tick()
        self.weather_feed.async_stop()
        await self.store.async_save(self._saved_state())
        await super().async_shutdown()

    async def async_update_plans(
        self, subentry_ids: Iterable[str], change: Callable[[Channel, datetime], ChannelPlan]
    ) -> None:
        """Change channels' plans, apply the result at once (not at the next tick) and remember it.

        `change` builds each channel's new plan and may raise PlanError; then no channel changes.
        """
        now = dt_util.utcnow()
        channels = [self.channels[sid] for sid in subentry_ids]
        plans = [change(channel, now) for channel in channels]
        for channel, plan in zip(channels, plans, strict=True):
            channel.plan = plan
        self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)
        await self.async_follow_weather()
        self.async_set_updated_data(await self._async_drive())

    async def async_manual_change(self, subentry_id: str, level: float) -> None:
        """Someone changed an adopted light on the device itself: hold that level as an override."""
        channel = self.channels[subentry_id]
        minutes = timedelta(minutes=channel.override_minutes)

        def change(channel: Channel, now: datetime) -> ChannelPlan:
            plan = channel.plan
            return ChannelPlan(
                plan.program,
                plan.layers,
                plan.events,
                Override(level, now + minutes),
                plan.position,
                plan.name,
            )

        _LOGGER.debug(
            "%s was changed on the device to %.0f %%: holding it as an override", channel.name, level * 100
        )
        await self.async_update_plans([subentry_id], change)

    async def _async_update_data(self) -> dict[str, ChannelOutput]:
        return await self._async_drive()

    async def _async_fast_tick(self, _now: datetime) -> None:
        if not self._drive_lock.locked():
            await self._async_drive()

    def _start_fast_tick(self) -> None:
        if self._unsub_fast_tick is None:
            self._unsub_fast_tick = async_track_time_interval(
                self.hass, self._async_fast_tick, FAST_TICK, name=f"{DOMAIN} fast lighting tick"
            )

    def _stop_fast_tick(self) -> None:
        if self._unsub_fast_tick is not None:
            self._unsub_fast_tick()
            self._unsub_fast_tick = None

    async def _async_drive(self) -> dict[str, ChannelOutput]:
        async with self._drive_lock:
            started = time.perf_counter()
            now = dt_util.utcnow()
            elapsed = 0.0 if self._last_drive is None else (now - self._last_drive).total_seconds()
            self._last_drive = now
            context = self.context
            fast = False
            pruned = False
            pending: dict[str, dict[int, int]] = {}
            for channel in self.channels.values():
                plan = prune(channel.plan, now)
                if plan is not channel.plan:
                    channel.plan, pruned = plan, True
                evaluation = channel.evaluation = evaluate(plan, now, context)
                # A safety rule that turns the lights off does so at once, not with a fade.
                channel.output_level = self._ramp.step(
                    channel.output_level, evaluation.level, elapsed, evaluation.is_flash or context.forced_off
                )
                fast = fast or channel.output_level != evaluation.level or needs_fast_tick(plan, now, context)
                channel.duty = channel.mapping.duty(channel.output_level)
                board = channel.board
                # An unavailable board is sent everything again each tick, so it is back as soon as it answers.
                if not board.health.available or board.written.get(channel.output) != channel.duty:
                    pending.setdefault(board.key, {})[channel.output] = channel.duty
            if pruned:
                self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)
            if fast:
                self._start_fast_tick()
            else:
                self._stop_fast_tick()
            for key, duties in pending.items():
                await self._async_write_board(self.boards[key], duties)
            self._publish_outputs()
            self.last_tick_seconds = time.perf_counter() - started
        return {sid: self._output(channel) for sid, channel in self.channels.items()}

    async def _async_write_board(self, board: Board, duties: dict[int, int]) -> None:
        try:
            written = await board.output.async_write(duties)
        except HardwareError as err:
            board.health.failed(err)
            for output in duties:
                board.written.pop(output, None)
        else:
            board.health.succeeded()
            if written:
                board.written.update(duties)
        board.health.update_issue(self.hass, self.config_entry, board.key)

    @staticmethod
    def _output(channel: Channel) -> ChannelOutput:
        evaluation = channel.evaluation
        override = channel.plan.override
        return ChannelOutput(
            brightness=round(channel.target_level * 255),
            active_event=None if evaluation is None else evaluation.active_event,
            override_until=None if override is None else override.until,
            next_transition=None if evaluation is None else evaluation.next_transition,
            available=channel.board.health.available,
        )

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
        # Probes are read side by side: an EZO circuit's 900 ms wait does not hold up the others.
        results = await asyncio.gather(
            *(probe.read() for probe in self.probes.values()), return_exceptions=True
        )
        values: dict[str, float | None] = {}
        for (sid, probe), result in zip(self.probes.items(), results, strict=True):
            if isinstance(result, HardwareError):
                probe.health.failed(result)
                values[sid] = None
            elif isinstance(result, BaseException):
                raise result
            else:
                probe.health.succeeded()
                values[sid] = result
            probe.health.update_issue(self.hass, self.config_entry, sid)
        runtime.monitor.async_evaluate(values, dt_util.utcnow())
        return values


@runtime_checkable
class PushingOutlet(Protocol):
    """An outlet whose device pushes its state changes (Shelly Gen2+), besides being polled."""

    @property
    def pushes_updates(self) -> bool:
        """Whether this device does push."""

    def add_listener(self, listener: Callable[[OutletState], None]) -> Callable[[], None]:
        """Receive pushed states until the returned function is called."""


@dataclass(slots=True)
class ManagedOutlet:
    """A smart outlet at run time: its driver, role and what it should be doing."""

    subentry_id: str
    name: str
    role: OutletRole
    boot_delay: float
    driver: Outlet
    health: DeviceHealth
    manual_on: bool | None = None
    program: OutletProgram | None = None
    hold_until: datetime | None = None
    state: OutletState | None = None
    connected: bool = False
    boot_at: datetime | None = None
    # Why the outlet is held against its program or manual state right now (safety, feed, ...), for attributes.
    held_by: str | None = None
    # Rejected credentials belong to the controller's VeSync account: ask the keeper again (reauth).
    reauth_on_auth_error: bool = False
    # Read on every n-th poll only: cloud outlets (VeSync) and those whose device pushes changes.
    poll_every: int = 1
    # An unreachable device is retried with a growing pause, not hammered on every poll.
    retry_at: datetime | None = None


class OutletCoordinator(DataUpdateCoordinator[dict[str, OutletState | None]]):
    """Polls every outlet and keeps each in the state it should be in.

    What an outlet should be is decided in this order: a safety rule's command for its role, then feed mode,
    then a manual hold, then its program, then the last manual state. A 1 s tick applies programs (on/off
    cycles in seconds) and lifts feed mode on time without waiting for the poll. After a (re)start, outlets that
    should be on come on one by one, each after its boot delay.
    """

    config_entry: ReefConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ReefConfigEntry, outlets: list[ManagedOutlet]) -> None:
        """Bind the outlets; each waits its boot delay from now before it may be turned on."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} outlets", update_interval=OUTLET_POLL
        )
        self.outlets = {outlet.subentry_id: outlet for outlet in outlets}
        self.store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.outlets")
        self.safety_outlets: Mapping[str, bool] = {}
        self.feed_until: datetime | None = None
        self.feed_roles: frozenset[str] = frozenset()
        self._lock = asyncio.Lock()
        self._unsub_tick: CALLBACK_TYPE | None = None
        self._unsub_pushes: list[Callable[[], None]] = []
        self._polls = 0
        started = dt_util.utcnow()
        for outlet in outlets:
            outlet.boot_at = started + timedelta(seconds=outlet.boot_delay)

    async def async_restore(self) -> None:
        """Bring back each outlet's manual state, program and hold, and a feed mode still running."""
        saved = await self.store.async_load() or {}
        for subentry_id, state in saved.get("outlets", {}).items():
            if outlet := self.outlets.get(subentry_id):
                outlet.manual_on = state.get("manual_on")
                if state.get("program"):
                    outlet.program = OutletProgram.from_dict(state["program"])
                outlet.hold_until = (
                    dt_util.parse_datetime(state["hold_until"]) if state.get("hold_until") else None
                )
        if saved.get("feed_until"):
            self.feed_until = dt_util.parse_datetime(saved["feed_until"])
            self.feed_roles = frozenset(saved.get("feed_roles", []))
        self._unsub_tick = async_track_time_interval(
            self.hass, self._async_tick, OUTLET_TICK, name=f"{DOMAIN} outlet programs"
        )

    def _saved_state(self) -> dict[str, Any]:
        return {
            "outlets": {
                sid: {
                    "manual_on": outlet.manual_on,
                    "program": None if outlet.program is None else outlet.program.to_dict(),
                    "hold_until": None if outlet.hold_until is None else outlet.hold_until.isoformat(),
                }
                for sid, outlet in self.outlets.items()
            },
            "feed_until": None if self.feed_until is None else self.feed_until.isoformat(),
            "feed_roles": sorted(self.feed_roles),
        }

    def _save(self) -> None:
        self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)

    async def async_shutdown(self) -> None:
        """Stop the tick, save now, close the drivers' connections."""
        if self._unsub_tick is not None:
            self._unsub_tick()
            self._unsub_tick = None
        for unsub in self._unsub_pushes:
            unsub()
        self._unsub_pushes = []
        await self.store.async_save(self._saved_state())
        await super().async_shutdown()
        for outlet in self.outlets.values():
            with contextlib.suppress(OutletError):
                await outlet.driver.close()

    @callback
    def async_apply_safety(self, outlets: Mapping[str, bool]) -> None:
        """Hold outlets by role as the raised safety rules (and the heater fail-safe) ask; release the others."""
        if outlets != self.safety_outlets:
            self.safety_outlets = outlets
            self.hass.async_create_task(self.async_enforce(), eager_start=True)

    def feed_active(self, now: datetime | None = None) -> bool:
        """Whether feed mode is on."""
        return self.feed_until is not None and (now or dt_util.utcnow()) < self.feed_until

    async def async_feed(self, minutes: float, roles: Iterable[str]) -> None:
        """Outlets of `roles` off for `minutes` (a second call extends it), then back as they were."""
        until = dt_util.utcnow() + timedelta(minutes=minutes)
        self.feed_until = until if self.feed_until is None else max(until, self.feed_until)
        self.feed_roles = frozenset(roles) | (self.feed_roles if self.feed_active() else frozenset())
        self._save()
        await self.async_enforce()

    async def async_stop_feed(self) -> None:
        """End feed mode now."""
        self.feed_until = None
        self.feed_roles = frozenset()
        self._save()
        await self.async_enforce()

    async def async_command(self, subentry_id: str, on: bool) -> None:
        """A keeper's switch: the new manual state, or a hold over the program for the override time."""
        self._adopt(self.outlets[subentry_id], on)
        await self.async_enforce(raise_errors=subentry_id)

    def _listen_for_pushes(self, outlet: ManagedOutlet) -> None:
        driver = outlet.driver
        if not isinstance(driver, PushingOutlet) or not driver.pushes_updates:
            return

        @callback
        def pushed(state: OutletState) -> None:
            if outlet.state is not None and outlet.state.is_on != state.is_on:
                self._adopt(outlet, state.is_on)
            outlet.state = state
            self.async_update_listeners()

        outlet.poll_every = OUTLET_PUSH_POLL_EVERY
        self._unsub_pushes.append(driver.add_listener(pushed))

    def _adopt(self, outlet: ManagedOutlet, on: bool) -> None:
        if outlet.program is not None:
            outlet.hold_until = dt_util.utcnow() + OUTLET_MANUAL_HOLD
        outlet.manual_on = on
        self._save()

    async def async_set_program(self, subentry_id: str, program: OutletProgram | None) -> None:
        """Follow a program from now on (None: back to the manual state)."""
        outlet = self.outlets[subentry_id]
        outlet.program = program
        outlet.hold_until = None
        self._save()
        await self.async_enforce()

    def target(self, outlet: ManagedOutlet, now: datetime) -> tuple[bool | None, str | None]:
        """What the outlet should be now and why (None: leave it as it is)."""
        if (command := self.safety_outlets.get(outlet.role)) is not None:
            return command, "safety"
        if self.feed_active(now) and outlet.role in self.feed_roles:
            return False, "feed_mode"
        if outlet.program is not None and (outlet.hold_until is None or now >= outlet.hold_until):
            return outlet.program.wants_on(dt_util.as_local(now)), "program"
        return outlet.manual_on, None

    async def _async_update_data(self) -> dict[str, OutletState | None]:
        self._polls += 1
        now = dt_util.utcnow()
        await asyncio.gather(
            *(
                self._async_read(outlet)
                for outlet in self.outlets.values()
                if (outlet.retry_at is None or now >= outlet.retry_at)
                and (
                    not outlet.connected
                    or not outlet.health.available
                    or (self._polls - 1) % outlet.poll_every == 0
                )
            )
        )
        await self.async_enforce(notify=False)
        return {
            sid: outlet.state if outlet.health.available else None for sid, outlet in self.outlets.items()
        }

    async def _async_read(self, outlet: ManagedOutlet) -> None:
        previous = outlet.state
        try:
            if not outlet.connected:
                await outlet.driver.connect()
                outlet.connected = True
                self._listen_for_pushes(outlet)
            outlet.state = await outlet.driver.update()
        except OutletAuthError as err:
            outlet.health.failed(err)
            if outlet.reauth_on_auth_error:
                self.config_entry.async_start_reauth(self.hass)
        except OutletError as err:
            outlet.health.failed(err)
            if not outlet.health.available:
                pause = OUTLET_POLL * 2 ** min(outlet.health.tracker.consecutive_failures, 8)
                outlet.retry_at = dt_util.utcnow() + min(pause, OUTLET_MAX_RETRY)
        else:
            outlet.retry_at = None
            outlet.health.succeeded()
            if outlet.manual_on is None:
                outlet.manual_on = outlet.state.is_on
            elif previous is not None and previous.is_on != outlet.state.is_on:
                # Someone used the device's own button or app: that is a manual change, not a fault to undo.
                self._adopt(outlet, outlet.state.is_on)
        outlet.health.update_issue(self.hass, self.config_entry, outlet.subentry_id)

    async def _async_tick(self, _now: datetime) -> None:
        if self.feed_until is not None and not self.feed_active():
            self.feed_until, self.feed_roles = None, frozenset()
            self._save()
        await self.async_enforce()

    async def async_enforce(self, *, notify: bool = True, raise_errors: str | None = None) -> None:
        """Switch every outlet whose state differs from what it should be; boot delays hold back turning on."""
        async with self._lock:
            now = dt_util.utcnow()
            jobs = []
            for outlet in self.outlets.values():
                wanted, outlet.held_by = self.target(outlet, now)
                if wanted is None or outlet.state is None or outlet.state.is_on == wanted:
                    continue
                if wanted and outlet.boot_at is not None and now < outlet.boot_at:
                    continue
                jobs.append(self._async_switch(outlet, wanted, outlet.subentry_id == raise_errors))
            await asyncio.gather(*jobs)
        if notify:
            self.async_update_listeners()

    async def _async_switch(self, outlet: ManagedOutlet, on: bool, raise_errors: bool) -> None:
        try:
            outlet.state = await (outlet.driver.turn_on() if on else outlet.driver.turn_off())
        except OutletError as err:
            outlet.health.failed(err)
            if raise_errors:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="outlet_failed",
                    translation_placeholders={"outlet": outlet.name, "error": str(err)},
                ) from err
            _LOGGER.debug("Could not switch %s: %s", outlet.name, err)
        else:
            outlet.health.succeeded()
            _LOGGER.debug("Switched %s %s", outlet.name, "on" if on else "off")


@dataclass(slots=True)
class Simulator:
    """The controller's simulated hardware: an I2C bus for simulated boards, and the water simulated probes read."""

    bus: SimulatedI2CBus
    tank: TankModel
    outlets: dict[str, SimulatedOutlet] = field(default_factory=dict)


@dataclass(slots=True)
class ReefRuntimeData:
    """Everything a loaded controller holds, reachable from its config entry."""

    controller_device_id: str
    lighting: LightingCoordinator
    probes: ProbeCoordinator
    simulator: Simulator
    readings: ReadingsRecorder
    monitor: SafetyMonitor
    outlets: OutletCoordinator


type ReefConfigEntry = ConfigEntry[ReefRuntimeData]
