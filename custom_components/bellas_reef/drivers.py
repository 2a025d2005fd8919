"""Turns a controller's subentries into open boards, channels and probes, whatever drives them.

Blocking drivers (I2C, GPIO, 1-wire) run in the executor behind `ExecutorBoard` and async probe readers; adopted
HA entities are driven through HA's own services and state machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
import logging
from pathlib import Path
from typing import Any, Final

from homeassistant.core import HomeAssistant

from .adopted import AdoptedLight, sensor_reader
from .const import (
    CONF_ADDRESS,
    CONF_BUS,
    CONF_CURVE,
    CONF_DEVICE_ID,
    CONF_DRIVER,
    CONF_ENTITY_ID,
    CONF_FREQUENCY,
    CONF_MAX_OUTPUT,
    CONF_MIN_OUTPUT,
    CONF_OUTPUT,
    CONF_OVERRIDE_MINUTES,
    CONF_PIN,
    CONF_PIN_FACTORY,
    CONF_ROLE,
    CONF_TEMPERATURE_PROBE,
    SUBENTRY_CHANNEL,
    SUBENTRY_PROBE,
    ChannelDriver,
    ChannelRole,
    ProbeDriver,
    probe_extras,
    probe_kind,
)
from .coordinator.lighting import Board, Channel
from .coordinator.probes import Probe, ProbeReading
from .hardware.errors import HardwareError
from .hardware.ezo import SPECS as EZO_SPECS, EzoCircuit, EzoProbe, ReadingPendingError, output_commands
from .hardware.gpio import AUTO_PIN_FACTORY, GpioPwmOutput, release_parked
from .hardware.i2c import I2CBus, SMBusI2C
from .hardware.pca9685 import PCA9685Board
from .hardware.probes import DS18B20, W1_DEVICES
from .hardware.pwm import PwmBoard
from .hardware.simulated import SimulatedEzo, SimulatedI2CBus, simulated_pca9685_board
from .hardware.sysfs_pwm import PWM_ROOT as SYSFS_PWM_ROOT, SysfsPwmOutput, hardware_pwm_channel
from .hardware.tank import ProbeKind, TankModel
from .health import DeviceHealth
from .lighting import ChannelPlan
from .lighting.curves import DimmingCurve, OutputMapping
from .models import ReefConfigEntry

_LOGGER = logging.getLogger(__name__)

# Where the kernel lists 1-wire sensors; a module constant so tests can point it at a fake tree.
W1_ROOT: Path = W1_DEVICES
# Where the kernel lists PWM chips; a module constant so tests can point it at a fake tree.
PWM_ROOT: Path = SYSFS_PWM_ROOT
# Readings of an EZO circuit that is still busy are fetched again after this long.
EZO_PENDING_RETRY_SECONDS: Final = 0.3


def open_i2c_bus(bus_number: int) -> I2CBus:
    """Open /dev/i2c-N; blocking. Tests replace this with a simulated bus: it is the outermost edge."""
    return SMBusI2C(bus_number)


@contextmanager
def i2c_bus(bus_number: int) -> Iterator[I2CBus]:
    """A bus opened for a few blocking transactions (the config flow's scans and checks), then closed."""
    bus = open_i2c_bus(bus_number)
    try:
        yield bus
    finally:
        if isinstance(bus, SMBusI2C):
            bus.close()


class ExecutorBoard:
    """A blocking `PwmBoard` whose calls run in HA's executor, one at a time.

    A call stuck in the driver (a wedged I2C bus) cannot be cancelled in its thread; the board then refuses
    further calls until it returns, so a hung chip holds one executor thread, never all of them.
    """

    def __init__(self, hass: HomeAssistant, board: PwmBoard) -> None:
        """Wrap `board`."""
        self.hass = hass
        self.board = board
        self._running: asyncio.Future[Any] | None = None

    @property
    def max_duty(self) -> int:
        """The board's resolution."""
        return self.board.max_duty

    async def _async_run[T](self, call: Callable[..., T], *args: Any) -> T:
        if self._running is not None and not self._running.done():
            raise HardwareError(f"{self.board!r} is still busy with an earlier call")
        running = self._running = self.hass.async_add_executor_job(call, *args)
        # Shielded: a caller that stops waiting (a timeout) leaves the call to finish in its thread.
        result: T = await asyncio.shield(running)
        return result

    async def async_write(self, duties: dict[int, int]) -> bool:
        """Write in the executor."""
        await self._async_run(self.board.write, duties)
        return True

    async def async_read(self) -> dict[int, int]:
        """Read back in the executor."""
        return await self._async_run(self.board.read)

    async def async_close(self) -> None:
        """Close in the executor."""
        await self._async_run(self.board.close)


class MissingBus:
    """A board whose I2C bus could not be opened: every call fails until the controller is set up again."""

    max_duty = 4096

    def __init__(self, error: HardwareError) -> None:
        """Remember why."""
        self.error = error

    async def async_write(self, duties: dict[int, int]) -> bool:
        """Fail."""
        raise self.error

    async def async_read(self) -> dict[int, int]:
        """Fail."""
        raise self.error

    async def async_close(self) -> None:
        """Nothing to release."""


@dataclass(slots=True)
class Hardware:
    """Everything a controller opened, to be closed when it unloads."""

    boards: list[Board] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    buses: dict[int, I2CBus | HardwareError] = field(default_factory=dict)
    # Subentries that could not be built, by id: (title, why). The rest of the controller runs without them.
    broken: dict[str, tuple[str, str]] = field(default_factory=dict)


class HardwareBuilder:
    """Builds one controller's boards, channels and probes from its subentries."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ReefConfigEntry,
        simulated_bus: SimulatedI2CBus,
        tank: TankModel,
        on_manual_change: Callable[[str, float], Coroutine[Any, Any, None]],
    ) -> None:
        """Remember what the drivers need."""
        self.hass = hass
        self.entry = entry
        self.simulated_bus = simulated_bus
        self.tank = tank
        self.on_manual_change = on_manual_change
        self.hardware = Hardware()
        self._boards: dict[str, Board] = {}

    async def async_build(self) -> Hardware:
        """Open every channel's board and describe every probe; nothing raises for a missing device.

        A subentry that cannot be built (a value no flow should have let through, a driver that fails to load) is
        left out and listed in `broken`; the others run.
        """
        for subentry_id, subentry in self.entry.subentries.items():
            if subentry.subentry_type == SUBENTRY_CHANNEL:
                boards = set(self._boards)
                try:
                    await self._async_add_channel(subentry_id, subentry.title, subentry.data)
                except Exception as err:  # noqa: BLE001 - one bad channel must not take the tank down
                    self._broken(subentry_id, subentry.title, err)
                    for key in set(self._boards) - boards:
                        await self._async_discard_board(self._boards.pop(key))
        for subentry_id, subentry in self.entry.subentries.items():
            if subentry.subentry_type == SUBENTRY_PROBE:
                try:
                    await self._async_add_probe(subentry_id, subentry.title, subentry.data)
                except Exception as err:  # noqa: BLE001 - one bad probe must not take the tank down
                    self._broken(subentry_id, subentry.title, err)
        # A channel's place across the tank (0..1), by board and output, so passing clouds travel across them.
        ordered = sorted(self.hardware.channels, key=lambda channel: (channel.board.key, channel.output))
        for index, channel in enumerate(ordered):
            position = index / (len(ordered) - 1) if len(ordered) > 1 else 0.0
            channel.plan = ChannelPlan(position=position, name=channel.name)
        self.hardware.boards = list(self._boards.values())
        return self.hardware

    def _broken(self, subentry_id: str, title: str, err: Exception) -> None:
        _LOGGER.error("%s: %s cannot be set up and is left out: %s", self.entry.title, title, err)
        self.hardware.broken[subentry_id] = (title, str(err) or type(err).__name__)

    async def _async_discard_board(self, board: Board) -> None:
        try:
            await board.output.async_close()
        except Exception as err:  # noqa: BLE001 - closing a board no channel uses is best effort
            _LOGGER.debug("Closing %s: %s", board.name, err)

    async def _async_bus(self, number: int) -> I2CBus | HardwareError:
        if number not in self.hardware.buses:
            try:
                self.hardware.buses[number] = await self.hass.async_add_executor_job(open_i2c_bus, number)
            except Exception as err:  # noqa: BLE001 - whatever opening the bus raises, the bus is missing
                if not isinstance(err, HardwareError):
                    err = HardwareError(f"I2C bus {number} cannot be opened: {err}")
                _LOGGER.warning("%s", err)
                self.hardware.buses[number] = err
        return self.hardware.buses[number]

    async def _async_board(
        self, key: str, name: str, model: str, make: Callable[[], Awaitable[Any]]
    ) -> Board:
        if (board := self._boards.get(key)) is None:
            board = self._boards[key] = Board(
                key=key, name=name, model=model, output=await make(), health=DeviceHealth(name)
            )
        return board

    async def _async_add_channel(self, subentry_id: str, title: str, data: Mapping[str, Any]) -> None:
        driver = data[CONF_DRIVER]
        output = int(data.get(CONF_OUTPUT, 0))
        if driver == ChannelDriver.SIMULATED:
            address = int(data[CONF_ADDRESS])

            async def simulated() -> ExecutorBoard:
                return ExecutorBoard(
                    self.hass, simulated_pca9685_board(bus=self.simulated_bus, address=address)
                )

            board = await self._async_board(
                f"simulated_pca9685_{address:02x}",
                f"Simulated PCA9685 {address:#04x}",
                "PCA9685 (simulated)",
                simulated,
            )
        elif driver == ChannelDriver.PCA9685:
            bus_number, address = int(data[CONF_BUS]), int(data[CONF_ADDRESS])
            bus = await self._async_bus(bus_number)
            frequency = float(data[CONF_FREQUENCY])

            async def pca9685() -> ExecutorBoard | MissingBus:
                if isinstance(bus, HardwareError):
                    return MissingBus(bus)
                return ExecutorBoard(self.hass, PCA9685Board(bus, address, frequency))

            board = await self._async_board(
                f"pca9685_{bus_number}_{address:02x}",
                f"PCA9685 {address:#04x} on I2C bus {bus_number}",
                "PCA9685",
                pca9685,
            )
        elif driver == ChannelDriver.GPIO:
            pin, frequency = int(data[CONF_PIN]), float(data[CONF_FREQUENCY])
            # GPIO 12/13/18/19 use the kernel's hardware PWM when it is enabled: no flicker at moonlight levels.
            hardware = (
                await self.hass.async_add_executor_job(hardware_pwm_channel, pin, PWM_ROOT)
                if data[CONF_PIN_FACTORY] == AUTO_PIN_FACTORY
                else None
            )

            async def gpio() -> ExecutorBoard:
                output: PwmBoard
                if hardware is not None:
                    output = SysfsPwmOutput(pin, *hardware, frequency)
                else:
                    output = GpioPwmOutput(
                        pin,
                        pin_factory=data[CONF_PIN_FACTORY],
                        frequency=frequency,
                        owner=self.entry.entry_id,
                    )
                return ExecutorBoard(self.hass, output)

            board = await self._async_board(
                f"gpio_{pin}",
                f"GPIO {pin}",
                "Raspberry Pi hardware PWM" if hardware is not None else "Raspberry Pi GPIO PWM",
                gpio,
            )
        else:
            entity_id = data[CONF_ENTITY_ID]

            async def adopted() -> AdoptedLight:
                return AdoptedLight(
                    self.hass, self.entry, entity_id, partial(self.on_manual_change, subentry_id)
                )

            board = await self._async_board(
                f"ha_light_{entity_id}", entity_id, "Home Assistant light", adopted
            )
        self.hardware.channels.append(
            Channel(
                subentry_id=subentry_id,
                name=title,
                role=ChannelRole(data[CONF_ROLE]),
                board=board,
                output=output,
                mapping=OutputMapping(
                    max_duty=board.output.max_duty,
                    curve=DimmingCurve(data[CONF_CURVE]),
                    min_output=data[CONF_MIN_OUTPUT] / 100,
                    max_output=data[CONF_MAX_OUTPUT] / 100,
                ),
                override_minutes=int(data[CONF_OVERRIDE_MINUTES]),
            )
        )

    async def _async_add_probe(self, subentry_id: str, title: str, data: Mapping[str, Any]) -> None:
        driver = data[CONF_DRIVER]
        kind = probe_kind(data)
        read: Callable[[], Awaitable[ProbeReading]]
        model: str
        ezo: EzoProbe | None = None
        if driver == ProbeDriver.SIMULATED and kind == ProbeKind.CONDUCTIVITY:
            chip = SimulatedEzo(EzoCircuit.EC, self.tank.conductivity_us_cm())
            ezo, model = self._simulated_ezo(chip), "Atlas Scientific EZO-EC (simulated)"
            read = partial(self._async_read_simulated_ec, ezo, chip)
        elif driver == ProbeDriver.SIMULATED:
            read, model = self._simulated_reader(kind), f"Simulated {kind.replace('_', ' ')} probe"
        elif driver == ProbeDriver.DS18B20:
            sensor = DS18B20(data[CONF_DEVICE_ID], W1_ROOT)
            read, model = partial(self.hass.async_add_executor_job, sensor.read), "DS18B20"
        elif driver == ProbeDriver.HA_SENSOR:
            read, model = sensor_reader(self.hass, data[CONF_ENTITY_ID], kind), "Home Assistant sensor"
        else:
            bus = await self._async_bus(int(data[CONF_BUS]))
            circuit = EzoCircuit(driver)
            if isinstance(bus, HardwareError):
                error = bus

                async def missing() -> float:
                    raise error

                read = missing
            else:
                ezo = EzoProbe(bus, circuit, int(data[CONF_ADDRESS]))
                read = partial(
                    self._async_read_ezo, ezo, partial(self._probe_value, data.get(CONF_TEMPERATURE_PROBE))
                )
            model = f"Atlas Scientific EZO-{circuit.removeprefix('ezo_').upper()}"
        self.hardware.probes.append(
            Probe(
                subentry_id=subentry_id,
                name=title,
                kind=kind,
                read=read,
                health=DeviceHealth(title),
                model=model,
                ezo=ezo,
                extra=probe_extras(data),
            )
        )

    def _simulated_reader(self, kind: ProbeKind) -> Callable[[], Awaitable[float]]:
        async def read() -> float:
            return self.tank.value(kind)

        return read

    @staticmethod
    def _simulated_ezo(chip: SimulatedEzo) -> EzoProbe:
        """The real EZO driver on a simulated circuit, alone on a bus of its own (the boards' addresses overlap)."""
        bus = SimulatedI2CBus()
        address = EZO_SPECS[chip.circuit].default_address
        bus.attach(address, chip)
        return EzoProbe(bus, chip.circuit, address)

    async def _async_read_simulated_ec(self, ezo: EzoProbe, chip: SimulatedEzo) -> ProbeReading:
        """The simulated circuit senses the simulated water, compensated at its temperature."""
        chip.value = self.tank.value(ProbeKind.CONDUCTIVITY)
        return await self._async_read_ezo(ezo, partial(self.tank.value, ProbeKind.TEMPERATURE))

    def _probe_value(self, subentry_id: str | None) -> float | None:
        """The latest reading of one of this controller's probes, this poll's if it came already."""
        return self.entry.runtime_data.probes.latest.get(subentry_id) if subentry_id else None

    async def _async_read_ezo(self, ezo: EzoProbe, temperature: Callable[[], float | None]) -> ProbeReading:
        """Ask, wait the datasheet's delay on the event loop (not in a thread), fetch.

        A conductivity circuit has its outputs set first, once, and again whenever a reading has the wrong shape.
        """
        if not ezo.outputs_set:
            for command in output_commands():
                await asyncio.sleep(await self.hass.async_add_executor_job(ezo.send, command))
                await self.hass.async_add_executor_job(ezo.fetch)
            ezo.outputs_set = True
        compensation = temperature() if ezo.spec.temperature_compensation else None
        delay = await self.hass.async_add_executor_job(ezo.start_reading, compensation)
        await asyncio.sleep(delay)
        fetch = ezo.fetch_ec_reading if ezo.circuit is EzoCircuit.EC else ezo.fetch_reading
        try:
            return await self.hass.async_add_executor_job(fetch)
        except ReadingPendingError:
            await asyncio.sleep(EZO_PENDING_RETRY_SECONDS)
            return await self.hass.async_add_executor_job(fetch)


async def async_release_gpio(hass: HomeAssistant, owner: str) -> None:
    """Let go of the GPIO pins a controller parked and did not take back."""
    try:
        await hass.async_add_executor_job(release_parked, owner)
    except HardwareError as err:
        _LOGGER.warning("%s", err)


async def async_close_hardware(hass: HomeAssistant, hardware: Hardware) -> None:
    """Release boards and buses; outputs keep their level."""
    for board in hardware.boards:
        await board.output.async_close()
    for bus in hardware.buses.values():
        if isinstance(bus, SMBusI2C):
            await hass.async_add_executor_job(bus.close)
