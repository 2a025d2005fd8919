"""The controller's options: safety rules (add, edit, remove) and what safety mode does.

A rule watches one of the controller's probes, or any binary sensor in Home Assistant (a leak sensor, a lid
switch, a float switch on a GPIO input): the binary conditions (on, off, on for a time) go with binary sensors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import ATTR_DEVICE_CLASS, CONF_NAME, Platform
from homeassistant.helpers import selector
from homeassistant.util import slugify
import probatio as vol

from ..const import (
    CONF_FAILSAFE_MINUTES,
    CONF_ROLLUP_RETENTION_DAYS,
    CONF_RULES,
    CONF_SAFETY_MODE_LIGHTS,
    CONF_SAFETY_MODE_OUTLETS,
    DEFAULT_FAILSAFE_MINUTES,
    DEFAULT_ROLLUP_RETENTION_DAYS,
    SUBENTRY_PROBE,
    probe_extras,
    probe_kind,
    reading_id,
)
from ..coordinator.probes import PLAUSIBLE
from ..hardware.tank import ProbeKind
from ..monitor import keeper_unit
from ..safety import (
    BINARY_CONDITIONS,
    CELSIUS,
    FAHRENHEIT,
    Rule,
    RuleError,
    convert_temperature_rule,
    leak_rule,
    rules_from_list,
)
from .fields import form_errors, number, roles, select
from .thermostat import ThermostatOptions
from .top_off import TopOffOptions

CONDITION_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "above": ("limit",),
    "below": ("limit",),
    "outside": ("low", "high"),
    "rate": ("max_per_hour", "window_minutes"),
    "stale": ("minutes",),
    "flatline": ("minutes", "noise"),
    "on": (),
    "off": (),
    "on_for": ("seconds",),
}
# Conditions that compare against a limit, and so can be given hysteresis and a proportional derate.
LIMIT_CONDITIONS: Final = frozenset({"above", "below", "outside", "rate"})
# Where a reef's salinity is kept, offered as a new rule's limits (natural seawater is 35 ppt, SG 1.026).
REEF_RANGES: Final[Mapping[ProbeKind, tuple[float, float]]] = {
    ProbeKind.SALINITY: (33.0, 36.0),
    ProbeKind.SPECIFIC_GRAVITY: (1.024, 1.027),
}


class ReefOptionsFlow(ThermostatOptions, TopOffOptions):
    """Safety rules (add, edit, remove), what safety mode does to the lights, the thermostat and the top-off."""

    def __init__(self) -> None:
        """Start without a rule in hand."""
        self._draft: dict[str, Any] = {}
        self._editing: str | None = None

    @property
    def _rules(self) -> list[dict[str, Any]]:
        return list(self.config_entry.options.get(CONF_RULES, []))

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """What to change."""
        options = (
            ["add_rule", "edit_rule", "remove_rule", "settings", "thermostat", "ato", "history"]
            if self._rules
            else ["add_rule", "settings", "thermostat", "ato", "history"]
        )
        return self.async_show_menu(step_id="init", menu_options=options)

    def _readings(self) -> dict[str, tuple[str, ProbeKind]]:
        """Every reading of the controller's probes a rule can watch, by reading id: its label and kind."""
        readings: dict[str, tuple[str, ProbeKind]] = {}
        for subentry_id, subentry in self.config_entry.subentries.items():
            if subentry.subentry_type == SUBENTRY_PROBE:
                readings[subentry_id] = (subentry.title, probe_kind(subentry.data))
                for kind in probe_extras(subentry.data):
                    label = f"{subentry.title}: {kind.replace('_', ' ')}"
                    readings[reading_id(subentry_id, kind)] = (label, kind)
        return readings

    def _kind(self, probe: str) -> ProbeKind | None:
        """What a rule's probe measures; None for a binary sensor."""
        reading = self._readings().get(probe)
        return None if reading is None else reading[1]

    def _probes(self) -> list[selector.SelectOptionDict]:
        """The controller's probes (with a conductivity circuit's salinity and SG), then every binary sensor."""
        probes = [
            selector.SelectOptionDict(value=reading, label=label)
            for reading, (label, _kind) in self._readings().items()
        ]
        sensors = sorted(
            self.hass.states.async_all(Platform.BINARY_SENSOR), key=lambda state: state.name.casefold()
        )
        return probes + [
            selector.SelectOptionDict(value=state.entity_id, label=f"{state.name} ({state.entity_id})")
            for state in sensors
        ]

    def _source_problem(self, probe: str, condition: str) -> str | None:
        """Binary conditions need a binary sensor, the others one of the controller's probes."""
        if condition in BINARY_CONDITIONS:
            return None if probe.startswith(f"{Platform.BINARY_SENSOR}.") else "condition_needs_binary_sensor"
        return None if probe in self._readings() else "condition_needs_probe"

    def _display_unit(self, probe: str) -> str:
        """Temperature limits are entered in the keeper's unit and stored in the probe's (°C)."""
        return keeper_unit(self.hass) if self._kind(probe) == ProbeKind.TEMPERATURE else CELSIUS

    def _unreachable_limit(self, condition: str, user_input: Mapping[str, Any]) -> dict[str, str] | None:
        """A limit the probe can never read (SG 1026 for 1.026, salinity 1.026 for 35), for the form's error."""
        probe = self._draft["probe"]
        kind = self._kind(probe)
        if kind is None or condition not in ("above", "below", "outside"):
            return None
        low, high = PLAUSIBLE[kind]
        if self._display_unit(probe) == FAHRENHEIT:
            low, high = low * 1.8 + 32, high * 1.8 + 32
        for field in CONDITION_FIELDS[condition]:
            if not low <= user_input[field] <= high:
                return {"value": f"{user_input[field]:g}", "minimum": f"{low:g}", "maximum": f"{high:g}"}
        return None

    async def async_step_add_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the rule, pick its probe and condition."""
        return await self._async_rule_step("add_rule", user_input)

    async def async_step_edit_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick the rule to edit."""
        if user_input is not None:
            self._editing = user_input["rule"]
            stored = next(rule for rule in self._rules if rule["id"] == self._editing)
            shown = convert_temperature_rule(
                Rule.from_dict(stored), CELSIUS, self._display_unit(stored["probe"])
            )
            self._draft = shown.to_dict()
            return await self.async_step_rule()
        return self.async_show_form(
            step_id="edit_rule",
            data_schema=vol.Schema({vol.Required("rule"): self._rule_selector(multiple=False)}),
        )

    async def async_step_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Rename an existing rule, or point it at another probe or condition."""
        return await self._async_rule_step("rule", user_input)

    def _rule_selector(self, *, multiple: bool) -> selector.SelectSelector:
        return selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[
                    selector.SelectOptionDict(value=rule["id"], label=rule["name"]) for rule in self._rules
                ],
                multiple=multiple,
                mode=selector.SelectSelectorMode.LIST,
            )
        )

    async def _async_rule_step(self, step_id: str, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = form_errors(self._rule_schema(), user_input)
            if not errors and (problem := self._source_problem(user_input["probe"], user_input["condition"])):
                errors = {"condition": problem}
            if not errors:
                condition = user_input["condition"]
                kept = (
                    self._draft.get("condition", {})
                    if self._draft.get("condition", {}).get("kind") == condition
                    else {}
                )
                self._draft |= {
                    "name": user_input[CONF_NAME].strip(),
                    "probe": user_input["probe"],
                    "condition": {"kind": condition, **kept},
                }
                return await self.async_step_rule_details()
        suggested = {
            CONF_NAME: self._draft.get("name"),
            "probe": self._draft.get("probe"),
            "condition": self._draft.get("condition", {}).get("kind"),
        }
        schema = self.add_suggested_values_to_schema(self._rule_schema(), user_input or suggested)
        return self.async_show_form(
            step_id=step_id, data_schema=schema, errors=errors, description_placeholders=placeholders
        )

    def _rule_schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Required("probe"): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=self._probes(), mode=selector.SelectSelectorMode.DROPDOWN
                    )
                ),
                vol.Required("condition", default="above"): select(list(CONDITION_FIELDS), "condition"),
            }
        )

    def _details_schema(self, condition: str) -> vol.Schema:
        fields: dict[Any, Any] = {
            vol.Required(field): number(-100000, 100000, 0.001) for field in CONDITION_FIELDS[condition]
        }
        if condition in LIMIT_CONDITIONS:
            fields[vol.Required("hysteresis", default=0)] = number(0, 100000, 0.001)
        fields |= {
            vol.Required("lights_off", default=False): selector.BooleanSelector(),
            vol.Required("notify", default=True): selector.BooleanSelector(),
            vol.Required("safety_mode", default=False): selector.BooleanSelector(),
            vol.Optional("outlets_off"): roles(),
            vol.Optional("outlets_on"): roles(),
        }
        if condition in LIMIT_CONDITIONS:
            fields[vol.Optional("derate_span")] = number(0.001, 100000, 0.001)
            fields[vol.Required("derate_floor", default=0)] = number(0, 100, 1, "%")
        return vol.Schema(fields)

    async def async_step_rule_details(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The condition's limits, the hysteresis and what the rule does while raised."""
        condition = self._draft["condition"]["kind"]
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = form_errors(self._details_schema(condition), user_input)
            if not errors and (unreachable := self._unreachable_limit(condition, user_input)):
                errors, placeholders = {"base": "limit_unreachable"}, unreachable
        if user_input is not None and not errors:
            draft = self._draft | {
                "id": self._editing or self._new_id(self._draft["name"]),
                "condition": {
                    "kind": condition,
                    **{f: _field(f, user_input[f]) for f in CONDITION_FIELDS[condition]},
                },
                "hysteresis": user_input.get("hysteresis", 0),
                "actions": {
                    "lights_off": user_input["lights_off"],
                    "notify": user_input["notify"],
                    "safety_mode": user_input["safety_mode"],
                    "outlets": dict.fromkeys(user_input.get("outlets_off", []), "off")
                    | dict.fromkeys(user_input.get("outlets_on", []), "on"),
                    "derate_lights": None
                    if "derate_span" not in user_input
                    else {"span": user_input["derate_span"], "floor": user_input["derate_floor"] / 100},
                },
            }
            try:
                rule = convert_temperature_rule(
                    Rule.from_dict(draft), self._display_unit(draft["probe"]), CELSIUS
                )
                rules = [r for r in self._rules if r["id"] != draft["id"]] + [rule.to_dict()]
                rules_from_list(rules)
            except RuleError as err:
                errors["base"] = err.translation_key
                placeholders = err.placeholders
            else:
                return self.async_create_entry(data={**self.config_entry.options, CONF_RULES: rules})
        shown = self._draft.get("actions") or self._suggested_actions(condition)
        suggested = {
            **self._reef_range(condition),
            **self._draft.get("condition", {}),
            "hysteresis": self._draft.get("hysteresis", 0),
            **{key: shown[key] for key in ("lights_off", "notify", "safety_mode") if key in shown},
            "outlets_off": [role for role, state in shown.get("outlets", {}).items() if state == "off"],
            "outlets_on": [role for role, state in shown.get("outlets", {}).items() if state == "on"],
        }
        if derate := shown.get("derate_lights"):
            suggested |= {"derate_span": derate["span"], "derate_floor": derate["floor"] * 100}
        schema = self.add_suggested_values_to_schema(self._details_schema(condition), user_input or suggested)
        return self.async_show_form(
            step_id="rule_details",
            data_schema=schema,
            errors=errors,
            description_placeholders={"unit": self._display_unit(self._draft["probe"]), **placeholders},
        )

    def _reef_range(self, condition: str) -> dict[str, float]:
        """A new salinity or SG rule's limits, from where reefs are kept."""
        kind = self._kind(self._draft["probe"])
        if kind is None or kind not in REEF_RANGES:
            return {}
        low, high = REEF_RANGES[kind]
        return {"outside": {"low": low, "high": high}, "above": {"limit": high}, "below": {"limit": low}}.get(
            condition, {}
        )

    def _suggested_actions(self, condition: str) -> dict[str, Any]:
        """What a new rule does unless the keeper says otherwise: a wet leak sensor stops the pumps that flood."""
        state = self.hass.states.get(self._draft["probe"])
        if condition != "on" or state is None:
            return {}
        if state.attributes.get(ATTR_DEVICE_CLASS) != BinarySensorDeviceClass.MOISTURE:
            return {}
        return leak_rule("leak", state.name, state.entity_id).actions.to_dict()

    def _new_id(self, name: str) -> str:
        base = slugify(name) or "rule"
        taken = {rule["id"] for rule in self._rules}
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}_{number}", number + 1
        return candidate

    async def async_step_remove_rule(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Delete rules."""
        if user_input is not None:
            gone = set(user_input["rules"])
            rules = [rule for rule in self._rules if rule["id"] not in gone]
            return self.async_create_entry(data={**self.config_entry.options, CONF_RULES: rules})
        return self.async_show_form(
            step_id="remove_rule",
            data_schema=vol.Schema({vol.Required("rules"): self._rule_selector(multiple=True)}),
        )

    async def async_step_settings(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """What safety mode does to the lights, and how long heaters wait for a silent thermometer."""
        options = self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_SAFETY_MODE_LIGHTS, default=options.get(CONF_SAFETY_MODE_LIGHTS, 100)
                ): number(0, 100, 1, "%"),
                vol.Optional(
                    CONF_SAFETY_MODE_OUTLETS, default=options.get(CONF_SAFETY_MODE_OUTLETS, [])
                ): roles(),
                vol.Required(
                    CONF_FAILSAFE_MINUTES,
                    default=options.get(CONF_FAILSAFE_MINUTES, DEFAULT_FAILSAFE_MINUTES),
                ): number(1, 1440, 1, "min"),
            }
        )
        errors, placeholders = ({}, {}) if user_input is None else form_errors(schema, user_input)
        if user_input is not None and not errors:
            return self.async_create_entry(
                data={
                    **self.config_entry.options,
                    CONF_SAFETY_MODE_LIGHTS: float(user_input[CONF_SAFETY_MODE_LIGHTS]),
                    CONF_SAFETY_MODE_OUTLETS: user_input.get(CONF_SAFETY_MODE_OUTLETS, []),
                    CONF_FAILSAFE_MINUTES: int(user_input[CONF_FAILSAFE_MINUTES]),
                }
            )
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_history(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """How long the readings' rollups (the summaries long charts are drawn from) are kept."""
        kept = self.config_entry.options.get(CONF_ROLLUP_RETENTION_DAYS, DEFAULT_ROLLUP_RETENTION_DAYS)
        schema = vol.Schema(
            {vol.Required(CONF_ROLLUP_RETENTION_DAYS, default=kept): number(1, 36500, 1, "d")}
        )
        errors, placeholders = ({}, {}) if user_input is None else form_errors(schema, user_input)
        if user_input is not None and not errors:
            days = int(user_input[CONF_ROLLUP_RETENTION_DAYS])
            return self.async_create_entry(
                data={**self.config_entry.options, CONF_ROLLUP_RETENTION_DAYS: days}
            )
        return self.async_show_form(
            step_id="history",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
            description_placeholders=placeholders,
        )


def _field(name: str, value: float) -> float | int:
    """Minutes are whole numbers; the form's number fields give floats."""
    return int(value) if name in ("minutes", "window_minutes", "seconds") else value
