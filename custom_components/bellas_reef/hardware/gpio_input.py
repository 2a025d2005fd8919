"""Switches wired to a Raspberry Pi pin (float, optical level, leak and lid switches), read through gpiozero.

A switch closes a contact between the pin and ground (pull-up, the usual wiring) or between the pin and 3.3 V
(pull-down). gpiozero's `Button` calls it *pressed* while the contact is closed, whichever way it is wired.
"""

from collections.abc import Callable
import importlib
import threading
from typing import Any

from .errors import HardwareError
from .gpio import AUTO_PIN_FACTORY, FIRST_PIN, LAST_PIN, PIN_FACTORIES, _pin_factory

DEFAULT_BOUNCE_MS = 50
MAX_BOUNCE_MS = 5000


def simulated_pin_factory() -> Any:
    """gpiozero's own mock pins, for a tank without a Pi: every pin rests at its pull (a switch left open)."""
    return importlib.import_module("gpiozero.pins.mock").MockFactory()


class GpioInput:
    """One BCM pin read as a switch contact: closed or open.

    The pin is claimed by `open` and let go by `close`; every call blocks (run them in an executor). gpiozero
    reports each edge on a thread of its own, which `open`'s `on_change` is called on.
    """

    def __init__(
        self,
        pin: int,
        *,
        pin_factory: str = AUTO_PIN_FACTORY,
        pull_up: bool = True,
        bounce_ms: int = DEFAULT_BOUNCE_MS,
        factory: Any = None,
    ) -> None:
        """Describe the input; no I/O happens here. `factory` is a gpiozero pin factory in place of the named one."""
        if not FIRST_PIN <= pin <= LAST_PIN:
            raise ValueError(f"BCM pin must be {FIRST_PIN}-{LAST_PIN}, not {pin}")
        if pin_factory != AUTO_PIN_FACTORY and pin_factory not in PIN_FACTORIES:
            raise ValueError(f"unknown pin factory {pin_factory!r}")
        if not 0 <= bounce_ms <= MAX_BOUNCE_MS:
            raise ValueError(f"bounce time must be 0-{MAX_BOUNCE_MS} ms, not {bounce_ms}")
        self.pin = pin
        self.pin_factory = pin_factory
        self.pull_up = pull_up
        self.bounce_ms = bounce_ms
        self._factory = factory
        self._button: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        """Name the input in logs and errors."""
        return f"GPIO{self.pin} input ({'simulated' if self._factory is not None else self.pin_factory})"

    def open(self, on_change: Callable[[bool], None]) -> bool:
        """Claim the pin and return whether the contact is closed; `on_change(closed)` follows every edge.

        gpiozero is imported here, on the first open (in the executor), so a tank without inputs never loads it.
        """
        with self._lock:
            self._button = self._guarded(self._claim)
            self._button.when_pressed = lambda: on_change(True)
            self._button.when_released = lambda: on_change(False)
            return bool(self._guarded(getattr, self._button, "is_pressed"))

    def closed(self) -> bool:
        """Whether the contact is closed now."""
        with self._lock:
            return bool(self._guarded(getattr, self._button, "is_pressed"))

    def close(self) -> None:
        """Let go of the pin, so another input or output may claim it."""
        with self._lock:
            button, self._button = self._button, None
            if button is not None:
                self._guarded(button.close)

    def _claim(self) -> Any:
        factory = self._factory if self._factory is not None else _pin_factory(self.pin_factory)
        button_class = importlib.import_module("gpiozero").Button
        return button_class(
            self.pin, pull_up=self.pull_up, bounce_time=self.bounce_ms / 1000 or None, pin_factory=factory
        )

    def _guarded[T](self, call: Callable[..., T], *args: object) -> T:
        """Run a gpiozero call; whatever the pin library raises becomes a HardwareError."""
        try:
            return call(*args)
        except Exception as err:
            raise HardwareError(f"{self} failed: {err}") from err
