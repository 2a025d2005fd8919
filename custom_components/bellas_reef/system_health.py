"""System health: what a keeper (or a maintainer reading a report) needs at a glance."""

from __future__ import annotations

from typing import Any

from homeassistant.components.system_health import SystemHealthRegistration
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .readings import describe_store


@callback
def async_register(hass: HomeAssistant, register: SystemHealthRegistration) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """Controllers and their devices, the readings store, and anything raised or unavailable."""
    entries = hass.config_entries.async_loaded_entries(DOMAIN)
    runtimes = [entry.runtime_data for entry in entries]
    unavailable = [
        health.name
        for runtime in runtimes
        for health in (
            *(board.health for board in runtime.lighting.boards.values()),
            *(probe.health for probe in runtime.probes.probes.values()),
            *(outlet.health for outlet in runtime.outlets.outlets.values()),
        )
        if not health.available
    ]
    return {
        "controllers": len(entries),
        "channels": sum(len(runtime.lighting.channels) for runtime in runtimes),
        "probes": sum(len(runtime.probes.probes) for runtime in runtimes),
        "outlets": sum(len(runtime.outlets.outlets) for runtime in runtimes),
        "readings_stores": ", ".join(sorted({describe_store(entry) for entry in entries})) or "none",
        "readings_backlog": sum(runtime.readings.writer.backlog for runtime in runtimes),
        "raised_rules": sum(len(runtime.monitor.outcome.raised) for runtime in runtimes),
        "unavailable_devices": ", ".join(unavailable) or "none",
    }
