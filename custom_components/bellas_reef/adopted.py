"""Entities of other integrations adopted as hardware: a light as a channel, a sensor as a probe, a switch as outlet.

They are driven through HA's own services and read from HA's state machine. Every service call is bounded by a timeout (a hung Zigbee or MQTT device must not stall the tank), an adopted
sensor's value is converted into its probe kind's unit, and an adopted light's own echoes of what we sent —
late, rounded or polled — are not mistaken for the keeper's hand.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Context, Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util.unit_conversion import (
    BaseUnitConverter,
    ConductivityConverter,
    ElectricPotentialConverter,
    TemperatureConverter,
)

from .const import DEVICE_TIMEOUT
from .hardware.errors import DeviceMissingError, HardwareError, ProbeReadError
from .hardware.tank import ProbeKind
from .health import within
from .outlets import OutletConnectionError, OutletDevice, OutletNotConfirmedError, OutletState

# An adopted HA light is sent at most one change per this many seconds: it is a network device, not a PWM chip.
ADOPTED_LIGHT_MIN_INTERVAL: Final = 1.0
# A brightness the light reports within this many steps of one we sent lately is our own change echoed back
# (rounded by the device or its integration), and so is one reported this many seconds after we sent it.
ECHO_STEPS: Final = 2
ECHO_SECONDS: Final = 15.0
# How long an adopted switch may take to report the state it was switched to (MQTT and ESPHome report late).
SWITCH_CONFIRM_SECONDS: Final = 5.0

# The unit each probe kind is kept in, and HA's converter into it; kinds with no converter take the listed
# spellings of their own unit only (or none at all: a unitless salinity sensor reads in ppt).
PROBE_UNITS: Final[Mapping[ProbeKind, str | None]] = {
    ProbeKind.TEMPERATURE: "°C",
    ProbeKind.PH: None,
    ProbeKind.ORP: "mV",
    ProbeKind.SALINITY: "ppt",
    ProbeKind.CONDUCTIVITY: "µS/cm",
    ProbeKind.DISSOLVED_OXYGEN: "mg/L",
    ProbeKind.SPECIFIC_GRAVITY: None,
}
_CONVERTERS: Final[Mapping[ProbeKind, type[BaseUnitConverter]]] = {
    ProbeKind.TEMPERATURE: TemperatureConverter,
    ProbeKind.ORP: ElectricPotentialConverter,
    ProbeKind.CONDUCTIVITY: ConductivityConverter,
}
_SAME_UNIT: Final[Mapping[ProbeKind, frozenset[str | None]]] = {
    ProbeKind.PH: frozenset({None, "", "pH"}),
    ProbeKind.SALINITY: frozenset({None, "", "ppt", "‰", "PSU", "psu", "g/kg"}),
    ProbeKind.DISSOLVED_OXYGEN: frozenset({None, "", "mg/L", "mg/l", "ppm", "g/m³"}),
    ProbeKind.SPECIFIC_GRAVITY: frozenset({None, "", "SG", "sg"}),
}


def unit_converter(kind: ProbeKind, unit: str | None) -> Callable[[float], float] | None:
    """How a value in `unit` becomes one in `kind`'s own unit; None when it cannot."""
    if (converter := _CONVERTERS.get(kind)) is not None:
        if unit not in converter.VALID_UNITS:
            return None
        return converter.converter_factory(unit, PROBE_UNITS[kind])
    if unit in _SAME_UNIT.get(kind, ()):
        return float
    return None


def unit_error(state: State | None, kind: ProbeKind) -> str | None:
    """Why an adopted sensor cannot serve as a probe of `kind` (its unit), or None; for the flows."""
    if state is None:
        return None
    unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
    return None if unit_converter(kind, unit) is not None else f"unit {unit!r} is not a {kind} unit"


def sensor_reader(
    hass: HomeAssistant, entity_id: str, kind: ProbeKind
) -> Callable[[], Coroutine[Any, Any, float]]:
    """Read an adopted sensor in `kind`'s unit: 78 °F from a US keeper's probe is 25.6 °C here, not 78 °C."""

    async def read() -> float:
        state = hass.states.get(entity_id)
        if state is None:
            raise DeviceMissingError(f"{entity_id} does not exist")
        if state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            raise DeviceMissingError(f"{entity_id} is {state.state}")
        unit = state.attributes.get(ATTR_UNIT_OF_MEASUREMENT)
        if (convert := unit_converter(kind, unit)) is None:
            raise ProbeReadError(
                f"{entity_id} reports in {unit!r}, which cannot be converted to {PROBE_UNITS[kind] or 'pH'}"
            )
        try:
            return convert(float(state.state))
        except ValueError:
            raise ProbeReadError(f"{entity_id} reads {state.state[:40]!r}, not a number") from None

    return read


class AdoptedLight:
    """An existing HA light (e.g. ESPHome) driven as a one-output board with HA's 0–255 brightness.

    A state the light reports that differs from what was last sent, not caused by our own call and not an echo
    of a recent one, is a manual change (someone used the device's own app): `on_manual_change` receives its
    level (0..1).
    """

    max_duty = 255

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        entity_id: str,
        on_manual_change: Callable[[float], Coroutine[Any, Any, None]],
    ) -> None:
        """Follow the light's state from now on."""
        self.hass = hass
        self.entry = entry
        self.entity_id = entity_id
        self._on_manual_change = on_manual_change
        self._sent: int | None = None
        self._sent_at = 0.0
        # Our recent calls: their contexts, and (time, brightness) of what we sent.
        self._contexts: deque[str] = deque(maxlen=16)
        self._recent: deque[tuple[float, int]] = deque(maxlen=16)
        self._unsub = async_track_state_change_event(hass, [entity_id], self._async_state_changed)

    def _brightness(self) -> int:
        state = self.hass.states.get(self.entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            raise DeviceMissingError(f"{self.entity_id} is unavailable")
        return _brightness_of(state)

    async def async_write(self, duties: dict[int, int]) -> bool:
        """Turn the light on at a brightness, or off; at most once per second."""
        duty = duties[0]
        self._brightness()
        now = asyncio.get_running_loop().time()
        if self._sent is not None and now - self._sent_at < ADOPTED_LIGHT_MIN_INTERVAL:
            return False
        context = Context()
        self._contexts.append(context.id)
        self._sent, self._sent_at = duty, now
        self._recent.append((now, duty))
        service, data = ("turn_off", {}) if duty == 0 else ("turn_on", {"brightness": duty})
        try:
            await within(
                DEVICE_TIMEOUT,
                self.hass.services.async_call(
                    "light", service, {ATTR_ENTITY_ID: self.entity_id, **data}, blocking=True, context=context
                ),
                self.entity_id,
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

    def _echo(self, brightness: int) -> bool:
        """Whether `brightness` is one of our own recent changes coming back, possibly rounded."""
        now = asyncio.get_running_loop().time()
        return any(
            now - sent_at <= ECHO_SECONDS and abs(brightness - duty) <= ECHO_STEPS
            for sent_at, duty in self._recent
        ) or (self._sent is not None and abs(brightness - self._sent) <= ECHO_STEPS)

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or self._sent is None:
            return
        context = new.context
        if context.id in self._contexts or (
            context.parent_id is not None and context.parent_id in self._contexts
        ):
            return
        if new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return
        brightness = _brightness_of(new)
        if self._echo(brightness):
            return
        self._sent = brightness
        self._recent.clear()
        self.entry.async_create_task(
            self.hass, self._on_manual_change(brightness / 255), f"manual change of {self.entity_id}"
        )


def _brightness_of(state: State) -> int:
    """A light state's brightness on 0–255; on without a brightness is full."""
    if state.state != STATE_ON:
        return 0
    try:
        return max(0, min(255, int(state.attributes.get("brightness") or 255)))
    except TypeError, ValueError:
        return 255


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
        """Call the switch's service, then wait (a while) for the switch to report the new state."""
        reported = asyncio.get_running_loop().create_future()

        @callback
        def changed(event: Event[EventStateChangedData]) -> None:
            new = event.data["new_state"]
            if new is not None and (new.state == STATE_ON) == on and not reported.done():
                reported.set_result(None)

        unsub = async_track_state_change_event(self.hass, [self.entity_id], changed)
        try:
            try:
                await within(
                    DEVICE_TIMEOUT,
                    self.hass.services.async_call(
                        "switch",
                        "turn_on" if on else "turn_off",
                        {ATTR_ENTITY_ID: self.entity_id},
                        blocking=True,
                    ),
                    self.entity_id,
                )
            except HomeAssistantError as err:
                raise OutletConnectionError(f"{self.entity_id} refused: {err}") from err
            if self._state().is_on != on:
                try:
                    async with asyncio.timeout(SWITCH_CONFIRM_SECONDS):
                        await reported
                except TimeoutError:
                    raise OutletNotConfirmedError(
                        f"{self.entity_id} stayed {'off' if on else 'on'}"
                    ) from None
        finally:
            unsub()
        return self._state()

    async def turn_on(self) -> OutletState:
        """Turn the switch on through HA and confirm it."""
        return await self._async_switch(True)

    async def turn_off(self) -> OutletState:
        """Turn the switch off through HA and confirm it."""
        return await self._async_switch(False)

    async def close(self) -> None:
        """Nothing to let go of."""
