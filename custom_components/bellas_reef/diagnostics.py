"""Diagnostics: the controller's configuration and what its hardware is doing, secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .coordinator import ReefConfigEntry
from .hardware.errors import HardwareError

TO_REDACT = {CONF_LATITUDE, CONF_LONGITUDE, CONF_PASSWORD, CONF_USERNAME, CONF_URL}


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: ReefConfigEntry) -> dict[str, Any]:
    """Return what a maintainer needs to understand a keeper's report."""
    runtime = entry.runtime_data
    lighting = runtime.lighting
    chip_outputs: dict[str, dict[int, int] | str] = {}
    for key, board in lighting.boards.items():
        try:
            chip_outputs[key] = await board.output.async_read()
        except HardwareError as err:
            chip_outputs[key] = str(err)
    return {
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
                "value": runtime.probes.data.get(sid) if runtime.probes.data else None,
                "available": probe.health.available,
                "errors": probe.health.errors,
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
            "backlog": runtime.readings.writer.backlog,
            "reachable": runtime.readings.writer.reachable,
            "last_write": runtime.readings.writer.last_write,
        },
        "last_tick_seconds": lighting.last_tick_seconds,
    }
