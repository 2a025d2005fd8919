"""Base entities: every Bella's Reef entity belongs to a controller and names itself through translations."""

from __future__ import annotations

from typing import Any

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator.lighting import Board, Channel, LightingCoordinator
from .coordinator.outlets import ManagedOutlet, OutletCoordinator
from .coordinator.probes import Probe, ProbeCoordinator
from .models import ReefConfigEntry


class WritesChangesOnly(Entity):
    """Writes HA's state after a poll only when what the entity shows changed: an idle tank writes nothing."""

    _shown: tuple[Any, ...] | None = None

    @callback
    def _handle_coordinator_update(self) -> None:
        """Called by the coordinator after every poll."""
        self.async_write_ha_state_on_change()

    @callback
    def async_write_ha_state_on_change(self) -> None:
        """Write the state if availability, state or attributes differ from the last ones written here."""
        shown = (self.available, self.state, self.extra_state_attributes)
        if shown != self._shown:
            self._shown = shown
            self.async_write_ha_state()


def controller_device_info(entry: ReefConfigEntry) -> DeviceInfo:
    """The controller's own device, parent of every board and probe."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer="Bella's Reef",
        model="Reef controller",
    )


def board_device_info(entry: ReefConfigEntry, board: Board) -> DeviceInfo:
    """One device per PWM board, under the controller; its channels hang below it."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"{entry.entry_id}_{board.key}")},
        name=board.name,
        model=board.model,
        via_device_id=entry.runtime_data.controller_device_id,
    )


def channel_device_info(entry: ReefConfigEntry, channel: Channel) -> DeviceInfo:
    """One device per channel, so each belongs to its own subentry and goes with it."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"{entry.entry_id}_{channel.subentry_id}")},
        name=channel.name,
        model=f"{channel.board.model}, output {channel.output}",
        via_device_id=channel.board.device_id,
    )


def probe_device_info(entry: ReefConfigEntry, probe: Probe) -> DeviceInfo:
    """One device per probe."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"{entry.entry_id}_{probe.subentry_id}")},
        name=probe.name,
        model=probe.model,
        via_device_id=entry.runtime_data.controller_device_id,
    )


class ChannelEntity(CoordinatorEntity[LightingCoordinator]):
    """An entity of one light channel, unique by its subentry so it survives reconfiguration."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: LightingCoordinator, channel: Channel) -> None:
        """Attach the entity to its channel and board."""
        super().__init__(coordinator)
        self.channel = channel
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{channel.subentry_id}"
        self._attr_device_info = channel_device_info(coordinator.config_entry, channel)

    @property
    def available(self) -> bool:
        """A channel is down while its board is."""
        return super().available and self.channel.board.health.available


class ProbeEntity(WritesChangesOnly, CoordinatorEntity[ProbeCoordinator]):
    """An entity of one probe, unique by its subentry."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: ProbeCoordinator, probe: Probe) -> None:
        """Attach the entity to its probe's device."""
        super().__init__(coordinator)
        self.probe = probe
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{probe.subentry_id}"
        self._attr_device_info = probe_device_info(coordinator.config_entry, probe)

    @property
    def available(self) -> bool:
        """A probe is down while it keeps failing to answer."""
        return super().available and self.probe.health.available


def outlet_device_info(entry: ReefConfigEntry, outlet: ManagedOutlet) -> DeviceInfo:
    """One device per outlet; before the device first answers, its model is not known yet."""
    info = DeviceInfo(
        identifiers={(DOMAIN, f"{entry.entry_id}_{outlet.subentry_id}")},
        name=outlet.name,
        via_device_id=entry.runtime_data.controller_device_id,
    )
    if outlet.connected:
        info["manufacturer"] = outlet.driver.device.manufacturer
        info["model"] = outlet.driver.model
    return info


class OutletEntity(WritesChangesOnly, CoordinatorEntity[OutletCoordinator]):
    """An entity of one outlet, unique by its subentry."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: OutletCoordinator, outlet: ManagedOutlet, key: str | None = None) -> None:
        """Attach the entity to its outlet's device."""
        super().__init__(coordinator)
        self.outlet = outlet
        suffix = f"_{key}" if key else ""
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{outlet.subentry_id}{suffix}"
        self._attr_device_info = outlet_device_info(coordinator.config_entry, outlet)

    @property
    def available(self) -> bool:
        """An outlet is down while its device keeps failing to answer."""
        return super().available and self.outlet.health.available and self.outlet.state is not None
