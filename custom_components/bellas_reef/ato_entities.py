"""The auto top-off's entities: its switch, lockout and reservoir sensors, counters, status and reset button."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.button import ButtonEntity
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.components.switch import SwitchEntity
from homeassistant.const import UnitOfTime
from homeassistant.helpers.entity import Entity

from .ato import UNIQUE_PREFIX, TopOffController
from .entity import WritesChangesOnly, controller_device_info
from .models import ReefConfigEntry
from .topoff import Alarm, Status


class TopOffEntity(WritesChangesOnly):
    """An entity of the controller's top-off, written after a judgement that changed it."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ReefConfigEntry, top_off: TopOffController, key: str) -> None:
        """Attach to the controller's device."""
        self.controller = top_off
        self._attr_translation_key = f"{UNIQUE_PREFIX}{key}"
        self._attr_unique_id = f"{entry.entry_id}_{UNIQUE_PREFIX}{key}"
        self._attr_device_info = controller_device_info(entry)

    async def async_added_to_hass(self) -> None:
        """Follow the top-off until removed."""
        self.async_on_remove(self.controller.async_add_listener(self.async_write_ha_state_on_change))


class TopOffSwitch(TopOffEntity, SwitchEntity):
    """The top-off at work (on) or left alone (off: its pump follows the outlet's own switch)."""

    @property
    def is_on(self) -> bool:
        """Whether the top-off runs."""
        return self.controller.top_off.enabled

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What it is doing and, when paused, why."""
        return {"status": self.controller.top_off.status.value, "paused_by": self.controller.paused_by}

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Run the top-off."""
        self.controller.async_set_enabled(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Leave the pump alone."""
        self.controller.async_set_enabled(False)


class LockoutSensor(TopOffEntity, BinarySensorEntity):
    """A problem while a fill that ran too long keeps the top-off off."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    @property
    def is_on(self) -> bool:
        """Whether the top-off is locked out."""
        return self.controller.top_off.locked_out


class ReservoirEmptySensor(TopOffEntity, BinarySensorEntity):
    """A problem while the reservoir sensor says empty."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    @property
    def is_on(self) -> bool:
        """Whether the reservoir is empty."""
        return Alarm.RESERVOIR_EMPTY in self.controller.top_off.raised


class FillsSensor(TopOffEntity, SensorEntity):
    """Fills started today; back to 0 at midnight."""

    _attr_state_class = SensorStateClass.TOTAL_INCREASING

    @property
    def native_value(self) -> int:
        """Today's fills."""
        return self.controller.top_off.fills_today


class RunTimeSensor(TopOffEntity, SensorEntity):
    """The pump's time today; back to 0 at midnight."""

    _attr_device_class = SensorDeviceClass.DURATION
    _attr_native_unit_of_measurement = UnitOfTime.SECONDS
    _attr_state_class = SensorStateClass.TOTAL_INCREASING
    _attr_suggested_display_precision = 0

    @property
    def native_value(self) -> float:
        """Seconds the pump ran today."""
        return round(self.controller.top_off.run_today, 1)


class StatusSensor(TopOffEntity, SensorEntity):
    """What the top-off is doing: filling, waiting, full, paused, locked out and why not."""

    _attr_device_class = SensorDeviceClass.ENUM

    def __init__(self, entry: ReefConfigEntry, top_off: TopOffController, key: str) -> None:
        """Every status is an option."""
        super().__init__(entry, top_off, key)
        self._attr_options = [status.value for status in Status]

    @property
    def native_value(self) -> str:
        """The status of the latest judgement."""
        return self.controller.top_off.status.value


class ResetButton(TopOffEntity, ButtonEntity):
    """The keeper has checked the float and the tank: lift the lockout."""

    async def async_press(self) -> None:
        """Reset the lockout."""
        self.controller.async_reset()


def top_off_entities(entry: ReefConfigEntry, platform: str) -> list[Entity]:
    """The top-off's entities of one platform (none without a top-off)."""
    if (top_off := entry.runtime_data.top_off) is None:
        return []
    kinds: dict[str, list[tuple[type[TopOffEntity], str]]] = {
        "switch": [(TopOffSwitch, "enabled")],
        "binary_sensor": [(LockoutSensor, "lockout"), (ReservoirEmptySensor, "reservoir_empty")],
        "sensor": [(FillsSensor, "fills_today"), (RunTimeSensor, "run_time_today"), (StatusSensor, "status")],
        "button": [(ResetButton, "reset")],
    }
    return [kind(entry, top_off, key) for kind, key in kinds[platform]]
