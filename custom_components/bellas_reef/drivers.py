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

from homeassistant.const import ATTR_ENTITY_ID, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_state_change_event

from .const import (
    CONF_ADDRESS,
    CONF_BOOT_DELAY,
    CONF_BUS,
    CONF_CHANNEL,
    CONF_CONNECTION,
    CONF_CURVE,
    CONF_DEVICE_ID,
    CONF_DRIVER,
    CONF_ENTITY_ID,
    CONF_FREQUENCY,
    CONF_HOST,
    CONF_KIND,
    CONF_MAC,
    CONF_MAX_OUTPUT,
    CONF_MIN_OUTPUT,
    CONF_OUTPUT,
    CONF_OVERRIDE_MINUTES,
    CONF_PASSWORD,
    CONF_PIN,
    CONF_PIN_FACTORY,
    CONF_PORT,
    CONF_ROLE,
    CONF_SOCKET,
    CONF_TEMPERATURE_PROBE,
    CONF_USERNAME,
    CONF_VESYNC,
    CONF_WATTS,
    OUTLET_CLOUD_POLL_EVERY,
    SUBENTRY_CHANNEL,
    SUBENTRY_OUTLET,
    SUBENTRY_PROBE,
    ChannelDriver,
    ChannelRole,
    OutletDriver,
    ProbeDriver,
)
from .coordinator import Board, Channel, DeviceHealth, ManagedOutlet, Probe, ReefConfigEntry
from .hardware.errors import DeviceMissingError, HardwareError, ProbeReadError
from .hardware.ezo import EzoCircuit, EzoProbe, ReadingPendingError
from .hardware.gpio import GpioPwmOutput
from .hardware.i2c import I2CBus, SMBusI2C
from .hardware.pca9685 import PCA9685Board
from .hardware.probes import DS18B20, W1_DEVICES
from .hardware.pwm import PwmBoard
from .hardware.simulated import SimulatedI2CBus, simulated_pca9685_board
from .hardware.tank import ProbeKind, TankModel
from .lighting import ChannelPlan
from .lighting.curves import DimmingCurve, OutputMapping
from .outlets import (
    Outlet,
    OutletConnectionError,
    OutletDevice,
    OutletNotConfirmedError,
    OutletRole,
    OutletState,
    SimulatedOutlet,
)
from .outlets.base import DeviceKey, device_key
from .outlets.kasa import KasaDevice
from .outlets.shelly import ShellyDevice
from .outlets.vesync import VeSyncAccount

_LOGGER = logging.getLogger(__name__)

# Where the kernel lists 1-wire sensors; a module constant so tests can point it at a fake tree.
W1_ROOT: Path = W1_DEVICES
# An adopted HA light is sent at most one change per this many seconds: it is a network device, not a PWM chip.
ADOPTED_LIGHT_MIN_INTERVAL: Final = 1.0
# Readings of an EZO circuit that is still busy are fetched again after this long.
EZO_PENDING_RETRY_SECONDS: Final = 0.3

PROBE_KINDS: Final[Mapping[str, ProbeKind]] = {
    ProbeDriver.DS18B20: ProbeKind.TEMPERATURE,
    ProbeDriver.EZO_PH: ProbeKind.PH,
    ProbeDriver.EZO_ORP: ProbeKind.ORP,
    ProbeDriver.EZO_EC: ProbeKind.CONDUCTIVITY,
    ProbeDriver.EZO_DO: ProbeKind.DISSOLVED_OXYGEN,
}


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


def probe_kind(data: Mapping[str, Any]) -> ProbeKind:
    """What a probe subentry measures: fixed by its driver, or chosen for simulated and adopted sensors."""
    if (kind := PROBE_KINDS.get(data[CONF_DRIVER])) is not None:
        return kind
    return ProbeKind(data[CONF_KIND])


class ExecutorBoard:
    """A blocking `PwmBoard` whose calls run in HA's executor."""

    def __init__(self, hass: HomeAssistant, board: PwmBoard) -> None:
        """Wrap `board`."""
        self.hass = hass
        self.board = board

    @property
    def max_duty(self) -> int:
        """The board's resolution."""
        return self.board.max_duty

    async def async_write(self, duties: dict[int, int]) -> bool:
        """Write in the executor."""
        await self.hass.async_add_executor_job(self.board.write, duties)
        return True

    async def async_read(self) -> dict[int, int]:
        """Read back in the executor."""
        return await self.hass.async_add_executor_job(self.board.read)

    async def async_close(self) -> None:
        """Close in the executor."""
        await self.hass.async_add_executor_job(self.board.close)


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


class AdoptedLight:
    """An existing HA light (e.g. ESPHome) driven as a one-output board with HA's 0–255 brightness.

    A state the light reports that differs from what was last sent, not caused by our own call, is a manual
    change (someone used the device's own app): `on_manual_change` receives its level (0..1).
    """

    max_duty = 255

    def __init__(
        self,
        hass: HomeAssistant,
        entity_id: str,
        on_manual_change: Callable[[float], Coroutine[Any, Any, None]],
    ) -> None:
        """Follow the light's state from now on."""
        self.hass = hass
        self.entity_id = entity_id
        self._on_manual_change = on_manual_change
        self._sent: int | None = None
        self._sent_at = 0.0
        self._contexts: set[str] = set()
        self._unsub = async_track_state_change_event(hass, [entity_id], self._async_state_changed)

    def _brightness(self) -> int:
        state = self.hass.states.get(self.entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            raise DeviceMissingError(f"{self.entity_id} is unavailable")
        if state.state != STATE_ON:
            return 0
        return int(state.attributes.get("brightness") or 255)

    async def async_write(self, duties: dict[int, int]) -> bool:
        """Turn the light on at a brightness, or off; at most once per second."""
        duty = duties[0]
        self._brightness()
        now = asyncio.get_running_loop().time()
        if self._sent is not None and now - self._sent_at < ADOPTED_LIGHT_MIN_INTERVAL:
            return False
        context = Context()
        self._contexts = {context.id}
        self._sent, self._sent_at = duty, now
        service, data = ("turn_off", {}) if duty == 0 else ("turn_on", {"brightness": duty})
        try:
            await self.hass.services.async_call(
                "light", service, {ATTR_ENTITY_ID: self.entity_id, **data}, blocking=True, context=context
            )
        except HomeAssistantError as err:
            raise HardwareError(f"{self.entity_id} refused the change: {err}") from err
        return True

    async def async_read(self) -> dict[int, int]:
        """The light's brightness now."""
        return {0: self._brightness()}

    async def async_close(self) -> None:
        """Stop following the light."""
        self._unsub()

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or self._sent is None or new.context.id in self._contexts:
            return
        if new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return
        brightness = int(new.attributes.get("brightness") or 255) if new.state == STATE_ON else 0
        if brightness != self._sent:
            self._sent = brightness
            self.hass.async_create_task(self._on_manual_change(brightness / 255), eager_start=True)


@dataclass(slots=True)
class Hardware:
    """Everything a controller opened, to be closed when it unloads."""

    boards: list[Board] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    buses: dict[int, I2CBus | HardwareError] = field(default_factory=dict)


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
        """Open every channel's board and describe every probe; nothing raises for a missing device."""
        for subentry_id, subentry in self.entry.subentries.items():
            if subentry.subentry_type == SUBENTRY_CHANNEL:
                await self._async_add_channel(subentry_id, subentry.title, subentry.data)
        for subentry_id, subentry in self.entry.subentries.items():
            if subentry.subentry_type == SUBENTRY_PROBE:
                await self._async_add_probe(subentry_id, subentry.title, subentry.data)
        # A channel's place across the tank (0..1), by board and output, so passing clouds travel across them.
        ordered = sorted(self.hardware.channels, key=lambda channel: (channel.board.key, channel.output))
        for index, channel in enumerate(ordered):
            position = index / (len(ordered) - 1) if len(ordered) > 1 else 0.0
            channel.plan = ChannelPlan(position=position, name=channel.name)
        self.hardware.boards = list(self._boards.values())
        return self.hardware

    async def _async_bus(self, number: int) -> I2CBus | HardwareError:
        if number not in self.hardware.buses:
            try:
                self.hardware.buses[number] = await self.hass.async_add_executor_job(open_i2c_bus, number)
            except HardwareError as err:
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
            pin = int(data[CONF_PIN])

            async def gpio() -> ExecutorBoard:
                return ExecutorBoard(
                    self.hass,
                    GpioPwmOutput(
                        pin, pin_factory=data[CONF_PIN_FACTORY], frequency=float(data[CONF_FREQUENCY])
                    ),
                )

            board = await self._async_board(f"gpio_{pin}", f"GPIO {pin}", "Raspberry Pi GPIO PWM", gpio)
        else:
            entity_id = data[CONF_ENTITY_ID]

            async def adopted() -> AdoptedLight:
                return AdoptedLight(self.hass, entity_id, partial(self.on_manual_change, subentry_id))

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
        read: Callable[[], Awaitable[float]]
        model: str
        ezo: EzoProbe | None = None
        if driver == ProbeDriver.SIMULATED:
            read, model = self._simulated_reader(kind), f"Simulated {kind.replace('_', ' ')} probe"
        elif driver == ProbeDriver.DS18B20:
            sensor = DS18B20(data[CONF_DEVICE_ID], W1_ROOT)
            read, model = partial(self.hass.async_add_executor_job, sensor.read), "DS18B20"
        elif driver == ProbeDriver.HA_SENSOR:
            read, model = self._sensor_reader(data[CONF_ENTITY_ID]), "Home Assistant sensor"
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
                read = partial(self._async_read_ezo, ezo, data.get(CONF_TEMPERATURE_PROBE))
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
            )
        )

    def _simulated_reader(self, kind: ProbeKind) -> Callable[[], Awaitable[float]]:
        async def read() -> float:
            return self.tank.value(kind)

        return read

    def _sensor_reader(self, entity_id: str) -> Callable[[], Awaitable[float]]:
        async def read() -> float:
            state = self.hass.states.get(entity_id)
            if state is None:
                raise DeviceMissingError(f"{entity_id} does not exist")
            try:
                return float(state.state)
            except ValueError:
                raise ProbeReadError(f"{entity_id} reads {state.state!r}, not a number") from None

        return read

    async def _async_read_ezo(self, ezo: EzoProbe, temperature_probe: str | None) -> float:
        """Ask, wait the datasheet's delay on the event loop (not in a thread), fetch."""
        temperature = None
        if temperature_probe and ezo.spec.temperature_compensation:
            values = self.entry.runtime_data.probes.data or {}
            temperature = values.get(temperature_probe)
        delay = await self.hass.async_add_executor_job(ezo.start_reading, temperature)
        await asyncio.sleep(delay)
        try:
            return await self.hass.async_add_executor_job(ezo.fetch_reading)
        except ReadingPendingError:
            await asyncio.sleep(EZO_PENDING_RETRY_SECONDS)
            return await self.hass.async_add_executor_job(ezo.fetch_reading)


async def async_close_hardware(hass: HomeAssistant, hardware: Hardware) -> None:
    """Release boards and buses; outputs keep their level."""
    for board in hardware.boards:
        await board.output.async_close()
    for bus in hardware.buses.values():
        if isinstance(bus, SMBusI2C):
            await hass.async_add_executor_job(bus.close)


# The VeSync cloud's address; None uses the library's. Tests point it at a local server.
VESYNC_BASE_URL: str | None = None


class HaSwitchOutlet:
    """An existing HA switch (e.g. from HA's own TP-Link or Shelly integration) as an outlet."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Adopt `entity_id`."""
        self.hass = hass
        self.entity_id = entity_id

    @property
    def unique_id(self) -> str:
        """The adopted entity's id."""
        return f"ha_switch:{self.entity_id}"

    @property
    def name(self) -> str:
        """The adopted entity's id."""
        return self.entity_id

    @property
    def model(self) -> str:
        """What it is."""
        return "Home Assistant switch"

    @property
    def device(self) -> OutletDevice:
        """The adopted entity, as a device of its own."""
        return OutletDevice(
            id=self.entity_id, name=self.entity_id, manufacturer="Home Assistant", model=self.model
        )

    @property
    def has_power_monitoring(self) -> bool:
        """Power comes from the adopted integration's own sensors, not from here."""
        return False

    async def connect(self) -> None:
        """Check the switch is there."""
        self._state()

    def _state(self) -> OutletState:
        state = self.hass.states.get(self.entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            raise OutletConnectionError(f"{self.entity_id} is unavailable")
        return OutletState(is_on=state.state == STATE_ON)

    async def update(self) -> OutletState:
        """The switch's state in HA."""
        return self._state()

    async def _async_switch(self, on: bool) -> OutletState:
        try:
            await self.hass.services.async_call(
                "switch", "turn_on" if on else "turn_off", {ATTR_ENTITY_ID: self.entity_id}, blocking=True
            )
        except HomeAssistantError as err:
            raise OutletConnectionError(f"{self.entity_id} refused: {err}") from err
        state = self._state()
        if state.is_on != on:
            raise OutletNotConfirmedError(f"{self.entity_id} stayed {'off' if on else 'on'}")
        return state

    async def turn_on(self) -> OutletState:
        """Turn the switch on through HA and confirm it."""
        return await self._async_switch(True)

    async def turn_off(self) -> OutletState:
        """Turn the switch off through HA and confirm it."""
        return await self._async_switch(False)

    async def close(self) -> None:
        """Nothing to let go of."""


class OutletBuilder:
    """Makes one controller's outlet drivers, sharing a connection per device (and per VeSync account)."""

    def __init__(
        self, hass: HomeAssistant, entry: ReefConfigEntry, simulated: dict[str, SimulatedOutlet]
    ) -> None:
        """Remember what the drivers need."""
        self.hass = hass
        self.entry = entry
        self.simulated = simulated
        self._kasa: dict[DeviceKey, KasaDevice] = {}
        self._shelly: dict[DeviceKey, ShellyDevice] = {}
        self._vesync: VeSyncAccount | None = None

    def vesync_account(self) -> VeSyncAccount:
        """The controller's VeSync account, as entered once in the first VeSync outlet's flow."""
        if self._vesync is None:
            self._vesync = vesync_account(self.hass, self.entry.data[CONF_VESYNC])
        return self._vesync

    def build(self) -> list[ManagedOutlet]:
        """Every outlet subentry's outlet; none talks to its device yet."""
        outlets = []
        for subentry_id, subentry in self.entry.subentries.items():
            if subentry.subentry_type != SUBENTRY_OUTLET:
                continue
            data = subentry.data
            outlets.append(
                ManagedOutlet(
                    subentry_id=subentry_id,
                    name=subentry.title,
                    role=OutletRole(data[CONF_ROLE]),
                    boot_delay=float(data[CONF_BOOT_DELAY]),
                    driver=self._driver(subentry_id, subentry.title, data),
                    health=DeviceHealth(subentry.title),
                    reauth_on_auth_error=data[CONF_DRIVER] == OutletDriver.VESYNC,
                    poll_every=OUTLET_CLOUD_POLL_EVERY if data[CONF_DRIVER] == OutletDriver.VESYNC else 1,
                )
            )
        return outlets

    def _driver(self, subentry_id: str, title: str, data: Mapping[str, Any]) -> Outlet:
        match data[CONF_DRIVER]:
            case OutletDriver.KASA:
                key = device_key(data[CONF_HOST], data.get(CONF_PORT), data.get(CONF_MAC))
                if key not in self._kasa:
                    self._kasa[key] = KasaDevice(
                        data[CONF_HOST],
                        port=data.get(CONF_PORT),
                        username=data.get(CONF_USERNAME),
                        password=data.get(CONF_PASSWORD),
                        connection=data.get(CONF_CONNECTION),
                        mac=data.get(CONF_MAC),
                    )
                return self._kasa[key].outlet(data.get(CONF_SOCKET))
            case OutletDriver.SHELLY:
                key = device_key(data[CONF_HOST], int(data.get(CONF_PORT) or 80), data.get(CONF_MAC))
                if key not in self._shelly:
                    self._shelly[key] = shelly_device(self.hass, data)
                return self._shelly[key].outlet(int(data[CONF_CHANNEL]))
            case OutletDriver.VESYNC:
                return self.vesync_account().outlet(data[CONF_DEVICE_ID])
            case OutletDriver.HA_SWITCH:
                return HaSwitchOutlet(self.hass, data[CONF_ENTITY_ID])
        if subentry_id not in self.simulated:
            self.simulated[subentry_id] = SimulatedOutlet(
                subentry_id, title, role=OutletRole(data[CONF_ROLE]), watts=data.get(CONF_WATTS)
            )
        return self.simulated[subentry_id]


def shelly_device(hass: HomeAssistant, data: Mapping[str, Any]) -> ShellyDevice:
    """A Shelly on HA's shared HTTP session."""
    return ShellyDevice(
        data[CONF_HOST],
        session=async_get_clientsession(hass),
        port=int(data.get(CONF_PORT) or 80),
        username=data.get(CONF_USERNAME),
        password=data.get(CONF_PASSWORD),
        mac=data.get(CONF_MAC),
    )


def vesync_account(hass: HomeAssistant, account: Mapping[str, Any]) -> VeSyncAccount:
    """A VeSync account on HA's shared HTTP session, reporting in HA's time zone."""
    return VeSyncAccount(
        account[CONF_USERNAME],
        account[CONF_PASSWORD],
        session=async_get_clientsession(hass),
        time_zone=hass.config.time_zone,
        base_url=VESYNC_BASE_URL,
    )
