"""Dosing pumps: built from their subentries, their entities, and the dose and calibration services."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
import logging
from typing import Any, Final

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.button import ButtonEntity
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, UnitOfVolume
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity
import probatio as vol

from .const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_DUTY,
    CONF_ENTITY_ID,
    CONF_FREQUENCY,
    CONF_OUTPUT,
    CONF_PIN,
    CONF_PIN_FACTORY,
    CONF_PUMP,
    CONF_RATE,
    DOMAIN,
    SUBENTRY_DOSER,
)
from .coordinator.dosing import (
    CONF_OUTLET,
    CoordinatedPump,
    Doser,
    DoserPump,
    DosingCoordinator,
    Pump,
    PwmPump,
    SwitchPump,
    doser_from_data,
)
from .coordinator.outlets import OutletCoordinator
from .dosing import rate_from_calibration
from .drivers import ExecutorBoard, MissingBus, open_i2c_bus
from .hardware.errors import HardwareError
from .hardware.gpio import GpioPwmOutput
from .hardware.i2c import SMBusI2C
from .hardware.pca9685 import PCA9685Board
from .hardware.simulated import SimulatedI2CBus, simulated_pca9685_board
from .models import ReefConfigEntry
from .readings import METRIC_DOSE, ReadingsRecorder, Source

_LOGGER = logging.getLogger(__name__)

# The readings table's metric of a dose, in millilitres.
SERVICE_DOSE: Final = "dose"
SERVICE_CALIBRATE_DOSER: Final = "calibrate_doser"
ATTR_VOLUME: Final = "volume"
ATTR_SECONDS: Final = "seconds"
ATTR_MEASURED: Final = "measured"

DOSE_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_ENTITY_ID): cv.entity_id,
        vol.Required(ATTR_VOLUME): vol.All(vol.Coerce(float), vol.Range(min=0.1, max=1000)),
    }
)
CALIBRATE_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_ENTITY_ID): cv.entity_id,
        vol.Required(ATTR_SECONDS): vol.All(vol.Coerce(float), vol.Range(min=1, max=600)),
        vol.Optional(ATTR_MEASURED): vol.All(vol.Coerce(float), vol.Range(min=0.01, max=10000)),
    }
)


async def async_build_dosers(
    hass: HomeAssistant,
    entry: ReefConfigEntry,
    bus: SimulatedI2CBus,
    outlets: OutletCoordinator,
    readings: ReadingsRecorder,
) -> DosingCoordinator:
    """The controller's dosers, each with the pump its subentry names; a missing bus fails only its doser's doses."""
    dosers: list[Doser] = []
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type == SUBENTRY_DOSER:
            pump = await _async_pump(hass, entry, bus, outlets, subentry.data)
            dosers.append(doser_from_data(subentry_id, subentry.title, subentry.data, pump))

    @callback
    def record(subentry_id: str, volume_ml: float) -> None:
        readings.add(Source(subentry_id, METRIC_DOSE), volume_ml)

    return DosingCoordinator(hass, entry, dosers, record, outlets.feed_active)


async def _async_pump(
    hass: HomeAssistant,
    entry: ReefConfigEntry,
    simulated_bus: SimulatedI2CBus,
    outlets: OutletCoordinator,
    data: Mapping[str, Any],
) -> Pump:
    match data[CONF_PUMP]:
        case DoserPump.OUTLET:
            return CoordinatedPump(outlets.async_command, data[CONF_OUTLET])
        case DoserPump.HA_SWITCH:
            return SwitchPump(hass, data[CONF_ENTITY_ID])
        case DoserPump.GPIO:
            output = GpioPwmOutput(
                int(data[CONF_PIN]),
                pin_factory=data[CONF_PIN_FACTORY],
                frequency=float(data[CONF_FREQUENCY]),
                owner=entry.entry_id,
            )
            return PwmPump(ExecutorBoard(hass, output), 0, float(data[CONF_DUTY]) / 100)
        case DoserPump.PCA9685:
            number = int(data[CONF_BUS])
            try:
                i2c = await hass.async_add_executor_job(open_i2c_bus, number)
            except Exception as err:  # noqa: BLE001 - whatever opening the bus raises, the bus is missing
                _LOGGER.warning("%s: I2C bus %s cannot be opened: %s", entry.title, number, err)
                missing = err if isinstance(err, HardwareError) else HardwareError(str(err))
                return PwmPump(MissingBus(missing), int(data[CONF_OUTPUT]), float(data[CONF_DUTY]) / 100)
            chip = PCA9685Board(i2c, int(data[CONF_ADDRESS]), float(data[CONF_FREQUENCY]))
            bus_close = i2c.close if isinstance(i2c, SMBusI2C) else None
            return PwmPump(
                ExecutorBoard(hass, chip),
                int(data[CONF_OUTPUT]),
                float(data[CONF_DUTY]) / 100,
                None if bus_close is None else partial(hass.async_add_executor_job, bus_close),
            )
    chip = simulated_pca9685_board(bus=simulated_bus, address=int(data[CONF_ADDRESS]))
    return PwmPump(ExecutorBoard(hass, chip), int(data[CONF_OUTPUT]), float(data[CONF_DUTY]) / 100)


def _doser_device(entry: ReefConfigEntry, doser: Doser) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, f"{entry.entry_id}_{doser.subentry_id}")},
        name=doser.name,
        model="Dosing pump",
        via_device_id=entry.runtime_data.controller_device_id,
    )


class DoserEntity(CoordinatorEntity[DosingCoordinator]):
    """An entity of one doser, unique by its subentry."""

    _attr_has_entity_name = True

    def __init__(self, entry: ReefConfigEntry, doser: Doser, key: str) -> None:
        """Attach the entity to its doser's device."""
        super().__init__(entry.runtime_data.dosing)
        self.doser = doser
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.entry_id}_{doser.subentry_id}_{key}"
        self._attr_device_info = _doser_device(entry, doser)


class RemainingSensor(DoserEntity, SensorEntity):
    """What is left in the doser's container."""

    _attr_device_class = SensorDeviceClass.VOLUME_STORAGE
    _attr_native_unit_of_measurement = UnitOfVolume.MILLILITERS
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_suggested_display_precision = 1

    @property
    def native_value(self) -> float:
        """Millilitres left."""
        return round(self.doser.container.remaining_ml, 3)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Today's doses against the cap, the rate and whether the pump runs."""
        coordinator = self.coordinator
        today = coordinator.today()
        return {
            "dosed_today": round(self.doser.cap.delivered_on(today), 3),
            "daily_cap": self.doser.cap.cap_ml,
            "rate": self.doser.rate,
            "running": self.doser.running_until is not None,
        }


class ContainerLowSensor(DoserEntity, BinarySensorEntity):
    """A problem when the container should be refilled."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    @property
    def is_on(self) -> bool:
        """Whether it is at or below its low level."""
        return self.doser.container.low


class RefillButton(DoserEntity, ButtonEntity):
    """The keeper filled the container up."""

    async def async_press(self) -> None:
        """Count it full again."""
        self.coordinator.async_refill(self.doser.subentry_id)


def doser_entities(entry: ReefConfigEntry, platform: str) -> dict[str, list[Entity]]:
    """Each doser's entities of one platform, by subentry (entities of a subentry are added with it)."""
    kinds: dict[str, tuple[type[DoserEntity], str]] = {
        "sensor": (RemainingSensor, "doser_remaining"),
        "binary_sensor": (ContainerLowSensor, "doser_container_low"),
        "button": (RefillButton, "doser_refill"),
    }
    kind, key = kinds[platform]
    return {sid: [kind(entry, doser, key)] for sid, doser in entry.runtime_data.dosing.dosers.items()}


def _resolve(hass: HomeAssistant, entity_id: str) -> tuple[DosingCoordinator, Doser]:
    entity = er.async_get(hass).async_get(entity_id)
    entry = None if entity is None else hass.config_entries.async_get_entry(entity.config_entry_id or "")
    if (
        entity is None
        or entity.platform != DOMAIN
        or entry is None
        or entry.state is not ConfigEntryState.LOADED
        or (doser := entry.runtime_data.dosing.dosers.get(entity.config_subentry_id or "")) is None
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_doser",
            translation_placeholders={"entity_id": entity_id},
        )
    return entry.runtime_data.dosing, doser


async def _async_dose(call: ServiceCall) -> dict[str, Any]:
    dosing, doser = _resolve(call.hass, call.data[ATTR_ENTITY_ID])
    given = await dosing.async_dose(doser.subentry_id, call.data[ATTR_VOLUME])
    return {"dosed": round(given, 3)}


async def _async_calibrate(call: ServiceCall) -> dict[str, Any]:
    """Without `measured`: run the pump for `seconds`. With it: store the rate that run showed."""
    dosing, doser = _resolve(call.hass, call.data[ATTR_ENTITY_ID])
    seconds = call.data[ATTR_SECONDS]
    if (measured := call.data.get(ATTR_MEASURED)) is None:
        await dosing.async_run_for(doser.subentry_id, seconds)
        return {"running": seconds}
    rate = rate_from_calibration(seconds, measured)
    entry = dosing.config_entry
    subentry = entry.subentries[doser.subentry_id]
    call.hass.config_entries.async_update_subentry(entry, subentry, data={**subentry.data, CONF_RATE: rate})
    return {"rate": rate}


def async_setup_dosing_services(hass: HomeAssistant) -> None:
    """Register `dose` and `calibrate_doser`."""
    hass.services.async_register(
        DOMAIN, SERVICE_DOSE, _async_dose, schema=DOSE_SCHEMA, supports_response=SupportsResponse.OPTIONAL
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALIBRATE_DOSER,
        _async_calibrate,
        schema=CALIBRATE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
