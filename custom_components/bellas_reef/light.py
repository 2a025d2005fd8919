"""Light platform: one dimmable light per PWM LED channel."""

from __future__ import annotations

from typing import Any

from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ColorMode
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ReefConfigEntry
from .entity import ChannelEntity

# Writes go through the coordinator's tick, never to the hardware in parallel.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a light for each channel subentry."""
    coordinator = entry.runtime_data.lighting
    for subentry_id, channel in coordinator.channels.items():
        async_add_entities([ChannelLight(coordinator, channel)], config_subentry_id=subentry_id)


class ChannelLight(ChannelEntity, LightEntity):
    """A PWM LED channel; HA brightness 1–255 spans the channel's whole duty range through its dimming curve."""

    _attr_color_mode = ColorMode.BRIGHTNESS
    _attr_supported_color_modes = {ColorMode.BRIGHTNESS}  # noqa: RUF012 - HA's declared type is a set
    _attr_name = None
    _attr_translation_key = "channel"
    # The raw duty moves with every tick of a ramp; the recorder needs the brightness, not each step.
    _unrecorded_attributes = frozenset({"duty", "max_duty"})

    @property
    def is_on(self) -> bool:
        """On while the channel shows any light."""
        return self.channel.target_level > 0.0

    @property
    def brightness(self) -> int:
        """The channel's level on HA's 0–255 scale (HA only shows it while the light is on)."""
        return max(1, min(255, round(self.channel.target_level * 255)))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What the hardware does: the duty written and the channel's role."""
        return {
            "role": self.channel.role,
            "duty": self.channel.duty,
            "max_duty": self.channel.mapping.max_duty,
        }

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Light the channel, at the given brightness or its last level."""
        level = kwargs[ATTR_BRIGHTNESS] / 255 if ATTR_BRIGHTNESS in kwargs else None
        await self.coordinator.async_set_channel(self.channel.subentry_id, is_on=True, level=level)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Darken the channel; its level is kept for the next turn on."""
        await self.coordinator.async_set_channel(self.channel.subentry_id, is_on=False)
