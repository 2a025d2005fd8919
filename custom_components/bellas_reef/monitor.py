"""Safety rules at work: the pure safety engine fed with every probe poll, and what its verdicts do in HA.

A raised or cleared rule fires a `bellas_reef_alert` event (logbook entry included), writes a row to the
readings table, and creates or dismisses a persistent notification when the rule asks for one. The combined
outcome derates or darkens the lights through the lighting engine's safety stage, within the next lighting tick.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import dataclasses
from datetime import datetime, timedelta
import logging
from types import MappingProxyType
from typing import Any, Final

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON, UnitOfTemperature
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_DEFAULTS_APPLIED,
    CONF_FAILSAFE_MINUTES,
    CONF_RULES,
    CONF_SAFETY_MODE_LIGHTS,
    CONF_SAFETY_MODE_OUTLETS,
    DEFAULT_FAILSAFE_MINUTES,
    DOMAIN,
    EVENT_ALERT,
    PROBE_INTERVAL,
    STORAGE_VERSION,
    SUBENTRY_PROBE,
    probe_kind,
    storage_key,
)
from .coordinator.probes import ProbeCoordinator
from .hardware.tank import ProbeKind
from .listeners import Listeners
from .readings import ReadingsRecorder, Source
from .safety import (
    BINARY_CONDITIONS,
    CELSIUS,
    FAHRENHEIT,
    HeaterFailsafe,
    SafetyEngine,
    SafetyOutcome,
    Transition,
    default_rules,
    rules_to_list,
    usable_rules,
)

_LOGGER = logging.getLogger(__name__)

METRIC_ALERT: Final = "alert"
# The rules are judged at least this often, whatever the probes do.
SAFETY_TICK: Final = timedelta(seconds=1)
# A thermometer with no reading for this long counts as unavailable to the heater fail-safe, even when its last
# reading was good: its poll may be hanging.
THERMOMETER_QUIET: Final = PROBE_INTERVAL * 3


def keeper_unit(hass: HomeAssistant) -> str:
    """The temperature unit the keeper works in: HA's unit system."""
    return FAHRENHEIT if hass.config.units.temperature_unit == UnitOfTemperature.FAHRENHEIT else CELSIUS


def default_rule_options(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, Any] | None:
    """Options with the default rules added for the first temperature and pH probes not yet given theirs.

    None when there is nothing to add. Each default is added once per controller: a keeper who deletes one
    does not get it back on the next restart.
    """
    applied = set(entry.options.get(CONF_DEFAULTS_APPLIED, []))
    first: dict[ProbeKind, str] = {}
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type == SUBENTRY_PROBE:
            first.setdefault(probe_kind(subentry.data), subentry_id)
    temperature = first.get(ProbeKind.TEMPERATURE) if ProbeKind.TEMPERATURE not in applied else None
    ph = first.get(ProbeKind.PH) if ProbeKind.PH not in applied else None
    if temperature is None and ph is None:
        return None
    added = default_rules(temperature_probe=temperature, ph_probe=ph, unit=keeper_unit(hass))
    rules = list(entry.options.get(CONF_RULES, []))
    taken = {rule["id"] for rule in rules}
    rules += [rule for rule in rules_to_list(added) if rule["id"] not in taken]
    kinds = {ProbeKind.TEMPERATURE} if temperature else set()
    kinds |= {ProbeKind.PH} if ph else set()
    return {**entry.options, CONF_RULES: rules, CONF_DEFAULTS_APPLIED: sorted(applied | kinds)}


def binary_value(state: State | None) -> float | None:
    """A binary sensor's state as the safety engine reads it: 1.0 on, 0.0 off, None when it cannot say."""
    if state is None or state.state not in (STATE_ON, STATE_OFF):
        return None
    return 1.0 if state.state == STATE_ON else 0.0


def orphan_issue_id(entry_id: str, rule_id: str) -> str:
    """The repair issue of a rule whose probe is gone."""
    return f"rule_orphaned_{entry_id}_{rule_id}"


class SafetyMonitor:
    """One controller's rules, judged on every probe reading the moment it arrives, and on a timer of their own.

    The monitor listens to the probe coordinator rather than being called by it, so no probe, poll or device —
    failing, hanging or answering garbage — can keep the rules, the stale checks or the heater fail-safe from
    being judged: the timer judges them regardless. A rule that cannot be read from the options is skipped
    with a repair issue naming it; one that fails while judged keeps its state and is logged once.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        apply_outcome: Callable[[SafetyOutcome], None],
        readings: ReadingsRecorder,
    ) -> None:
        """Read the rules from the controller's options, keeping every one that validates."""
        self.hass = hass
        self.entry = entry
        self._apply_outcome = apply_outcome
        self._readings = readings
        self.rules, self.rejected = usable_rules(entry.options.get(CONF_RULES, []))
        self.safety_mode_lights = float(entry.options.get(CONF_SAFETY_MODE_LIGHTS, 100)) / 100
        # Outlet roles safety mode turns off (the keeper's choice in the options; none by default).
        self.safety_mode_outlets: dict[str, bool] = dict.fromkeys(
            entry.options.get(CONF_SAFETY_MODE_OUTLETS, []), False
        )
        self.failsafe = HeaterFailsafe(
            int(entry.options.get(CONF_FAILSAFE_MINUTES, DEFAULT_FAILSAFE_MINUTES))
        )
        self.thermometer: str | None = None
        self._last_good: datetime | None = None
        self._watching_since = dt_util.utcnow()
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id, "safety")
        )
        self.engine = SafetyEngine(self.rules, probes=(), now=dt_util.utcnow())
        self.outcome = SafetyOutcome()
        self.failsafe_tripped = False
        # When the rules were last judged, for diagnostics and the chaos tests' "on schedule" check.
        self.last_judged: datetime | None = None
        self._ready = False
        self._latest: dict[str, float | None] = {}
        self._failing_rules: set[str] = set()
        # What else holds the tank in safety mode (a heater stuck on, when the keeper asked for that).
        self._safety_mode_requests: set[str] = set()
        self._listeners = Listeners()
        self._unsubs: list[CALLBACK_TYPE] = []

    async def async_start(self, probes: ProbeCoordinator, thermometer: str | None) -> None:
        """Watch the probes that exist; rules that were raised before the restart start raised.

        `thermometer` is the tank's temperature probe: while it cannot be read the heaters go off (fail-safe).
        """
        self.thermometer = thermometer
        self._watching_since = dt_util.utcnow()
        saved = await self._store.async_load() or {}
        # Binary sensors are HA entities that may load after the controller: their rules are never orphaned, an
        # entity that is missing reads as unavailable.
        sensors = sorted({rule.probe for rule in self.rules if rule.condition.kind in BINARY_CONDITIONS})
        self.engine = SafetyEngine(
            self.rules,
            probes=(*probes.readings, *sensors),
            now=dt_util.utcnow(),
            raised=saved.get("raised", []),
        )
        for sensor in sensors:
            self.engine.record(sensor, dt_util.utcnow(), binary_value(self.hass.states.get(sensor)))
        self._update_issues()
        self._set_outcome(self.engine.outcome)
        self._unsubs = [
            probes.async_add_reading_listener(self._async_reading),
            async_track_time_interval(self.hass, self._async_timer, SAFETY_TICK, name=f"{DOMAIN} safety"),
        ]
        if sensors:
            self._unsubs.append(async_track_state_change_event(self.hass, sensors, self._async_binary))

    @property
    def latest(self) -> Mapping[str, float | None]:
        """Each probe's latest reading as judged (None: it failed)."""
        return MappingProxyType(self._latest)

    @callback
    def async_stop(self) -> None:
        """Stop listening and judging (the controller unloads)."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []

    def _update_issues(self) -> None:
        """A repair issue per rule whose probe is gone, and per rule that cannot be read; old ones go."""
        wanted: dict[str, tuple[str, dict[str, str]]] = {}
        for rule in self.engine.orphaned:
            wanted[orphan_issue_id(self.entry.entry_id, rule.id)] = (
                "rule_orphaned",
                {"rule": rule.name, "controller": self.entry.title},
            )
        for rejected in self.rejected:
            _LOGGER.error(
                "%s: the safety rule %s cannot be used and is skipped: %s",
                self.entry.title,
                rejected.name,
                rejected.error,
            )
            wanted[f"rule_invalid_{self.entry.entry_id}_{rejected.index}"] = (
                "rule_invalid",
                {"rule": rejected.name, "controller": self.entry.title, "error": str(rejected.error)},
            )
        prefixes = (f"rule_orphaned_{self.entry.entry_id}_", f"rule_invalid_{self.entry.entry_id}_")
        for domain, issue_id in list(ir.async_get(self.hass).issues):
            if domain == DOMAIN and issue_id.startswith(prefixes) and issue_id not in wanted:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        for issue_id, (key, placeholders) in wanted.items():
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=key,
                translation_placeholders=placeholders,
            )

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` whenever a rule, safety mode or the fail-safe changes (the binary sensors)."""
        return self._listeners.async_add(listener)

    @callback
    def async_request_safety_mode(self, source: str, on: bool) -> None:
        """Hold the tank in safety mode for `source` (on) or stop holding it (off), judged at once."""
        if on == (source in self._safety_mode_requests):
            return
        (self._safety_mode_requests.add if on else self._safety_mode_requests.discard)(source)
        if self._ready:
            self._async_judge(dt_util.utcnow())

    @callback
    def async_ready(self) -> None:
        """The controller's entities exist now: judge the readings taken during setup, and every one after.

        Alerts raised before would reach automations that act on entities not added yet.
        """
        self._ready = True
        self._async_judge(dt_util.utcnow(), notify=True)

    @callback
    def _async_reading(self, probe: str, value: float | None) -> None:
        """One probe's reading, judged at once (once the controller is ready)."""
        now = dt_util.utcnow()
        self._latest[probe] = value
        if value is not None and probe == self.thermometer:
            self._last_good = now
        self.engine.record(probe, now, value)
        if self._ready:
            self._async_judge(now)

    @callback
    def _async_binary(self, event: Event[EventStateChangedData]) -> None:
        """A binary sensor changed: judged at once, so a leak stops the pumps within the tick it is seen."""
        now = dt_util.utcnow()
        self.engine.record(event.data["entity_id"], now, binary_value(event.data["new_state"]))
        if self._ready:
            self._async_judge(now)

    @callback
    def _async_timer(self, now: datetime) -> None:
        """Judge on the clock too: stale checks and the fail-safe must act while no reading arrives at all."""
        if self._ready:
            self._async_judge(dt_util.utcnow())

    def _thermometer_available(self, now: datetime) -> bool:
        """A temperature read lately; a probe whose poll hangs goes quiet, which is unavailable too."""
        if self.thermometer is None or self._latest.get(self.thermometer) is None or self._last_good is None:
            return False
        return now - self._last_good <= THERMOMETER_QUIET

    def _async_judge(self, now: datetime, *, notify: bool = False) -> None:
        update = self.engine.tick(now)
        self.last_judged = now
        for rule, err in update.failed:
            if rule.id not in self._failing_rules:
                self._failing_rules.add(rule.id)
                _LOGGER.error(
                    "%s: the safety rule %s could not be judged: %s", self.entry.title, rule.name, err
                )
        self._failing_rules &= {rule.id for rule, _ in update.failed}
        for transition in update.transitions:
            self._announce(transition)
        if update.transitions:
            self._store.async_delay_save(lambda: {"raised": list(self.engine.outcome.raised)}, 1)
        outcome = update.outcome
        if self.thermometer is not None:
            heaters = self.failsafe.outlets(
                now,
                available=self._thermometer_available(now),
                last_good=self._last_good,
                watching_since=self._watching_since,
            )
            if heaters and not self.failsafe_tripped:
                _LOGGER.warning(
                    "%s: no water temperature for %s min, heaters off",
                    self.entry.title,
                    self.failsafe.minutes,
                )
            self.failsafe_tripped = bool(heaters)
            outcome = outcome.with_outlets(heaters)
        if self._safety_mode_requests and not outcome.safety_mode:
            outcome = dataclasses.replace(outcome, safety_mode=True)
        if outcome.safety_mode:
            outcome = outcome.with_outlets(self.safety_mode_outlets)
        changed = outcome != self.outcome
        self._set_outcome(outcome)
        if changed or notify or update.transitions:
            self._listeners.async_notify()

    def _set_outcome(self, outcome: SafetyOutcome) -> None:
        self.outcome = outcome
        self._apply_outcome(outcome)

    def _announce(self, transition: Transition) -> None:
        rule = transition.rule
        data = transition.as_dict() | {"controller": self.entry.title, "entry_id": self.entry.entry_id}
        self.hass.bus.async_fire(EVENT_ALERT, data)
        self._readings.add(Source(rule.id, METRIC_ALERT), 1.0 if transition.raised else 0.0, transition.time)
        if transition.raised:
            _LOGGER.warning(
                "%s: %s raised at %s (limit %s)",
                self.entry.title,
                rule.name,
                transition.value,
                transition.limit,
            )
        else:
            _LOGGER.info("%s: %s cleared at %s", self.entry.title, rule.name, transition.value)
        if not rule.actions.notify:
            return
        notification_id = f"{DOMAIN}_{self.entry.entry_id}_{rule.id}"
        if transition.raised:
            persistent_notification.async_create(
                self.hass,
                f"{rule.name}: {transition.value:g} (limit {transition.limit:g}).",
                title=f"{self.entry.title}: safety alert",
                notification_id=notification_id,
            )
        else:
            persistent_notification.async_dismiss(self.hass, notification_id)
