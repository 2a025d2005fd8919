"""The dosing tick: each doser's scheduled doses given on time, within its daily cap, never twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
import logging
from typing import Any, Final, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_track_point_in_utc_time, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_CAP_ML,
    CONF_CONTAINER_ML,
    CONF_DAILY_ML,
    CONF_DOSES,
    CONF_LOW_ML,
    CONF_RATE,
    CONF_SKIP_IN_FEED,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DEVICE_TIMEOUT,
    DOMAIN,
    SAVE_DELAY_SECONDS,
    STORAGE_VERSION,
    storage_key,
)
from ..dosing import Container, DailyCap, DoseSchedule, seconds_for
from ..health import within

_LOGGER = logging.getLogger(__name__)

DOSING_TICK: Final = timedelta(seconds=1)
# The subentry data key of the outlet a doser's pump is plugged into.
CONF_OUTLET: Final = "outlet"


class DoserPump(StrEnum):
    """What a doser's pump is plugged into."""

    OUTLET = "outlet"
    HA_SWITCH = "ha_switch"
    PCA9685 = "pca9685"
    GPIO = "gpio"
    SIMULATED = "simulated"


class Pump(Protocol):
    """Starts and stops a dosing pump."""

    async def async_run(self, on: bool) -> None:
        """Start or stop it; raise when the device did not do it."""

    async def async_close(self) -> None:
        """Let go of the device as the controller unloads (the pump is stopped by then)."""


class SwitchPump:
    """A pump on an HA switch (an outlet of this controller switches through its coordinator instead)."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Drive `entity_id`."""
        self.hass = hass
        self.entity_id = entity_id

    async def async_run(self, on: bool) -> None:
        """Call the switch's service and wait for it."""
        await self.hass.services.async_call(
            "switch",
            SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
            {"entity_id": self.entity_id},
            blocking=True,
        )

    async def async_close(self) -> None:
        """The switch is not ours to close."""


class BoardOutput(Protocol):
    """A PWM board as the executor wraps it."""

    @property
    def max_duty(self) -> int:
        """Its resolution."""

    async def async_write(self, duties: dict[int, int]) -> bool:
        """Write outputs."""

    async def async_close(self) -> None:
        """Release the board."""


class PwmPump:
    """A DC pump on a PWM output, run at a set duty."""

    def __init__(
        self, board: BoardOutput, output: int, duty: float, close: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """`duty` is 0..1 of full speed; `close` also releases what the board sits on (its I2C bus)."""
        self.board = board
        self.output = output
        self.duty = duty
        self._close = close

    async def async_run(self, on: bool) -> None:
        """Write the output's duty (0 to stop)."""
        await self.board.async_write({self.output: round(self.duty * self.board.max_duty) if on else 0})

    async def async_close(self) -> None:
        """Release the board (a GPIO pin is parked for the next setup), then its bus."""
        await self.board.async_close()
        if self._close is not None:
            await self._close()


class CoordinatedPump:
    """A pump on one of this controller's outlets: switched as the keeper would switch it."""

    def __init__(self, command: Callable[[str, bool], Any], outlet: str) -> None:
        """`command` is the outlet coordinator's."""
        self.command = command
        self.outlet = outlet

    async def async_run(self, on: bool) -> None:
        """Switch the outlet and wait for it."""
        await self.command(self.outlet, on)

    async def async_close(self) -> None:
        """The outlet coordinator closes the outlet."""


@dataclass(slots=True)
class Doser:
    """A dosing pump at run time."""

    subentry_id: str
    name: str
    pump: Pump
    rate: float
    schedule: DoseSchedule | None
    cap: DailyCap
    container: Container
    skip_in_feed: bool
    # Scheduled slots up to this instant were handled (given, skipped or dropped).
    checked_until: datetime
    # While the pump runs: when it stops.
    running_until: datetime | None = None
    stop_pending: bool = False
    unsub_stop: CALLBACK_TYPE | None = None
    last_dose_ml: float | None = None


def doser_from_data(subentry_id: str, title: str, data: Mapping[str, Any], pump: Pump) -> Doser:
    """A doser from its subentry's data; a daily volume of 0 means doses are only given on demand."""
    schedule = None
    if float(data.get(CONF_DAILY_ML, 0)) > 0:
        schedule = DoseSchedule(
            daily_ml=float(data[CONF_DAILY_ML]),
            doses=int(data[CONF_DOSES]),
            start=time.fromisoformat(data[CONF_WINDOW_START]),
            end=time.fromisoformat(data[CONF_WINDOW_END]),
        )
    capacity = float(data[CONF_CONTAINER_ML])
    return Doser(
        subentry_id=subentry_id,
        name=title,
        pump=pump,
        rate=float(data.get(CONF_RATE, 0)),
        schedule=schedule,
        cap=DailyCap(cap_ml=float(data[CONF_CAP_ML])),
        container=Container(capacity_ml=capacity, low_ml=float(data[CONF_LOW_ML]), remaining_ml=capacity),
        skip_in_feed=bool(data.get(CONF_SKIP_IN_FEED, False)),
        checked_until=dt_util.utcnow(),
    )


class DosingCoordinator(DataUpdateCoordinator[None]):
    """Gives every doser's doses: on schedule, on demand, never past its daily cap, never in safety mode.

    A dose is booked against the cap and the container and saved before its pump starts, so a restart in the
    middle of a dose neither repeats it nor forgets it; a pump found running after a restart is stopped.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        dosers: list[Doser],
        record: Callable[[str, float], None],
        feed_active: Callable[[], bool],
    ) -> None:
        """Bind the dosers; `record` puts a dose (ml) into the readings table. Nothing runs until `async_restore`."""
        super().__init__(hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} dosers")
        self.dosers = {doser.subentry_id: doser for doser in dosers}
        self.record = record
        self.feed_active = feed_active
        self.safety_mode = False
        self.store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id, "dosers")
        )
        self._unsub_tick: CALLBACK_TYPE | None = None

    async def async_restore(self) -> None:
        """Bring back each doser's cap, container and schedule progress; stop pumps a restart left running."""
        saved = (await self.store.async_load() or {}).get("dosers", {})
        for subentry_id, doser in self.dosers.items():
            if (state := saved.get(subentry_id)) is None:
                continue
            doser.cap.restore(state["cap"])
            doser.container.remaining_ml = min(float(state["remaining_ml"]), doser.container.capacity_ml)
            doser.checked_until = datetime.fromisoformat(state["checked_until"])
            if state.get("running"):
                doser.stop_pending = True
        self._unsub_tick = async_track_time_interval(
            self.hass, self._async_tick, DOSING_TICK, name=f"{DOMAIN} dosing"
        )
        await self._async_stop_pending()

    def _saved_state(self) -> dict[str, Any]:
        return {
            "dosers": {
                sid: {
                    "cap": doser.cap.to_dict(),
                    "remaining_ml": doser.container.remaining_ml,
                    "checked_until": doser.checked_until.isoformat(),
                    "running": doser.running_until is not None or doser.stop_pending,
                }
                for sid, doser in self.dosers.items()
            }
        }

    async def async_shutdown(self) -> None:
        """Stop the tick and the pumps, and save."""
        if self._unsub_tick is not None:
            self._unsub_tick()
            self._unsub_tick = None
        for doser in self.dosers.values():
            if doser.running_until is not None:
                await self._async_stop(doser)
        await self.store.async_save(self._saved_state())
        await super().async_shutdown()
        for doser in self.dosers.values():
            try:
                await within(DEVICE_TIMEOUT, doser.pump.async_close(), doser.name)
            except Exception as err:  # noqa: BLE001 - closing is best effort; the pump is stopped already
                _LOGGER.debug("Closing %s: %s", doser.name, err)

    def today(self) -> date:
        """The local day the daily cap counts."""
        return dt_util.now().date()

    @callback
    def async_apply_safety(self, safety_mode: bool) -> None:
        """Safety mode holds every scheduled and manual dose (a dose already running finishes)."""
        self.safety_mode = safety_mode

    async def _async_tick(self, now: datetime) -> None:
        now = dt_util.utcnow()
        await self._async_stop_pending()
        zone = dt_util.get_default_time_zone()
        for doser in self.dosers.values():
            if doser.running_until is not None and now >= doser.running_until:
                await self._async_stop(doser)
            if doser.schedule is None or doser.running_until is not None:
                continue
            slot = doser.schedule.due(doser.checked_until, now, zone)
            doser.checked_until = now
            if slot is None:
                continue
            if held := self._held(doser):
                _LOGGER.info("%s: dose of %s skipped (%s)", doser.name, dt_util.as_local(slot), held)
                continue
            try:
                await self._async_dose(doser, doser.schedule.dose_ml)
            except HomeAssistantError as err:
                _LOGGER.warning("%s: scheduled dose not given: %s", doser.name, err)
        self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)

    def _held(self, doser: Doser) -> str | None:
        if self.safety_mode:
            return "safety_mode"
        if doser.skip_in_feed and self.feed_active():
            return "feed_mode"
        return None

    async def async_dose(self, subentry_id: str, volume_ml: float) -> float:
        """A keeper's dose now; returns what was given (the cap may allow less)."""
        doser = self.dosers[subentry_id]
        if doser.running_until is not None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="doser_busy",
                translation_placeholders={"name": doser.name},
            )
        if held := self._held(doser):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="dose_held",
                translation_placeholders={"name": doser.name, "reason": held},
            )
        return await self._async_dose(doser, volume_ml)

    async def async_run_for(self, subentry_id: str, seconds: float) -> None:
        """Run the pump `seconds` for a calibration: no cap, no container, no reading (it goes into a cup)."""
        doser = self.dosers[subentry_id]
        if doser.running_until is not None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="doser_busy",
                translation_placeholders={"name": doser.name},
            )
        await self._async_start(doser, seconds)

    async def _async_dose(self, doser: Doser, volume_ml: float) -> float:
        if doser.rate <= 0:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="doser_uncalibrated",
                translation_placeholders={"name": doser.name},
            )
        day = self.today()
        booked = doser.cap.take(day, volume_ml)
        if booked <= 0:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="dose_cap_reached",
                translation_placeholders={"name": doser.name, "cap": f"{doser.cap.cap_ml:g}"},
            )
        remaining = doser.container.remaining_ml
        doser.container.draw(booked)
        doser.running_until = dt_util.utcnow()
        # Saved before the pump starts: a restart from here on never doses this again.
        await self.store.async_save(self._saved_state())
        try:
            await self._async_start(doser, seconds_for(booked, doser.rate))
        except HomeAssistantError:
            doser.cap.give_back(day, booked)
            doser.container.remaining_ml = remaining
            await self.store.async_save(self._saved_state())
            raise
        doser.last_dose_ml = booked
        self.record(doser.subentry_id, booked)
        self.async_update_listeners()
        return booked

    async def _async_start(self, doser: Doser, seconds: float) -> None:
        until = doser.running_until = dt_util.utcnow() + timedelta(seconds=seconds)
        try:
            await within(DEVICE_TIMEOUT, doser.pump.async_run(True), doser.name)
        except Exception as err:
            doser.running_until = None
            # It may have started before failing to answer: make sure it is off.
            doser.stop_pending = True
            await self._async_stop_pending()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="doser_failed",
                translation_placeholders={"name": doser.name, "error": str(err) or type(err).__name__},
            ) from err

        @callback
        def stop(_now: datetime) -> None:
            if dt_util.utcnow() < until:
                # The loop's timer can wake before HA's clock reaches the end: the dose is timed by HA's clock.
                doser.unsub_stop = async_track_point_in_utc_time(self.hass, stop, until)
                return
            doser.unsub_stop = None
            self.config_entry.async_create_background_task(
                self.hass, self._async_stop(doser), f"{DOMAIN} stop {doser.name}"
            )

        doser.unsub_stop = async_track_point_in_utc_time(self.hass, stop, until)
        self.async_update_listeners()

    async def _async_stop(self, doser: Doser) -> None:
        if doser.unsub_stop is not None:
            doser.unsub_stop()
            doser.unsub_stop = None
        doser.running_until = None
        doser.stop_pending = True
        await self._async_stop_pending()
        self.async_update_listeners()

    async def _async_stop_pending(self) -> None:
        """Stop every pump that must stop; one that fails is tried again on the next tick."""
        for doser in self.dosers.values():
            if not doser.stop_pending:
                continue
            try:
                await within(DEVICE_TIMEOUT, doser.pump.async_run(False), doser.name)
            except Exception as err:  # noqa: BLE001 - whatever the device raises, try again next tick
                _LOGGER.warning("%s: pump did not stop, trying again: %s", doser.name, err)
            else:
                doser.stop_pending = False

    @callback
    def async_refill(self, subentry_id: str) -> None:
        """The keeper filled the container."""
        self.dosers[subentry_id].container.refill()
        self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)
        self.async_update_listeners()
