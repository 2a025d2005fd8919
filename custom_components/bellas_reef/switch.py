"""Switch platform: one switch per smart outlet."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .ato_entities import top_off_entities
from .entity import OutletEntity
from .models import ReefConfigEntry
from .outlets.program import OutletProgram
from .services import validated_program

# Commands go through the outlet coordinator, which switches outlets side by side itself.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a switch for each outlet subentry."""
    coordinator = entry.runtime_data.outlets
    async_add_entities(top_off_entities(entry, "switch"))
    for subentry_id, outlet in coordinator.outlets.items():
        async_add_entities([OutletSwitch(coordinator, outlet)], config_subentry_id=subentry_id)


class OutletSwitch(OutletEntity, SwitchEntity):
    """An outlet. Switching it by hand sets its state (or, when it follows a program, holds it for an hour)."""

    _attr_name = None
    _attr_translation_key = "outlet"

    @property
    def is_on(self) -> bool | None:
        """What the device reports."""
        state = self.outlet.state
        return None if state is None else state.is_on

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Role, boot delay, program and what (if anything) holds the outlet right now."""
        return {
            "role": self.outlet.role,
            "boot_delay": self.outlet.boot_delay,
            "program": None if self.outlet.program is None else self.outlet.program.to_dict(),
            "held_by": self.outlet.held_by,
            "hold_until": None if self.outlet.hold_until is None else self.outlet.hold_until.isoformat(),
        }

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on; the device must confirm it."""
        await self.coordinator.async_command(self.outlet.subentry_id, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off; the device must confirm it."""
        await self.coordinator.async_command(self.outlet.subentry_id, False)

    async def async_set_program(self, **data: Any) -> None:
        """Follow daily windows and/or on/off cycles; no windows and no cycle clears the program."""
        program: OutletProgram | None = None
        if data.get("windows") or data.get("cycle_on_seconds") or data.get("cycle_off_seconds"):
            program = validated_program(lambda: OutletProgram.from_dict(data))
        await self.coordinator.async_set_program(self.outlet.subentry_id, program)
