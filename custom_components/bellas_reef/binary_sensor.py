"""Binary sensor platform: one problem sensor per safety rule, and the controller's safety mode."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .ato_entities import top_off_entities
from .coordinator.outlets import OutletCoordinator
from .dosers import doser_entities
from .entity import WritesChangesOnly, controller_device_info
from .inputs import input_entities
from .models import ReefConfigEntry
from .monitor import SafetyMonitor
from .safety import Rule

# The monitor evaluates every rule in one pass; entities only read its result.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the safety and feed mode sensors and a sensor for each rule that can be evaluated."""
    monitor = entry.runtime_data.monitor
    async_add_entities(
        [
            SafetyModeSensor(entry, monitor),
            FeedModeSensor(entry.runtime_data.outlets),
            *(RuleSensor(entry, monitor, rule) for rule in monitor.engine.rules),
        ]
    )
    async_add_entities(top_off_entities(entry, "binary_sensor"))
    for subentry_id, entities in doser_entities(entry, "binary_sensor").items():
        async_add_entities(entities, config_subentry_id=subentry_id)
    for subentry_id, inputs in input_entities(entry).items():
        async_add_entities(inputs, config_subentry_id=subentry_id)


class FeedModeSensor(WritesChangesOnly, CoordinatorEntity[OutletCoordinator], BinarySensorEntity):
    """On while feed mode holds the pumps off; `until` says when they come back."""

    _attr_has_entity_name = True
    _attr_device_class = BinarySensorDeviceClass.RUNNING
    _attr_translation_key = "feed_mode"

    def __init__(self, coordinator: OutletCoordinator) -> None:
        """One per controller."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_feed_mode"
        self._attr_device_info = controller_device_info(entry)

    @property
    def is_on(self) -> bool:
        """Whether feed mode is on."""
        return self.coordinator.feed_active()

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """When it ends and which roles it holds off."""
        until = self.coordinator.feed_until if self.is_on else None
        return {
            "until": None if until is None else until.isoformat(),
            "roles": sorted(self.coordinator.feed_roles) if self.is_on else [],
        }


class MonitorEntity(WritesChangesOnly):
    """An entity of the controller that follows the safety monitor's evaluations."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ReefConfigEntry, monitor: SafetyMonitor, key: str) -> None:
        """Attach to the controller's device."""
        self.monitor = monitor
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = controller_device_info(entry)

    async def async_added_to_hass(self) -> None:
        """Write the state after an evaluation that changed it, until removed."""
        self.async_on_remove(self.monitor.async_add_listener(self.async_write_ha_state_on_change))


class SafetyModeSensor(MonitorEntity, BinarySensorEntity):
    """On while a raised rule has put the tank in safety mode."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_translation_key = "safety_mode"

    def __init__(self, entry: ReefConfigEntry, monitor: SafetyMonitor) -> None:
        """One per controller."""
        super().__init__(entry, monitor, "safety_mode")

    @property
    def is_on(self) -> bool:
        """Whether safety mode is active."""
        return self.monitor.outcome.safety_mode


class RuleSensor(MonitorEntity, BinarySensorEntity):
    """On while its rule is raised; attributes say what it measured against which limit."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_translation_key = "rule"

    def __init__(self, entry: ReefConfigEntry, monitor: SafetyMonitor, rule: Rule) -> None:
        """Named after the rule, which the keeper named."""
        super().__init__(entry, monitor, f"rule_{rule.id}")
        self.rule = rule
        self._attr_name = rule.name

    @property
    def is_on(self) -> bool:
        """Whether the rule is raised."""
        return self.monitor.engine.states[self.rule.id].raised

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The condition, the limit and since when; the value judged is the probe's own sensor's state."""
        state = self.monitor.engine.states[self.rule.id]
        return {
            "condition": self.rule.condition.kind,
            "limit": state.limit,
            "since": state.since.isoformat(),
        }
