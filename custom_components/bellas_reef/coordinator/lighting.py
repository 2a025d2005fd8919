"""The lighting tick: every channel's plan through the behavior engine, out to its PWM board."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
import logging
import time
from typing import Any, Final, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    DEVICE_TIMEOUT,
    DOMAIN,
    FAST_TICK,
    LIGHTING_TICK,
    RAMP_FULL_SWING_SECONDS,
    SAVE_DELAY_SECONDS,
    STORAGE_VERSION,
    ChannelRole,
    storage_key,
)
from ..health import DeviceHealth, within
from ..lighting import (
    ChannelPlan,
    Evaluation,
    Evaluator,
    LightingContext,
    Mimic,
    Override,
    Place,
    Ramp,
    WeatherData,
    compile_days,
    needs_fast_tick,
    prune,
)
from ..lighting.curves import OutputMapping
from ..safety import SafetyOutcome
from ..weather import WeatherFeed

_LOGGER = logging.getLogger(__name__)

# How long a tick waits for its board writes before moving on: a slow board finishes in the background and is
# skipped by later ticks until it does, so it never holds up the other boards or a safety change.
BOARD_WAIT: Final = 0.25
# Tomorrow's days are compiled in a worker thread this long before local midnight, so the first tick of the day
# only looks them up.
COMPILE_AHEAD: Final = timedelta(minutes=15)


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
    # The write in flight, if any: a board gets one at a time.
    task: asyncio.Task[None] | None = None


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


class LightingCoordinator(DataUpdateCoordinator[dict[str, ChannelOutput]]):
    """Runs every channel's plan through the behavior engine and drives the boards.

    The coordinator's own 1 s refresh evaluates, ramps, writes what changed and publishes `ChannelOutput`s,
    which only notify entities (HA state writes) when they change: at most once a second per channel. While an
    effect runs or an output is still ramping, a 50 ms tick drives the hardware alone, so flashes and fades are
    smooth without flooding HA's state machine and recorder.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
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
        # Plans compiled a day at a time, so a tick of every channel is a table look-up (see lighting.compiled).
        self._evaluator = Evaluator()
        self._compiled_for: date | None = None
        self._drive_lock = asyncio.Lock()
        # Ticks skipped because the one before had not finished, for diagnostics.
        self.overruns = 0
        # Channels whose plan failed to evaluate, logged once each until it works again.
        self._broken: set[str] = set()
        self._last_drive: datetime | None = None
        self._unsub_fast_tick: CALLBACK_TYPE | None = None
        self._output_listeners: list[Callable[[dict[str, tuple[float, int]]], None]] = []
        self._published_duties: dict[str, int] = {}
        # Other outputs on these boards (pump channels) add their duties to each tick's writes; True asks for the
        # fast tick.
        self.tick_hooks: list[Callable[[datetime, dict[str, dict[int, int]]], bool]] = []

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
                    last_on_level = float(state.get("last_on_level", 1.0))
                except Exception as err:  # noqa: BLE001 - a plan saved by an older version must not stop the tank
                    _LOGGER.warning("Ignoring the saved plan of %s: %s", channel.name, err)
                    continue
                channel.plan = replace(plan, position=channel.plan.position, name=channel.name)
                channel.last_on_level = last_on_level

    async def async_compile_ahead(self, moment: datetime) -> None:
        """Compile the days the channels' plans need at `moment` in a worker thread, not in a tick on the loop.

        A plan that cannot be compiled is left to the tick, which logs it and holds its channel.
        """
        context = self.context
        timestamp = moment.timestamp()
        wanted = self._evaluator.days_to_compile([c.plan for c in self.channels.values()], timestamp, context)
        if not wanted:
            return
        try:
            days = await self.hass.async_add_executor_job(compile_days, wanted, context)
        except Exception:  # noqa: BLE001 - the tick that needs the day tries again and says why
            return
        self._evaluator.add_days(days, timestamp)

    def _compile_tomorrow(self, now: datetime) -> None:
        """Shortly before local midnight, start compiling the new day's plans in the background."""
        ahead = now + COMPILE_AHEAD
        day = ahead.astimezone(self.place.tzinfo).date()
        if day != self._compiled_for and day != now.astimezone(self.place.tzinfo).date():
            self._compiled_for = day
            self.config_entry.async_create_background_task(
                self.hass, self.async_compile_ahead(ahead), f"{DOMAIN} compile {day}"
            )

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
        """Take the safety rules' verdict into the engine's last stage; lights going off go off now, not at a tick."""
        derate = outcome.derate * (safety_mode_lights if outcome.safety_mode else 1.0)
        darker = (outcome.forced_off and not self.forced_off) or derate < self.derate
        self.derate, self.forced_off = derate, outcome.forced_off
        if darker and self.channels:
            self.config_entry.async_create_background_task(
                self.hass, self._async_drive(), f"{DOMAIN} safety lights"
            )

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
                duties = await within(DEVICE_TIMEOUT, board.output.async_read(), board.name)
            except Exception as err:  # noqa: BLE001 - a board that cannot be read starts from dark
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
        # A new program or layers needs its day compiled: in a worker thread, not in the drive below.
        await self.async_compile_ahead(now)
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
        if self._drive_lock.locked():
            # The previous tick is still running: skip this one rather than queue behind it.
            self.overruns += 1
            return
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
                evaluated = self._evaluate(channel, now, context)
                if evaluated is not None:
                    (target, at_once, wants_fast), changed = evaluated
                    pruned = pruned or changed
                elif context.forced_off:
                    target, at_once, wants_fast = 0.0, True, False
                else:
                    continue
                # A safety rule that turns the lights off does so at once, not with a fade.
                channel.output_level = self._ramp.step(
                    channel.output_level, target, elapsed, at_once or context.forced_off
                )
                fast = fast or channel.output_level != target or wants_fast
                channel.duty = channel.mapping.duty(channel.output_level)
                board = channel.board
                # An unavailable board is sent everything again each tick, so it is back as soon as it answers.
                if not board.health.available or board.written.get(channel.output) != channel.duty:
                    pending.setdefault(board.key, {})[channel.output] = channel.duty
            for hook in self.tick_hooks:
                fast = hook(now, pending) or fast
            self._compile_tomorrow(now)
            if pruned:
                self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)
            if fast:
                self._start_fast_tick()
            else:
                self._stop_fast_tick()
            await self._async_write_boards(pending)
            self._publish_outputs()
            self.last_tick_seconds = time.perf_counter() - started
        return {sid: self._output(channel) for sid, channel in self.channels.items()}

    def _evaluate(
        self, channel: Channel, now: datetime, context: LightingContext
    ) -> tuple[tuple[float, bool, bool], bool] | None:
        """((level, step at once, needs the fast tick), plan pruned) for one channel; None if it cannot be judged.

        A channel whose plan cannot be evaluated is logged once and holds its level without stopping the others;
        safety still darkens it.
        """
        try:
            plan = prune(channel.plan, now)
            evaluation = self._evaluator.evaluate(plan, now, context)
            wants_fast = needs_fast_tick(plan, now, context)
        except Exception as err:  # noqa: BLE001 - one channel's broken plan must not stop the others
            if channel.subentry_id not in self._broken:
                self._broken.add(channel.subentry_id)
                _LOGGER.error("%s: its lighting plan cannot be evaluated: %s", channel.name, err)
            return None
        self._broken.discard(channel.subentry_id)
        pruned = plan is not channel.plan
        channel.plan, channel.evaluation = plan, evaluation
        return (evaluation.level, evaluation.is_flash, wants_fast), pruned

    async def _async_write_boards(self, pending: dict[str, dict[int, int]]) -> None:
        """Write every board side by side; wait a moment for them, never for a slow one.

        A board still busy with an earlier write is skipped: its outputs still differ from what it was sent, so
        a later tick writes them once it is free.
        """
        writes = []
        for key, duties in pending.items():
            board = self.boards[key]
            if board.task is not None and not board.task.done():
                continue
            board.task = self.config_entry.async_create_background_task(
                self.hass, self._async_write_board(board, duties), f"{DOMAIN} write {board.name}"
            )
            writes.append(board.task)
        if writes and not all(task.done() for task in writes):
            await asyncio.wait(writes, timeout=BOARD_WAIT)

    async def _async_write_board(self, board: Board, duties: dict[int, int]) -> None:
        try:
            written = await within(DEVICE_TIMEOUT, board.output.async_write(duties), board.name)
        except Exception as err:  # noqa: BLE001 - whatever a driver raises, the board is failing, not the tick
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
