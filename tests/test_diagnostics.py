"""Diagnostics, with the location redacted."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The snapshot shows boards, channels and probes, and no coordinates."""
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert result["entry"]["data"]["latitude"] == "**REDACTED**"
    assert result == snapshot(
        exclude=props(
            "entry_id",
            "created_at",
            "modified_at",
            "subentry_id",
            "last_tick_seconds",
            "value",
            "last_write",
            "safety_last_judged",
            "probe",
        )
    )


async def test_diagnostics_of_a_missing_board(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, init_integration: MockConfigEntry
) -> None:
    """A board that does not answer is reported with its error instead of its outputs."""
    init_integration.runtime_data.simulator.bus.vanish(0x40)
    result = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert "does not answer" in result["boards"][0]["chip_outputs"]
