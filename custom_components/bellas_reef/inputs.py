"""GPIO inputs: float, optical level, leak and lid switches, each a binary sensor built from its subentry.

Safety rules and the auto top-off take them as they take any binary sensor.
"""

from __future__ import annotations

import logging
from typing import Final

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_DRIVER, CONF_KIND, CONF_PIN, CONF_PIN_FACTORY, DOMAIN, SUBENTRY_INPUT
from .coordinator.inputs import (
    CONF_BOUNCE_MS,
    CONF_ON_WHEN,
    CONF_PULL_UP,
    Contact,
    Input,
    InputCoordinator,
    InputDriver,
    InputKind,
)
from .entity import WritesChangesOnly
from .hardware.gpio import AUTO_PIN_FACTORY
from .hardware.gpio_input import GpioInput, simulated_pin_factory
from .models import ReefConfigEntry, Simulator

_LOGGER = logging.getLogger(__name__)

DEVICE_CLASSES: Final = {
    InputKind.LEAK: BinarySensorDeviceClass.MOISTURE,
    InputKind.LID: BinarySensorDeviceClass.OPENING,
}


async def async_build_inputs(
    hass: HomeAssistant, entry: ReefConfigEntry, simulator: Simulator
) -> tuple[InputCoordinator, dict[str, tuple[str, str]]]:
    """The controller's inputs, and those that cannot be set up (by subentry id: title, why), left out."""
    inputs: list[Input] = []
    broken: dict[str, tuple[str, str]] = {}
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type != SUBENTRY_INPUT:
            continue
        data = subentry.data
        try:
            simulated = data[CONF_DRIVER] == InputDriver.SIMULATED
            if simulated and simulator.pins is None:
                simulator.pins = await hass.async_add_executor_job(simulated_pin_factory)
            source = GpioInput(
                int(data[CONF_PIN]),
                pin_factory=data.get(CONF_PIN_FACTORY, AUTO_PIN_FACTORY),
                pull_up=bool(data[CONF_PULL_UP]),
                bounce_ms=int(data[CONF_BOUNCE_MS]),
                factory=simulator.pins if simulated else None,
            )
            item = Input(
                subentry_id=subentry_id,
                name=subentry.title,
                kind=InputKind(data[CONF_KIND]),
                on_when=Contact(data[CONF_ON_WHEN]),
                source=source,
                model="Simulated GPIO input" if simulated else "Raspberry Pi GPIO input",
            )
        except (KeyError, ValueError) as err:
            _LOGGER.error("%s: %s cannot be set up and is left out: %s", entry.title, subentry.title, err)
            broken[subentry_id] = (subentry.title, str(err) or type(err).__name__)
        else:
            inputs.append(item)
    return InputCoordinator(hass, entry, inputs), broken


class InputSensor(WritesChangesOnly, CoordinatorEntity[InputCoordinator], BinarySensorEntity):
    """A switch's state as the keeper reads it: wet, low, open... on or off as chosen for its contact."""

    _attr_has_entity_name = True
    # The entity is its device: "Sump leak", not "Sump leak Input".
    _attr_name = None

    def __init__(self, entry: ReefConfigEntry, item: Input) -> None:
        """One per input, on the input's own device."""
        super().__init__(entry.runtime_data.inputs)
        self.item = item
        self._attr_unique_id = f"{entry.entry_id}_{item.subentry_id}"
        self._attr_translation_key = f"input_{item.kind}"
        self._attr_device_class = DEVICE_CLASSES.get(item.kind)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{item.subentry_id}")},
            name=item.name,
            model=item.model,
            via_device_id=entry.runtime_data.controller_device_id,
        )

    @property
    def available(self) -> bool:
        """Down while its pin fails, and until the pin has first been read."""
        return super().available and self.item.health.available and self.item.is_on is not None

    @property
    def is_on(self) -> bool | None:
        """Whether the contact is as the keeper chose for on."""
        return self.item.is_on


def input_entities(entry: ReefConfigEntry) -> dict[str, list[InputSensor]]:
    """Each input's entity, by subentry (entities of a subentry are added with it)."""
    return {sid: [InputSensor(entry, item)] for sid, item in entry.runtime_data.inputs.inputs.items()}
