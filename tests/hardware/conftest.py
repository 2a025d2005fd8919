"""A simulated I2C bus with one PCA9685 at 0x40."""

import pytest

from custom_components.bellas_reef.hardware.simulated import SimulatedI2CBus, SimulatedPCA9685


@pytest.fixture
def bus() -> SimulatedI2CBus:
    return SimulatedI2CBus()


@pytest.fixture
def chip(bus: SimulatedI2CBus) -> SimulatedPCA9685:
    chip = SimulatedPCA9685()
    bus.attach(0x40, chip)
    return chip
