"""Safety rules at work: the pure safety engine fed with every probe poll, and what its verdicts do in HA.

A raised or cleared rule fires a `bellas_reef_alert` event (logbook entry included), writes a row to the
readings table, and creates or dismisses a persistent notification when the rule asks for one. The combined
outcome derates or darkens the lights through the lighting engine's safety stage, within the next lighting tick.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
import logging
from typing import Any, Final

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import UnitOfTemperature
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
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
    SUBENTRY_PROBE,
)
from .drivers import probe_kind
from .hardware.tank import ProbeKind
from .readings import ReadingsRecorder, Source
from .safety import (
    CELSIUS,
    FAHRENHEIT,
    HeaterFailsafe,
    Rule,
    RuleError,
    SafetyEngine,
    SafetyOutcome,
    Transition,
    default_rules,
    rules_from_list,
    rules_to_list,
)

_LOGGER = logging.getLogger(__name__)

METRIC_ALERT: Final = "alert"
STORAGE_VERSION: Final = 1


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


def orphan_issue_id(entry_id: str, rule_id: str) -> str:
    """The repair issue of a rule whose probe is gone."""
    return f"rule_orphaned_{entry_id}_{rule_id}"


class SafetyMonitor:
    """One controller's rules, judged after every probe poll."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        apply_outcome: Callable[[SafetyOutcome], None],
        readings: ReadingsRecorder,
    ) -> None:
        """Read the rules from the controller's options; a rule that no longer validates is skipped and logged."""
        self.hass = hass
        self.entry = entry
        self._apply_outcome = apply_outcome
        self._readings = readings
        self.rules: tuple[Rule, ...] = ()
        try:
            self.rules = rules_from_list(entry.options.get(CONF_RULES, []))
        except RuleError as err:
            _LOGGER.error("The safety rules of %s cannot be used: %s", entry.title, err)
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
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.safety")
        self.engine = SafetyEngine(self.rules, probes=(), now=dt_util.utcnow())
        self.outcome = SafetyOutcome()
        self.failsafe_tripped = False
        self._ready = False
        self._last_values: dict[str, float | None] = {}
        self._listeners: list[CALLBACK_TYPE] = []

    async def async_start(self, probes: Collection[str], thermometer: str | None) -> None:
        """Watch the probes that exist; rules that were raised before the restart start raised.

        `thermometer` is the tank's temperature probe: while it cannot be read the heaters go off (fail-safe).
        """
        self.thermometer = thermometer
        self._watching_since = dt_util.utcnow()
        saved = await self._store.async_load() or {}
        self.engine = SafetyEngine(
            self.rules, probes=probes, now=dt_util.utcnow(), raised=saved.get("raised", [])
        )
        for rule in self.rules:
            issue_id = orphan_issue_id(self.entry.entry_id, rule.id)
            if rule in self.engine.orphaned:
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    issue_id,
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key="rule_orphaned",
                    translation_placeholders={"rule": rule.name, "controller": self.entry.title},
                )
            else:
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        self._set_outcome(self.engine.outcome)

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `listener` after every evaluation (the binary sensors)."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    @callback
    def async_ready(self) -> None:
        """The controller's entities exist now: judge the readings taken during setup, and every poll after.

        Alerts raised before would reach automations that act on entities not added yet.
        """
        self._ready = True
        self._async_judge(dt_util.utcnow())

    @callback
    def async_evaluate(self, values: Mapping[str, float | None], now: datetime) -> None:
        """Take the probes' latest reports and judge every rule (once the controller is ready)."""
        for source, value in values.items():
            self.engine.record(source, now, value)
        self._last_values = dict(values)
        if self._ready:
            self._async_judge(now)

    def _async_judge(self, now: datetime) -> None:
        values = self._last_values
        update = self.engine.tick(now)
        for transition in update.transitions:
            self._announce(transition)
        if update.transitions:
            self._store.async_delay_save(lambda: {"raised": list(self.engine.outcome.raised)}, 1)
        outcome = update.outcome
        if self.thermometer is not None:
            available = values.get(self.thermometer) is not None
            if available:
                self._last_good = now
            heaters = self.failsafe.outlets(
                now, available=available, last_good=self._last_good, watching_since=self._watching_since
            )
            if heaters and not self.failsafe_tripped:
                _LOGGER.warning(
                    "%s: no water temperature for %s min, heaters off",
                    self.entry.title,
                    self.failsafe.minutes,
                )
            self.failsafe_tripped = bool(heaters)
            outcome = outcome.with_outlets(heaters)
        if outcome.safety_mode:
            outcome = outcome.with_outlets(self.safety_mode_outlets)
        self._set_outcome(outcome)
        for listener in list(self._listeners):
            listener()

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
