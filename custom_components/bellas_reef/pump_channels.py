"""DC pump channels built from their subentries, on the light channels' boards (one writer per board)."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.core import HomeAssistant

from .const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_FEED_SPEED,
    CONF_FREQUENCY,
    CONF_GYRE_SECONDS,
    CONF_LOW,
    CONF_MIN_SPEED,
    CONF_OFF_SECONDS,
    CONF_ON_SECONDS,
    CONF_OUTPUT,
    CONF_PIN,
    CONF_PIN_FACTORY,
    CONF_PUMP,
    CONF_RANDOM_SECONDS,
    CONF_ROLE,
    CONF_SAFETY_SPEED,
    CONF_SECOND_OF_GYRE,
    CONF_SPEED,
    CONF_TIDE_HOURS,
    SUBENTRY_PUMP,
)
from .coordinator.lighting import Board, LightingCoordinator
from .coordinator.outlets import OutletCoordinator
from .coordinator.pumps import PumpChannel, PumpChannels
from .drivers import ExecutorBoard, MissingBus, open_i2c_bus
from .flows.outputs import PwmKind
from .hardware.errors import HardwareError
from .hardware.gpio import GpioPwmOutput
from .hardware.i2c import I2CBus, SMBusI2C
from .hardware.pca9685 import PCA9685Board
from .hardware.simulated import SimulatedI2CBus, simulated_pca9685_board
from .health import DeviceHealth
from .models import ReefConfigEntry
from .pumps import PumpSettings

_LOGGER = logging.getLogger(__name__)


def pump_settings(data: Mapping[str, Any], seed: int) -> PumpSettings:
    """A pump's wave settings from its subentry (speeds are stored in percent)."""
    return PumpSettings(
        speed=data[CONF_SPEED] / 100,
        low=data[CONF_LOW] / 100,
        on_seconds=float(data[CONF_ON_SECONDS]),
        off_seconds=float(data[CONF_OFF_SECONDS]),
        random_seconds=float(data[CONF_RANDOM_SECONDS]),
        gyre_seconds=float(data[CONF_GYRE_SECONDS]),
        second_of_gyre=bool(data[CONF_SECOND_OF_GYRE]),
        tide_hours=float(data[CONF_TIDE_HOURS]),
        min_speed=data[CONF_MIN_SPEED] / 100,
        feed_speed=data[CONF_FEED_SPEED] / 100,
        seed=seed,
    )


async def async_build_pumps(
    hass: HomeAssistant,
    entry: ReefConfigEntry,
    simulated_bus: SimulatedI2CBus,
    lighting: LightingCoordinator,
    outlets: OutletCoordinator,
) -> PumpChannels:
    """The pump channels; a board a light uses is shared (one writer per board), the others are their own."""
    pumps: list[PumpChannel] = []
    made: list[Board] = []
    buses: dict[int, I2CBus] = {}
    for seed, (subentry_id, subentry) in enumerate(entry.subentries.items()):
        if subentry.subentry_type != SUBENTRY_PUMP:
            continue
        data = subentry.data
        key, name, model = _board_name(data)
        if (board := lighting.boards.get(key)) is None:
            board = Board(
                key=key,
                name=name,
                model=model,
                output=await _async_open(hass, entry, simulated_bus, data, buses),
                health=DeviceHealth(name),
            )
            lighting.boards[key] = board
            made.append(board)
        pumps.append(
            PumpChannel(
                subentry_id=subentry_id,
                name=subentry.title,
                role=data[CONF_ROLE],
                board=board,
                output=int(data.get(CONF_OUTPUT, 0)),
                settings=pump_settings(data, seed),
                safety_speed=data[CONF_SAFETY_SPEED] / 100,
            )
        )

    def feed_roles() -> frozenset[str]:
        return outlets.feed_roles if outlets.feed_active() else frozenset()

    async def close_buses() -> None:
        for bus in buses.values():
            if isinstance(bus, SMBusI2C):
                await hass.async_add_executor_job(bus.close)

    # Unload callbacks run last-added first: the buses close after the boards on them.
    entry.async_on_unload(close_buses)
    channels = PumpChannels(hass, entry, pumps, feed_roles, made)
    lighting.tick_hooks.append(channels.tick)
    if pumps:
        # The lighting engine ticks only while something listens to it; a tank with pumps and no lights needs it too.
        entry.async_on_unload(lighting.async_add_listener(_keep_ticking))
    return channels


def _keep_ticking() -> None:
    """The pumps read nothing from the lighting engine's results: they are driven within its tick."""


def _board_name(data: Mapping[str, Any]) -> tuple[str, str, str]:
    """The board's key, name and model, as the light channels' builder names the same board."""
    match data[CONF_PUMP]:
        case PwmKind.PCA9685:
            bus, address = int(data[CONF_BUS]), int(data[CONF_ADDRESS])
            return f"pca9685_{bus}_{address:02x}", f"PCA9685 {address:#04x} on I2C bus {bus}", "PCA9685"
        case PwmKind.GPIO:
            pin = int(data[CONF_PIN])
            return f"gpio_{pin}", f"GPIO {pin}", "Raspberry Pi GPIO PWM"
    address = int(data[CONF_ADDRESS])
    return f"simulated_pca9685_{address:02x}", f"Simulated PCA9685 {address:#04x}", "PCA9685 (simulated)"


async def _async_open(
    hass: HomeAssistant,
    entry: ReefConfigEntry,
    simulated_bus: SimulatedI2CBus,
    data: Mapping[str, Any],
    buses: dict[int, I2CBus],
) -> ExecutorBoard | MissingBus:
    """The board's driver; a bus is opened once for all the pumps' boards on it."""
    match data[CONF_PUMP]:
        case PwmKind.PCA9685:
            number = int(data[CONF_BUS])
            if number not in buses:
                try:
                    buses[number] = await hass.async_add_executor_job(open_i2c_bus, number)
                except Exception as err:  # noqa: BLE001 - whatever opening the bus raises, the bus is missing
                    _LOGGER.warning("%s: I2C bus %s cannot be opened: %s", entry.title, number, err)
                    return MissingBus(err if isinstance(err, HardwareError) else HardwareError(str(err)))
            i2c = buses[number]
            return ExecutorBoard(
                hass, PCA9685Board(i2c, int(data[CONF_ADDRESS]), float(data[CONF_FREQUENCY]))
            )
        case PwmKind.GPIO:
            output = GpioPwmOutput(
                int(data[CONF_PIN]),
                pin_factory=data[CONF_PIN_FACTORY],
                frequency=float(data[CONF_FREQUENCY]),
                owner=entry.entry_id,
            )
            return ExecutorBoard(hass, output)
    return ExecutorBoard(hass, simulated_pca9685_board(bus=simulated_bus, address=int(data[CONF_ADDRESS])))
