"""The auto top-off at work: the pure top-off fed with HA binary sensors, driving the outlet with role `ato`.

Its pump command goes to the outlet coordinator below safety and feed mode, so a leak rule that turns the `ato`
role off always wins; the top-off also pauses itself then, and in feed and safety mode, so a fill never resumes
half-way when they end. Lockout, empty reservoir and the daily limit fire `bellas_reef_alert` (condition `ato`)
and show a persistent notification until they clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_ON
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .alerts import Alert, async_announce
from .const import DOMAIN, STORAGE_VERSION, storage_key
from .coordinator.outlets import OutletCoordinator
from .listeners import Listeners
from .monitor import SafetyMonitor, binary_value
from .topoff import Alarm, Settings, TopOff, TopOffError

_LOGGER = logging.getLogger(__name__)

# The controller's options key for its top-off, absent when it has none.
CONF_ATO: Final = "ato"
CONF_LEVEL_SENSOR: Final = "level_sensor"
CONF_LOW_WHEN: Final = "low_when"
CONF_RESERVOIR_SENSOR: Final = "reservoir_sensor"
CONF_EMPTY_WHEN: Final = "empty_when"
CONF_DEBOUNCE: Final = "debounce"
CONF_MAX_FILL: Final = "max_fill"
CONF_MAX_FILLS: Final = "max_fills_per_day"
CONF_MAX_RUN: Final = "max_run_per_day"
ROLE: Final = "ato"
TICK: Final = timedelta(seconds=1)
UNIQUE_PREFIX: Final = "ato_"

ALARM_NAMES: Final[Mapping[Alarm, str]] = {
    Alarm.LOCKOUT: "Top-off locked out",
    Alarm.RESERVOIR_EMPTY: "Top-off reservoir empty",
    Alarm.DAILY_LIMIT: "Top-off daily limit reached",
}
ALARM_MESSAGES: Final[Mapping[Alarm, str]] = {
    Alarm.LOCKOUT: "A fill ran its longest time without the level sensor reading full. The top-off stays off "
    "until you have checked the float and the tank and pressed its reset button.",
    Alarm.RESERVOIR_EMPTY: "The top-off reservoir is empty; refill it. The pump stays off meanwhile.",
    Alarm.DAILY_LIMIT: "The top-off has used up today's fills or pump time; it starts again tomorrow.",
}


def top_off_settings(options: Mapping[str, Any]) -> Settings:
    """The top-off's limits from its stored options (seconds; fills)."""
    return Settings(
        debounce=options.get(CONF_DEBOUNCE, 10.0),
        max_fill=options.get(CONF_MAX_FILL, 120.0),
        max_fills_per_day=options.get(CONF_MAX_FILLS, 24),
        max_run_per_day=options.get(CONF_MAX_RUN, 900.0),
    )


def _reads(state: State | None, when: str) -> bool | None:
    """Whether a binary sensor is in the state `when` ("on"/"off"); None when it cannot say."""
    value = binary_value(state)
    return None if value is None else (value == 1.0) == (when == STATE_ON)


class TopOffController:
    """One controller's top-off: judged whenever its sensors change, and every second for its timers."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        outlets: OutletCoordinator,
        monitor: SafetyMonitor,
        options: Mapping[str, Any],
    ) -> None:
        """Bind the sensors named in the options and the outlets it drives."""
        self.hass = hass
        self.entry = entry
        self.level_sensor: str = options[CONF_LEVEL_SENSOR]
        self.low_when: str = options.get(CONF_LOW_WHEN, STATE_ON)
        self.reservoir_sensor: str | None = options.get(CONF_RESERVOIR_SENSOR) or None
        self.empty_when: str = options.get(CONF_EMPTY_WHEN, STATE_ON)
        self.top_off = TopOff(top_off_settings(options))
        self.paused_by: str | None = None
        self._outlets = outlets
        self._monitor = monitor
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id, CONF_ATO)
        )
        self._listeners = Listeners()
        self._unsubs: list[CALLBACK_TYPE] = []

    async def async_start(self) -> None:
        """Take back a lockout and the day's counts, then follow the sensors and the clock."""
        self.top_off.restore(await self._store.async_load() or {})
        sensors = [self.level_sensor] + ([self.reservoir_sensor] if self.reservoir_sensor else [])
        self._unsubs = [
            async_track_state_change_event(self.hass, sensors, self._async_sensor),
            async_track_time_interval(self.hass, self._async_timer, TICK, name=f"{DOMAIN} top-off"),
            self._monitor.async_add_listener(self._async_judge),
        ]
        self._async_judge()

    async def async_stop(self) -> None:
        """Stop judging and save at once (the controller unloads): a reset or lockout never waits for a write."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        await self._store.async_save(self.top_off.to_dict())

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` after every judgement (the top-off's entities)."""
        return self._listeners.async_add(listener)

    @callback
    def async_set_enabled(self, enabled: bool) -> None:
        """The keeper switches the top-off on or off; off leaves the pump to its outlet's own switch."""
        self.top_off.enabled = enabled
        self._async_judge()
        self._save()

    @callback
    def async_reset(self) -> None:
        """The keeper has checked the tank: lift a lockout."""
        self.top_off.reset()
        self._async_judge()
        self._save()

    @callback
    def _async_sensor(self, event: Event[EventStateChangedData]) -> None:
        """A sensor changed: judged at once, so the pump stops the moment the float says full."""
        self._async_judge()

    @callback
    def _async_timer(self, _now: datetime) -> None:
        self._async_judge()

    def _pause_reason(self) -> str | None:
        outcome = self._monitor.outcome
        if outcome.outlets.get(ROLE) is False:
            return "safety_rule"
        if outcome.safety_mode:
            return "safety_mode"
        if self._outlets.feed_active():
            return "feed_mode"
        return None

    @callback
    def _async_judge(self) -> None:
        now = dt_util.utcnow()
        before = self.top_off.to_dict()
        self.paused_by = self._pause_reason()
        reservoir = (
            _reads(self.hass.states.get(self.reservoir_sensor), self.empty_when)
            if self.reservoir_sensor
            else False
        )
        changes = self.top_off.update(
            now.timestamp(),
            dt_util.as_local(now).date().isoformat(),
            low=_reads(self.hass.states.get(self.level_sensor), self.low_when),
            reservoir_empty=reservoir,
            paused=self.paused_by is not None,
        )
        self._outlets.async_apply_control(ROLE, {ROLE: self.top_off.filling} if self.top_off.enabled else {})
        for alarm, raised in changes:
            self._announce(alarm, raised)
        if self.top_off.to_dict() != before:
            self._save()
        self._listeners.async_notify()

    def _save(self) -> None:
        self._store.async_delay_save(self.top_off.to_dict, 1)

    def _announce(self, alarm: Alarm, raised: bool) -> None:
        name = ALARM_NAMES[alarm]
        alert = Alert(
            alarm.value,
            name,
            self.level_sensor,
            ROLE,
            self.top_off.run_today,
            self.top_off.settings.max_fill,
            name.lower(),
            ALARM_MESSAGES[alarm],
        )
        async_announce(self.hass, self.entry, alert, raised)


def build_top_off(
    hass: HomeAssistant, entry: ConfigEntry, outlets: OutletCoordinator, monitor: SafetyMonitor
) -> TopOffController | None:
    """The controller's top-off when the options add one; a removed one's entities are forgotten."""
    options = entry.options.get(CONF_ATO)
    if options:
        try:
            return TopOffController(hass, entry, outlets, monitor, options)
        except (TopOffError, KeyError) as err:
            _LOGGER.error("%s: the top-off's settings cannot be used, it stays off: %s", entry.title, err)
    registry = er.async_get(hass)
    prefix = f"{entry.entry_id}_{UNIQUE_PREFIX}"
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.unique_id.startswith(prefix):
            registry.async_remove(entity.entity_id)
    return None
