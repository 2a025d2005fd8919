"""What the light entities drive: a board of PWM outputs, written once per tick."""

from collections.abc import Mapping
from typing import Protocol


class PwmBoard(Protocol):
    """A set of PWM outputs that share one device (a PCA9685 chip, a Raspberry Pi's GPIO pins).

    Duties are integers from 0 (fully off) to `max_duty` (fully on); an output is on for
    ``duty / max_duty`` of each period. All methods block and raise `HardwareError` when the device fails.
    """

    @property
    def max_duty(self) -> int:
        """The fully-on duty, i.e. the board's resolution."""

    def write(self, duties: Mapping[int, int]) -> None:
        """Set outputs (output index to duty); one call per tick with every output that changed.

        A failed call may be repeated with the same targets: the board works out what still differs.
        """

    def read(self) -> dict[int, int]:
        """The duty every output currently produces, as the device reports it."""

    def close(self) -> None:
        """Release the board; outputs keep their last level where the hardware allows it."""
