"""Sensor platform: one sensor per probe, plus the controller's own diagnostics."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    EntityCategory,
    UnitOfConductivity,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .ato_entities import top_off_entities
from .const import DOMAIN
from .coordinator.outlets import ManagedOutlet, OutletCoordinator
from .coordinator.probes import Probe, ProbeCoordinator
from .dosers import doser_entities
from .entity import OutletEntity, ProbeEntity, WritesChangesOnly, controller_device_info
from .hardware.errors import HardwareError
from .hardware.ezo import CalibrationPoint, calibration_command
from .hardware.tank import ProbeKind
from .models import ReefConfigEntry, ReefRuntimeData
from .outlets import OutletState

# Probes are read by the coordinator, never by the entities.
PARALLEL_UPDATES = 0

PROBE_DESCRIPTIONS: dict[ProbeKind, SensorEntityDescription] = {
    ProbeKind.TEMPERATURE: SensorEntityDescription(
        key=ProbeKind.TEMPERATURE,
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
    ),
    ProbeKind.PH: SensorEntityDescription(
        key=ProbeKind.PH,
        device_class=SensorDeviceClass.PH,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
    ),
    ProbeKind.ORP: SensorEntityDescription(
        key=ProbeKind.ORP,
        translation_key=ProbeKind.ORP,
        device_class=SensorDeviceClass.VOLTAGE,
        native_unit_of_measurement=UnitOfElectricPotential.MILLIVOLT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
    ),
    ProbeKind.SALINITY: SensorEntityDescription(
        key=ProbeKind.SALINITY,
        translation_key=ProbeKind.SALINITY,
        native_unit_of_measurement="ppt",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
    ),
    ProbeKind.CONDUCTIVITY: SensorEntityDescription(
        key=ProbeKind.CONDUCTIVITY,
        device_class=SensorDeviceClass.CONDUCTIVITY,
        native_unit_of_measurement=UnitOfConductivity.MICROSIEMENS_PER_CM,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
    ),
    ProbeKind.DISSOLVED_OXYGEN: SensorEntityDescription(
        key=ProbeKind.DISSOLVED_OXYGEN,
        translation_key=ProbeKind.DISSOLVED_OXYGEN,
        native_unit_of_measurement="mg/L",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
    ),
    # Unitless; three decimals, as hydrometers, refractometers and the EZO-EC (1.000-1.300) give it.
    ProbeKind.SPECIFIC_GRAVITY: SensorEntityDescription(
        key=ProbeKind.SPECIFIC_GRAVITY,
        translation_key=ProbeKind.SPECIFIC_GRAVITY,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=3,
    ),
}


@dataclass(frozen=True, kw_only=True)
class ControllerSensorDescription(SensorEntityDescription):
    """A diagnostic of the controller itself, read from its runtime data on every probe poll."""

    value_fn: Callable[[ReefRuntimeData], StateType | datetime]


CONTROLLER_DESCRIPTIONS: tuple[ControllerSensorDescription, ...] = (
    ControllerSensorDescription(
        key="tick_duration",
        translation_key="tick_duration",
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda runtime: round(runtime.lighting.last_tick_seconds * 1000, 3),
    ),
    ControllerSensorDescription(
        key="driver_errors",
        translation_key="driver_errors",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda runtime: (
            sum(board.health.errors for board in runtime.lighting.boards.values())
            + sum(probe.health.errors for probe in runtime.probes.probes.values())
        ),
    ),
    ControllerSensorDescription(
        key="store_backlog",
        translation_key="store_backlog",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda runtime: runtime.readings.writer.unwritten,
    ),
    ControllerSensorDescription(
        key="last_store_write",
        translation_key="last_store_write",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda runtime: runtime.readings.writer.last_write,
    ),
)


@dataclass(frozen=True, kw_only=True)
class OutletSensorDescription(SensorEntityDescription):
    """A measurement an outlet's device reports."""

    value_fn: Callable[[OutletState], float | None]


OUTLET_DESCRIPTIONS: tuple[OutletSensorDescription, ...] = (
    OutletSensorDescription(
        key="power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda state: state.power_w,
    ),
    OutletSensorDescription(
        key="energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=3,
        value_fn=lambda state: state.energy_kwh,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the controller's diagnostics and a sensor for each probe subentry."""
    runtime = entry.runtime_data
    async_add_entities(
        ControllerSensor(runtime.probes, description) for description in CONTROLLER_DESCRIPTIONS
    )
    for subentry_id, outlet in runtime.outlets.outlets.items():
        if outlet.connected and outlet.driver.has_power_monitoring:
            async_add_entities(
                [OutletSensor(runtime.outlets, outlet, description) for description in OUTLET_DESCRIPTIONS],
                config_subentry_id=subentry_id,
            )
    for subentry_id, probe in runtime.probes.probes.items():
        async_add_entities(
            [ProbeSensor(runtime.probes, probe, reading) for reading in probe.readings],
            config_subentry_id=subentry_id,
        )
    async_add_entities(top_off_entities(entry, "sensor"))
    for subentry_id, entities in doser_entities(entry, "sensor").items():
        async_add_entities(entities, config_subentry_id=subentry_id)


class ProbeSensor(ProbeEntity, SensorEntity):
    """One of a probe's readings: its own (named by the probe's device), or an extra named for what it measures."""

    def __init__(self, coordinator: ProbeCoordinator, probe: Probe, reading: str) -> None:
        """Describe the sensor by what the reading measures."""
        super().__init__(coordinator, probe)
        self.reading = reading
        kind = probe.readings[reading]
        self.entity_description = PROBE_DESCRIPTIONS[kind]
        if reading == probe.subentry_id:
            self._attr_name = None
        else:
            self._attr_unique_id = f"{self._attr_unique_id}_{kind}"

    @property
    def native_value(self) -> float | None:
        """The last value the probe gave, or None when it failed to answer."""
        return self.coordinator.data.get(self.reading)

    async def async_calibrate(self, point: str, value: float | None = None) -> None:
        """Run one calibration step on an Atlas Scientific EZO circuit, waiting out its processing time."""
        ezo = self.probe.ezo
        if ezo is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_calibratable",
                translation_placeholders={"entity_id": self.entity_id},
            )
        try:
            command = calibration_command(ezo.circuit, CalibrationPoint(point), value)
        except ValueError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_calibration",
                translation_placeholders={
                    "point": point,
                    "circuit": ezo.spec.device_type,
                    "points": ", ".join(sorted(ezo.spec.calibrations)),
                },
            ) from err
        try:
            delay = await self.hass.async_add_executor_job(ezo.send, command)
            await asyncio.sleep(delay)
            await self.hass.async_add_executor_job(ezo.fetch)
        except HardwareError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="calibration_failed",
                translation_placeholders={"entity_id": self.entity_id, "error": str(err)},
            ) from err
        await self.coordinator.async_request_refresh()


class OutletSensor(OutletEntity, SensorEntity):
    """Power or energy of an outlet that meters it."""

    entity_description: OutletSensorDescription

    def __init__(
        self, coordinator: OutletCoordinator, outlet: ManagedOutlet, description: OutletSensorDescription
    ) -> None:
        """One per measurement."""
        super().__init__(coordinator, outlet, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> float | None:
        """The last reported value."""
        state = self.outlet.state
        return None if state is None else self.entity_description.value_fn(state)


class ControllerSensor(WritesChangesOnly, CoordinatorEntity[ProbeCoordinator], SensorEntity):
    """A diagnostic sensor of the controller, refreshed with the probe poll."""

    _attr_has_entity_name = True
    entity_description: ControllerSensorDescription

    def __init__(self, coordinator: ProbeCoordinator, description: ControllerSensorDescription) -> None:
        """Attach the sensor to the controller's device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = controller_device_info(entry)

    @property
    def native_value(self) -> StateType | datetime:
        """Read the diagnostic from the controller's runtime data."""
        return self.entity_description.value_fn(self.coordinator.config_entry.runtime_data)
