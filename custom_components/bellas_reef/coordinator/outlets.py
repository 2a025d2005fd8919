"""The outlet poll and tick: each outlet kept in the state its safety rules, feed mode, program or keeper ask."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any, Final, Protocol, runtime_checkable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    DEVICE_TIMEOUT,
    DOMAIN,
    EVENT_ALERT,
    OUTLET_MANUAL_HOLD,
    OUTLET_MAX_RETRY,
    OUTLET_POLL,
    OUTLET_PUSH_POLL_EVERY,
    OUTLET_TICK,
    SAVE_DELAY_SECONDS,
    STORAGE_VERSION,
    storage_key,
)
from ..health import DeviceHealth, backoff, within
from ..outlets import Outlet, OutletAuthError, OutletError, OutletRole, OutletState
from ..outlets.program import OutletProgram

_LOGGER = logging.getLogger(__name__)

# How long a tick waits for its switches before moving on; a slow outlet finishes in its own task.
SWITCH_WAIT: Final = 0.25


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
    # A switch that failed is tried again after a growing pause too (one cloud call a second helps no one).
    switch_retry_at: datetime | None = None
    switch_failures: int = 0
    # The device call in flight, if any: an outlet gets one at a time, so a hung one never blocks the rest.
    task: asyncio.Task[OutletError | None] | None = None
    # A safety command this outlet failed to carry out: announced once, with a repair issue, until it succeeds.
    safety_failure: str | None = None


class OutletCoordinator(DataUpdateCoordinator[dict[str, OutletState | None]]):
    """Polls every outlet and keeps each in the state it should be in.

    What an outlet should be is decided in this order: a safety rule's command for its role, then feed mode,
    then a controlling loop's command (the thermostat's for heaters and chillers, the top-off's for its pump),
    then a manual hold, then its program, then the last manual state. A 1 s tick applies programs (on/off cycles in seconds) and lifts feed mode on time without
    waiting for the poll. After a (re)start, outlets that should be on come on one by one, each after its boot
    delay.
    """

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, outlets: list[ManagedOutlet]) -> None:
        """Bind the outlets; each waits its boot delay from now before it may be turned on."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} outlets", update_interval=OUTLET_POLL
        )
        self.outlets = {outlet.subentry_id: outlet for outlet in outlets}
        self.store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id, "outlets")
        )
        self.safety_outlets: Mapping[str, bool] = {}
        # Commands by role from the controlling loops, by loop ("thermostat", "ato").
        self.control_outlets: dict[str, Mapping[str, bool]] = {}
        self.feed_until: datetime | None = None
        self.feed_roles: frozenset[str] = frozenset()
        # Ticks skipped because the one before had not finished, for diagnostics.
        self.overruns = 0
        self._ticking = False
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
                try:
                    self._restore(outlet, state)
                except Exception as err:  # noqa: BLE001 - state saved by an older version must not stop the tank
                    _LOGGER.warning("Ignoring the saved state of %s: %s", outlet.name, err)
        try:
            if saved.get("feed_until"):
                self.feed_until = dt_util.parse_datetime(saved["feed_until"])
                self.feed_roles = frozenset(saved.get("feed_roles", []))
        except Exception as err:  # noqa: BLE001 - a feed mode that cannot be read is simply over
            _LOGGER.warning("Ignoring the saved feed mode: %s", err)
            self.feed_until, self.feed_roles = None, frozenset()
        self._unsub_tick = async_track_time_interval(
            self.hass, self._async_tick, OUTLET_TICK, name=f"{DOMAIN} outlet programs"
        )

    @staticmethod
    def _restore(outlet: ManagedOutlet, state: dict[str, Any]) -> None:
        program = OutletProgram.from_dict(state["program"]) if state.get("program") else None
        hold_until = dt_util.parse_datetime(state["hold_until"]) if state.get("hold_until") else None
        manual_on = state.get("manual_on")
        if manual_on is not None and not isinstance(manual_on, bool):
            raise TypeError(f"manual state {manual_on!r} is not on or off")
        outlet.manual_on, outlet.program, outlet.hold_until = manual_on, program, hold_until

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
            try:
                await within(DEVICE_TIMEOUT, outlet.driver.close(), outlet.name)
            except Exception as err:  # noqa: BLE001 - closing is best effort; the device keeps its state
                _LOGGER.debug("Closing %s: %s", outlet.name, err)

    @callback
    def async_apply_safety(self, outlets: Mapping[str, bool]) -> None:
        """Hold outlets by role as the raised safety rules (and the heater fail-safe) ask; release the others."""
        if outlets != self.safety_outlets:
            self.safety_outlets = outlets
            self.config_entry.async_create_background_task(
                self.hass, self.async_enforce(), f"{DOMAIN} safety outlets"
            )

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

    @callback
    def async_apply_control(self, loop: str, outlets: Mapping[str, bool]) -> None:
        """Switch the roles a loop drives as it asks (below safety and feed mode); an empty map lets them go."""
        if outlets != self.control_outlets.get(loop, {}):
            self.control_outlets[loop] = dict(outlets)
            self.config_entry.async_create_background_task(
                self.hass, self.async_enforce(), f"{DOMAIN} {loop} outlets"
            )

    def target(self, outlet: ManagedOutlet, now: datetime) -> tuple[bool | None, str | None]:
        """What the outlet should be now and why (None: leave it as it is)."""
        if (command := self.safety_outlets.get(outlet.role)) is not None:
            return command, "safety"
        if self.feed_active(now) and outlet.role in self.feed_roles:
            return False, "feed_mode"
        for loop, commands in self.control_outlets.items():
            if (command := commands.get(outlet.role)) is not None:
                return command, loop
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
                and (outlet.task is None or outlet.task.done())
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
                await within(DEVICE_TIMEOUT, outlet.driver.connect(), outlet.name)
                outlet.connected = True
                self._listen_for_pushes(outlet)
            state = await _async_state(outlet, outlet.driver.update())
        except Exception as err:  # noqa: BLE001 - whatever the driver raises, the outlet is failing
            outlet.health.failed(err)
            if isinstance(err, OutletAuthError) and outlet.reauth_on_auth_error:
                self.config_entry.async_start_reauth(self.hass)
            if not outlet.health.available:
                outlet.retry_at = dt_util.utcnow() + backoff(
                    outlet.health.consecutive_failures, OUTLET_POLL, OUTLET_MAX_RETRY
                )
        else:
            outlet.state = state
            outlet.retry_at = None
            outlet.health.succeeded()
            if outlet.manual_on is None:
                outlet.manual_on = state.is_on
            elif previous is not None and previous.is_on != state.is_on:
                # Someone used the device's own button or app: that is a manual change, not a fault to undo.
                self._adopt(outlet, state.is_on)
        outlet.health.update_issue(self.hass, self.config_entry, outlet.subentry_id)

    async def _async_tick(self, _now: datetime) -> None:
        if self._ticking:
            self.overruns += 1
            return
        self._ticking = True
        try:
            if self.feed_until is not None and not self.feed_active():
                self.feed_until, self.feed_roles = None, frozenset()
                self._save()
            await self.async_enforce()
        finally:
            self._ticking = False

    async def async_enforce(self, *, notify: bool = True, raise_errors: str | None = None) -> None:
        """Switch every outlet whose state differs from what it should be; boot delays hold back turning on.

        Outlets are switched side by side, each in a task of its own; this waits a moment for them, never for a
        slow one. An outlet still busy with an earlier call, or pausing after a failed switch, is left for a later
        tick. `raise_errors` names the outlet a keeper just switched: its result is awaited and a failure raised.
        """
        now = dt_util.utcnow()
        switches: list[asyncio.Task[OutletError | None]] = []
        commanded: asyncio.Task[OutletError | None] | None = None
        for outlet in self.outlets.values():
            wanted, outlet.held_by = self.target(outlet, now)
            keeper = outlet.subentry_id == raise_errors
            if keeper and outlet.task is not None and not outlet.task.done():
                await asyncio.wait([outlet.task])
            if wanted is None or outlet.state is None or outlet.state.is_on == wanted:
                self._switched(outlet)
                continue
            if wanted and outlet.boot_at is not None and now < outlet.boot_at:
                continue
            if outlet.task is not None and not outlet.task.done():
                continue
            if not keeper and outlet.switch_retry_at is not None and now < outlet.switch_retry_at:
                continue
            outlet.task = self.config_entry.async_create_background_task(
                self.hass,
                self._async_switch(outlet, wanted, outlet.held_by),
                f"{DOMAIN} switch {outlet.name}",
            )
            switches.append(outlet.task)
            if keeper:
                commanded = outlet.task
        if switches and not all(task.done() for task in switches):
            await asyncio.wait(switches, timeout=SWITCH_WAIT)
        if commanded is not None:
            if not commanded.done():
                await asyncio.wait([commanded])
            if (error := commanded.result()) is not None:
                outlet = self.outlets[raise_errors or ""]
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="outlet_failed",
                    translation_placeholders={"outlet": outlet.name, "error": str(error)},
                ) from error
        if notify:
            self.async_update_listeners()

    async def _async_switch(self, outlet: ManagedOutlet, on: bool, reason: str | None) -> OutletError | None:
        """Switch one outlet; a failure is returned (and paced, and announced when safety asked), not raised."""
        driver = outlet.driver
        try:
            state = await _async_state(outlet, driver.turn_on() if on else driver.turn_off())
        except Exception as err:  # noqa: BLE001 - whatever the driver raises, the switch did not happen
            error = err if isinstance(err, OutletError) else OutletError(str(err) or type(err).__name__)
            outlet.health.failed(err)
            outlet.switch_failures += 1
            outlet.switch_retry_at = dt_util.utcnow() + backoff(outlet.switch_failures)
            if reason == "safety":
                self._safety_failed(outlet, on, error)
            else:
                _LOGGER.debug("Could not switch %s: %s", outlet.name, error)
            return error
        outlet.state = state
        outlet.health.succeeded()
        self._switched(outlet)
        _LOGGER.debug("Switched %s %s", outlet.name, "on" if on else "off")
        return None

    def _switched(self, outlet: ManagedOutlet) -> None:
        """The outlet is as it should be: forget earlier failures, and a failed safety command's issue."""
        outlet.switch_failures = 0
        outlet.switch_retry_at = None
        if outlet.safety_failure is not None:
            outlet.safety_failure = None
            ir.async_delete_issue(self.hass, DOMAIN, self._safety_issue_id(outlet))
            _LOGGER.info("%s now follows its safety command", outlet.name)

    def _safety_issue_id(self, outlet: ManagedOutlet) -> str:
        return f"safety_action_failed_{self.config_entry.entry_id}_{outlet.subentry_id}"

    def _safety_failed(self, outlet: ManagedOutlet, on: bool, error: OutletError) -> None:
        """A safety rule's command did not reach the outlet: tell the keeper once, loudly, and keep trying."""
        if outlet.safety_failure is not None:
            return
        outlet.safety_failure = str(error)
        wanted = "on" if on else "off"
        _LOGGER.error(
            "%s: safety could not turn %s %s: %s", self.config_entry.title, outlet.name, wanted, error
        )
        self.hass.bus.async_fire(
            EVENT_ALERT,
            {
                "controller": self.config_entry.title,
                "entry_id": self.config_entry.entry_id,
                "state": "action_failed",
                "outlet": outlet.name,
                "role": outlet.role,
                "wanted": wanted,
                "error": str(error),
            },
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._safety_issue_id(outlet),
            is_fixable=False,
            severity=ir.IssueSeverity.CRITICAL,
            translation_key="safety_action_failed",
            translation_placeholders={
                "outlet": outlet.name,
                "state": wanted,
                "controller": self.config_entry.title,
                "error": str(error),
            },
        )


async def _async_state(outlet: ManagedOutlet, call: Awaitable[OutletState]) -> OutletState:
    """A driver call's state, within the device timeout; anything but a state is the driver failing."""
    state = await within(DEVICE_TIMEOUT, call, outlet.name)
    if not isinstance(state, OutletState):
        raise OutletError(f"{outlet.name} answered {state!r}, not a state")
    return state
