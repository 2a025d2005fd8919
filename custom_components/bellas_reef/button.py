"""Button platform: feed the tank and stop running light effects from any dashboard card."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .ato_entities import top_off_entities
from .const import DEFAULT_FEED_MINUTES, DEFAULT_FEED_ROLES
from .coordinator.lighting import Channel
from .dosers import doser_entities
from .entity import controller_device_info
from .lighting import ChannelPlan
from .models import ReefConfigEntry
from .services import without_effect

# Both buttons act through their controller's coordinators, which order the work themselves.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the controller's feed and stop-effects buttons."""
    async_add_entities([FeedButton(entry), StopEffectsButton(entry)])
    async_add_entities(top_off_entities(entry, "button"))
    for subentry_id, entities in doser_entities(entry, "button").items():
        async_add_entities(entities, config_subentry_id=subentry_id)


class ControllerButton(ButtonEntity):
    """A button of the controller's own device."""

    _attr_has_entity_name = True

    def __init__(self, entry: ReefConfigEntry, key: str) -> None:
        """Named by its translation key, unique per controller."""
        self.entry = entry
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = controller_device_info(entry)


class FeedButton(ControllerButton):
    """Feed mode with its defaults: pumps and skimmer off, back as they were after the feeding time."""

    def __init__(self, entry: ReefConfigEntry) -> None:
        """One per controller."""
        super().__init__(entry, "feed")

    async def async_press(self) -> None:
        """Start (or extend) feed mode."""
        await self.entry.runtime_data.outlets.async_feed(DEFAULT_FEED_MINUTES, DEFAULT_FEED_ROLES)


class StopEffectsButton(ControllerButton):
    """Ends every running cloud, storm and lightning effect on the controller's channels."""

    def __init__(self, entry: ReefConfigEntry) -> None:
        """One per controller."""
        super().__init__(entry, "stop_effects")

    async def async_press(self) -> None:
        """Stop the effects of every channel; programs and overrides stay as they are."""
        lighting = self.entry.runtime_data.lighting

        def change(channel: Channel, _now: datetime) -> ChannelPlan:
            return without_effect(channel.plan, None)

        await lighting.async_update_plans(list(lighting.channels), change)
