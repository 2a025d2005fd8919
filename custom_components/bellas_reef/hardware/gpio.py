"""LED channels wired straight to a Raspberry Pi pin, dimmed by gpiozero's PWM.

The pin factory decides how gpiozero reaches the pins: ``lgpio`` works on every Pi and is the only choice on a
Pi 5 (its RP1 I/O chip), ``rpigpio`` is the legacy RPi.GPIO library of older Pis, ``auto`` lets gpiozero pick.
"""

from collections.abc import Callable, Mapping
import importlib
import threading
from typing import Any

from .errors import HardwareError

AUTO_PIN_FACTORY = "auto"
PIN_FACTORIES = {
    "lgpio": ("gpiozero.pins.lgpio", "LGPIOFactory"),
    "rpigpio": ("gpiozero.pins.rpigpio", "RPiGPIOFactory"),
}
"""Pin factory names offered besides ``auto``, and where gpiozero keeps them."""
FIRST_PIN = 0
LAST_PIN = 27
GPIO_MAX_DUTY = 10_000
"""Steps of 0.01 %: finer than software-timed PWM resolves, so the light curve never loses a step here."""
DEFAULT_FREQUENCY = 1000.0

# One factory per kind for the whole process: each keeps its own pin reservations and chip handle.
_factories: dict[str, Any] = {}
_factories_lock = threading.Lock()
# Pins whose output was closed but keeps driving its level, by (factory, pin): (owner, gpiozero device). A
# reload (every rule edit reloads the controller) takes its pins back from here without a blink.
_parked: dict[tuple[str, int], tuple[str, Any]] = {}
_parked_lock = threading.Lock()


def release_parked(owner: str) -> None:
    """Let go of the pins `owner` closed and did not take back: their channel is gone, so their light goes out.

    Blocking.
    """
    with _parked_lock:
        gone = [key for key, (parked_by, _device) in _parked.items() if parked_by == owner]
        devices = [_parked.pop(key)[1] for key in gone]
    failed: list[str] = []
    for device in devices:
        try:
            device.close()
        except Exception as err:  # noqa: BLE001 - the others are released all the same
            failed.append(str(err))
    if failed:
        raise HardwareError(f"GPIO pins could not be released: {'; '.join(failed)}")


def _pin_factory(name: str) -> Any:
    """The shared gpiozero factory for a name; None lets gpiozero use its default."""
    if name == AUTO_PIN_FACTORY:
        return None
    with _factories_lock:
        if name not in _factories:
            module_name, class_name = PIN_FACTORIES[name]
            _factories[name] = getattr(importlib.import_module(module_name), class_name)()
        return _factories[name]


class GpioPwmOutput:
    """One BCM pin as a `PwmBoard` with a single output, index 0; duties 0-10000.

    The pin is claimed on the first `write` or `read`. `close` parks it still driving its level, for the next
    output of the same pin and owner to take over (a reload must not black the channel out);
    `release_parked(owner)` lets go of the pins nobody took back.
    """

    max_duty = GPIO_MAX_DUTY

    def __init__(
        self,
        pin: int,
        *,
        pin_factory: str = AUTO_PIN_FACTORY,
        frequency: float = DEFAULT_FREQUENCY,
        owner: str = "",
    ) -> None:
        """Describe the output; no I/O happens here."""
        if not FIRST_PIN <= pin <= LAST_PIN:
            raise ValueError(f"BCM pin must be {FIRST_PIN}-{LAST_PIN}, not {pin}")
        if pin_factory != AUTO_PIN_FACTORY and pin_factory not in PIN_FACTORIES:
            raise ValueError(f"unknown pin factory {pin_factory!r}")
        if frequency <= 0:
            raise ValueError(f"PWM frequency must be above 0 Hz, not {frequency}")
        self.pin = pin
        self.pin_factory = pin_factory
        self.frequency = frequency
        self.owner = owner
        self._device: Any = None
        self._duty: int | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        """Name the output in logs and errors."""
        return f"GPIO{self.pin} ({self.pin_factory})"

    def write(self, duties: Mapping[int, int]) -> None:
        """Set the pin's duty if it changed; blocking."""
        for output, duty in duties.items():
            if output != 0:
                raise ValueError(f"a GPIO pin has one output, 0, not {output}")
            if not 0 <= duty <= GPIO_MAX_DUTY:
                raise ValueError(f"GPIO duty must be 0-{GPIO_MAX_DUTY}, not {duty}")
        with self._lock:
            device = self._open()
            for duty in duties.values():
                if duty != self._duty:
                    self._duty = None
                    self._guarded(setattr, device, "value", duty / GPIO_MAX_DUTY)
                    self._duty = duty

    def read(self) -> dict[int, int]:
        """The duty gpiozero drives the pin with."""
        with self._lock:
            value = float(self._guarded(getattr, self._open(), "value"))
            return {0: round(value * GPIO_MAX_DUTY)}

    def close(self) -> None:
        """Stop using the pin; it keeps driving its level until taken back or released (`release_parked`)."""
        with self._lock:
            if self._device is not None:
                with _parked_lock:
                    _parked[(self.pin_factory, self.pin)] = (self.owner, self._device)
                self._device = None
                self._duty = None

    def _open(self) -> Any:
        """Claim the pin on first use."""
        if self._device is None:
            self._device = self._guarded(self._claim)
        return self._device

    def _claim(self) -> Any:
        """Take the pin back from a reload at its level, or create the gpiozero device: off, at the frequency.

        gpiozero is imported here, on the first claim (in the executor, as every pin call), so a controller
        without GPIO channels never loads it.
        """
        with _parked_lock:
            parked = _parked.pop((self.pin_factory, self.pin), None)
        if parked is not None:
            device = parked[1]
            if device.frequency != self.frequency:
                device.frequency = self.frequency
            return device
        device_class = importlib.import_module("gpiozero").PWMOutputDevice
        return device_class(
            self.pin, initial_value=0, frequency=self.frequency, pin_factory=_pin_factory(self.pin_factory)
        )

    def _guarded[T](self, call: Callable[..., T], *args: object) -> T:
        """Run a gpiozero call; whatever the pin library raises becomes a HardwareError."""
        try:
            return call(*args)
        except Exception as err:
            raise HardwareError(f"{self} failed: {err}") from err
