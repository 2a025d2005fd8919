"""The Raspberry Pi's hardware PWM through the kernel (`/sys/class/pwm`), for GPIO 12, 13, 18 and 19.

gpiozero's default PWM is timed in software: it jitters, and at moonlight levels the jitter is a visible flicker.
The SoC's own PWM block does not; with `dtoverlay=pwm-2chan` (Pi 1–4) or the RP1's PWM overlay (Pi 5) the kernel
exposes it as a `pwmchip` whose channels the pins are routed to. The output keeps its level when closed, so a
reload of the controller never blinks the light: the next setup reads the level back and goes on from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
import threading
import time
from typing import Final

from .errors import DeviceMissingError, HardwareError

PWM_ROOT: Final = Path("/sys/class/pwm")
HARDWARE_PWM_MAX_DUTY: Final = 1_000_000
"""Parts per million: the kernel takes nanoseconds, so moonlight far below 1 % still has steps to spare."""
# Which channel of the PWM chip each pin is routed to: the Pi 1–4's two-channel block, the Pi 5's four.
_TWO_CHANNELS: Final[Mapping[int, int]] = {12: 0, 13: 1, 18: 0, 19: 1}
_FOUR_CHANNELS: Final[Mapping[int, int]] = {12: 0, 13: 1, 18: 2, 19: 3}
_EXPORT_WAIT_SECONDS: Final = 1.0


def hardware_pwm_channel(pin: int, root: Path = PWM_ROOT) -> tuple[Path, int] | None:
    """The (pwmchip folder, channel) a BCM pin's hardware PWM is on, or None when the kernel offers none."""
    for chip in sorted(root.glob("pwmchip*")):
        try:
            channels = int((chip / "npwm").read_text().strip())
        except OSError, ValueError:
            continue
        routes = _FOUR_CHANNELS if channels >= len(_FOUR_CHANNELS) else _TWO_CHANNELS
        if (channel := routes.get(pin)) is not None and channel < channels:
            return chip, channel
    return None


class SysfsPwmOutput:
    """One pin on a kernel PWM channel, as a `PwmBoard` with a single output 0; duties 0–1,000,000."""

    max_duty = HARDWARE_PWM_MAX_DUTY

    def __init__(self, pin: int, chip: Path, channel: int, frequency: float) -> None:
        """Describe the output; nothing is written until the first `write` or `read`."""
        if frequency <= 0:
            raise ValueError(f"PWM frequency must be above 0 Hz, not {frequency}")
        self.pin = pin
        self.chip = chip
        self.channel = channel
        self.period_ns = round(1_000_000_000 / frequency)
        self._folder = chip / f"pwm{channel}"
        self._ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        """Name the output in logs and errors."""
        return f"GPIO{self.pin} (hardware PWM {self.chip.name}/{self._folder.name})"

    def write(self, duties: Mapping[int, int]) -> None:
        """Set the channel's duty; blocking."""
        for output, duty in duties.items():
            if output != 0:
                raise ValueError(f"a GPIO pin has one output, 0, not {output}")
            if not 0 <= duty <= HARDWARE_PWM_MAX_DUTY:
                raise ValueError(f"hardware PWM duty must be 0-{HARDWARE_PWM_MAX_DUTY}, not {duty}")
        with self._lock:
            self._prepare()
            for duty in duties.values():
                self._put("duty_cycle", self.period_ns * duty // HARDWARE_PWM_MAX_DUTY)
                self._put("enable", 1)

    def read(self) -> dict[int, int]:
        """The duty the channel drives now (0 while it is disabled); blocking."""
        with self._lock:
            self._prepare()
            if self._get("enable") == 0:
                return {0: 0}
            period = self._get("period") or self.period_ns
            return {
                0: min(HARDWARE_PWM_MAX_DUTY, round(self._get("duty_cycle") * HARDWARE_PWM_MAX_DUTY / period))
            }

    def close(self) -> None:
        """Nothing to release: the channel keeps its level (the kernel holds it) until written again."""

    def _prepare(self) -> None:
        """Export the channel if needed and give it this output's period, keeping its duty's share."""
        if self._ready:
            return
        if not self._folder.exists():
            try:
                (self.chip / "export").write_text(str(self.channel))
            except OSError as err:
                raise DeviceMissingError(f"{self!r} cannot be exported: {err}") from err
            deadline = time.monotonic() + _EXPORT_WAIT_SECONDS
            while not self._folder.exists():
                if time.monotonic() > deadline:
                    raise DeviceMissingError(f"{self!r} did not appear after export")
                time.sleep(0.01)
        period = self._get("period")
        if period != self.period_ns:
            # The duty may never exceed the period: scale it to the new period first, or after, as fits.
            duty = self._get("duty_cycle")
            scaled = duty * self.period_ns // period if period else 0
            if self.period_ns < period:
                self._put("duty_cycle", scaled)
                self._put("period", self.period_ns)
            else:
                self._put("period", self.period_ns)
                self._put("duty_cycle", scaled)
        self._ready = True

    def _get(self, name: str) -> int:
        try:
            return int((self._folder / name).read_text().strip() or 0)
        except (OSError, ValueError) as err:
            raise HardwareError(f"{self!r}: reading {name} failed: {err}") from err

    def _put(self, name: str, value: int) -> None:
        try:
            (self._folder / name).write_text(str(value))
        except OSError as err:
            raise HardwareError(f"{self!r}: writing {name} failed: {err}") from err
