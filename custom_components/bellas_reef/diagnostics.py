"""Diagnostics: the controller's configuration and what its hardware is doing, secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import (
    CONF_API_KEY,
    CONF_LATITUDE,
    CONF_LONGITUDE,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_URL,
    CONF_USERNAME,
)
from homeassistant.core import HomeAssistant

from .const import CONF_DB_URL, DEVICE_TIMEOUT
from .health import within
from .history.urls import hide_secrets
from .models import ReefConfigEntry
from .readings import describe_store

TO_REDACT = {
    CONF_API_KEY,
    CONF_DB_URL,
    CONF_LATITUDE,
    CONF_LONGITUDE,
    CONF_PASSWORD,
    CONF_TOKEN,
    CONF_URL,
    CONF_USERNAME,
}
REDACTED = "**REDACTED**"


def _secrets(data: Any) -> set[str]:
    """Every credential in a configuration, wherever it sits: passwords, user names, the database URL."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key in TO_REDACT and isinstance(value, str) and len(value) >= 4:
                found.add(value)
                if key == CONF_DB_URL:
                    found |= set(hide_secrets(value)[1])
            found |= _secrets(value)
    elif isinstance(data, list | tuple):
        for value in data:
            found |= _secrets(value)
    return found


def _scrub(data: Any, secrets: set[str]) -> Any:
    """Replace credentials that crept into free text (an error message quoting a URL, say)."""
    if isinstance(data, str):
        for secret in secrets:
            data = data.replace(secret, REDACTED)
        return data
    if isinstance(data, dict):
        return {key: _scrub(value, secrets) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_scrub(value, secrets) for value in data]
    return data


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: ReefConfigEntry) -> dict[str, Any]:
    """Return what a maintainer needs to understand a keeper's report."""
    runtime = entry.runtime_data
    lighting = runtime.lighting
    chip_outputs: dict[str, dict[int, int] | str] = {}
    for key, board in lighting.boards.items():
        try:
            chip_outputs[key] = await within(DEVICE_TIMEOUT, board.output.async_read(), board.name)
        except Exception as err:  # noqa: BLE001 - a failing board is reported, not raised
            chip_outputs[key] = str(err) or type(err).__name__
    values = runtime.probes.data or {}
    report = {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "boards": [
            {
                "key": key,
                "name": board.name,
                "model": board.model,
                "max_duty": board.output.max_duty,
                "available": board.health.available,
                "errors": board.health.errors,
                "written": board.written,
                "chip_outputs": chip_outputs[key],
            }
            for key, board in lighting.boards.items()
        ],
        "channels": [
            {
                "name": channel.name,
                "board": channel.board.key,
                "output": channel.output,
                "plan": channel.plan.to_dict(),
                "target_level": channel.target_level,
                "output_level": channel.output_level,
                "duty": channel.duty,
            }
            for channel in lighting.channels.values()
        ],
        "probes": [
            {
                "name": probe.name,
                "kind": probe.kind,
                "value": values.get(sid),
                "available": probe.health.available,
                "errors": probe.health.errors,
                # A conductivity circuit's salinity and specific gravity, by kind.
                **(
                    {
                        "extra": {
                            kind: values.get(reading)
                            for reading, kind in probe.readings.items()
                            if reading != sid
                        }
                    }
                    if probe.extra
                    else {}
                ),
            }
            for sid, probe in runtime.probes.probes.items()
        ],
        "safety": {
            "rules": {
                rule.id: {
                    "name": rule.name,
                    "probe": rule.probe,
                    "condition": rule.condition.kind,
                    "raised": runtime.monitor.engine.states[rule.id].raised,
                }
                for rule in runtime.monitor.engine.rules
            },
            "orphaned": [rule.id for rule in runtime.monitor.engine.orphaned],
            "derate": runtime.monitor.outcome.derate,
            "forced_off": runtime.monitor.outcome.forced_off,
            "safety_mode": runtime.monitor.outcome.safety_mode,
        },
        "readings_store": {
            "store": describe_store(entry),
            "backlog": runtime.readings.writer.backlog,
            "reachable": runtime.readings.writer.reachable,
            "last_write": runtime.readings.writer.last_write,
        },
        "last_tick_seconds": lighting.last_tick_seconds,
        "overruns": {"lighting": lighting.overruns, "outlets": runtime.outlets.overruns},
        "safety_last_judged": runtime.monitor.last_judged,
        "rejected_rules": [
            {"index": rejected.index, "error": str(rejected.error)} for rejected in runtime.monitor.rejected
        ],
    }
    # Parts a tank may not have show only when it has them.
    if runtime.inputs.inputs:
        report["inputs"] = [
            {
                "name": item.name,
                "kind": item.kind,
                "on": item.is_on,
                "available": item.health.available,
                "errors": item.health.errors,
            }
            for item in runtime.inputs.inputs.values()
        ]
    if (thermostat := runtime.thermostat) is not None:
        control = thermostat.thermostat
        report["thermostat"] = {
            "mode": control.mode,
            "action": control.action,
            "temperature": thermostat.temperature,
            "target": control.target,
            "range": [control.low, control.high],
            "outlets": control.outlets,
            "alarms": sorted(thermostat.watch.raised),
        }
    if (top_off := runtime.top_off) is not None:
        report["top_off"] = {
            "status": top_off.top_off.status,
            "paused_by": top_off.paused_by,
            "filling": top_off.top_off.filling,
            "alarms": sorted(top_off.top_off.raised),
            **top_off.top_off.to_dict(),
        }
    scrubbed: dict[str, Any] = _scrub(report, _secrets(entry.as_dict()))
    return scrubbed
