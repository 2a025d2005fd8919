"""Fan platform: a DC pump on a PWM output, with its speed and a wave mode as the preset."""

from __future__ import annotations

from typing import Any

from homeassistant.components.fan import FanEntity
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator.outlets import OutletCoordinator
from .coordinator.pumps import PumpChannel, PumpChannels
from .entity import WritesChangesOnly
from .models import ReefConfigEntry
from .pumps import PumpMode

# Commands only change what the lighting engine's next tick drives.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """One fan per pump channel subentry."""
    runtime = entry.runtime_data
    for subentry_id, pump in runtime.pumps.pumps.items():
        async_add_entities([PumpFan(entry, runtime.pumps, pump)], config_subentry_id=subentry_id)


class PumpFan(WritesChangesOnly, CoordinatorEntity[OutletCoordinator], FanEntity):
    """The keeper's pump: on/off, set speed (percent) and mode; feed and safety mode hold it, as `held_by` says.

    It follows the outlet coordinator's 1 s tick, which also carries feed mode, and writes HA's state only when what
    it shows changed: a pulse at 20 Hz on the board is one state, not twenty a second.
    """

    _attr_has_entity_name = True
    _attr_name = None
    _attr_translation_key = "pump"
    _attr_supported_features = (
        FanEntityFeature.SET_SPEED
        | FanEntityFeature.PRESET_MODE
        | FanEntityFeature.TURN_ON
        | FanEntityFeature.TURN_OFF
    )

    def __init__(self, entry: ReefConfigEntry, channels: PumpChannels, pump: PumpChannel) -> None:
        """A device per pump, below the controller."""
        super().__init__(entry.runtime_data.outlets)
        self.channels = channels
        self.pump = pump
        self._attr_preset_modes = list(PumpMode)
        self._attr_unique_id = f"{entry.entry_id}_{pump.subentry_id}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{pump.subentry_id}")},
            name=pump.name,
            model=f"DC pump on {pump.board.model}, output {pump.output}",
            via_device_id=entry.runtime_data.controller_device_id,
        )

    @property
    def available(self) -> bool:
        """Down while its board keeps failing."""
        return self.pump.board.health.available

    @property
    def is_on(self) -> bool:
        """Whether the keeper has it on."""
        return self.pump.is_on

    @property
    def percentage(self) -> int:
        """The set speed."""
        return round(self.pump.settings.speed * 100)

    @property
    def preset_mode(self) -> str:
        """The wave mode."""
        return self.pump.mode

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What holds it off its mode (feed mode, safety), if anything."""
        return {"held_by": self.pump.held_by, "role": self.pump.role}

    async def async_turn_on(
        self, percentage: int | None = None, preset_mode: str | None = None, **kwargs: Any
    ) -> None:
        """On, optionally at a speed or in a mode."""
        self.channels.async_set(
            self.pump.subentry_id,
            on=True,
            speed=None if percentage is None else percentage / 100,
            mode=None if preset_mode is None else PumpMode(preset_mode),
        )
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Off (safety mode still runs it at its safety speed)."""
        self.channels.async_set(self.pump.subentry_id, on=False)
        self.async_write_ha_state()

    async def async_set_percentage(self, percentage: int) -> None:
        """A new set speed; 0 turns it off."""
        if percentage == 0:
            await self.async_turn_off()
            return
        self.channels.async_set(self.pump.subentry_id, on=True, speed=percentage / 100)
        self.async_write_ha_state()

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """A new wave mode."""
        self.channels.async_set(self.pump.subentry_id, mode=PumpMode(preset_mode))
        self.async_write_ha_state()
