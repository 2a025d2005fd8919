"""The automation blueprints that ship in blueprints/automation/bellas_reef/, loaded into HA and fired."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
import shutil
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest

from custom_components.bellas_reef.const import EVENT_ALERT
from custom_components.bellas_reef.hardware.errors import ProbeReadError
from custom_components.bellas_reef.models import ReefConfigEntry

from .conftest import advance

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "bellas_reef"


async def _use(hass: HomeAssistant, blueprint: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(hass, "persistent_notification", {})
    target = Path(hass.config.path("blueprints", "automation", "bellas_reef"))
    await hass.async_add_executor_job(lambda: shutil.copytree(BLUEPRINTS, target, dirs_exist_ok=True))
    assert await async_setup_component(
        hass,
        "automation",
        {"automation": [{"use_blueprint": {"path": f"bellas_reef/{blueprint}", "input": inputs}}]},
    )
    await hass.async_block_till_done()


def _messages(hass: HomeAssistant) -> list[str]:
    return [n["message"] for n in persistent_notification._async_get_or_create_notifications(hass).values()]


async def test_notify_on_alert(hass: HomeAssistant) -> None:
    """A raised alert runs the actions with its details; a cleared one too unless switched off."""
    await _use(hass, "notify_on_alert.yaml", {})
    data = {
        "name": "Water temperature high",
        "state": "raised",
        "value": 28.3,
        "limit": 27.8,
        "controller": "Reef",
    }
    hass.bus.async_fire(EVENT_ALERT, data)
    await hass.async_block_till_done()
    assert "Water temperature high raised at 28.3 (limit 27.8)" in _messages(hass)


async def test_notify_on_alert_skips_cleared(hass: HomeAssistant) -> None:
    """With cleared alerts switched off, only raised ones notify."""
    await _use(hass, "notify_on_alert.yaml", {"include_cleared": False})
    hass.bus.async_fire(
        EVENT_ALERT, {"name": "pH", "state": "cleared", "value": 8.0, "limit": 7.8, "controller": "R"}
    )
    await hass.async_block_till_done()
    assert _messages(hass) == []


@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_probe_stale(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A probe unavailable for the chosen minutes runs the actions."""
    await _use(hass, "probe_stale.yaml", {"probe": "sensor.ph", "minutes": 5})

    async def broken() -> float:
        raise ProbeReadError("no answer")

    next(p for p in init_integration.runtime_data.probes.probes.values() if p.kind == "ph").read = broken
    await advance(hass, freezer, 60, steps=6)
    assert hass.states.get("sensor.ph").state == "unavailable"  # type: ignore[union-attr]
    assert _messages(hass) == []
    await advance(hass, freezer, 5 * 60, steps=30)
    assert "pH has been unavailable for 5 minutes." in _messages(hass)


@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_daily_summary(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """At the chosen time the summary lists the probes and the raised alerts."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    freezer.move_to(datetime(2026, 6, 21, 7, 59, 50, tzinfo=ZoneInfo("Europe/Amsterdam")))
    await _use(
        hass, "daily_summary.yaml", {"time": "08:00:00", "probes": ["sensor.water_temperature", "sensor.ph"]}
    )
    await advance(hass, freezer, 20, steps=2)
    summary = next(message for message in _messages(hass) if "Water temperature:" in message)
    assert "pH:" in summary
    assert "No alerts." in summary
