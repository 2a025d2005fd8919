"""What a loaded controller holds, reachable from its config entry as typed runtime data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .ato import TopOffController
from .coordinator.dosing import DosingCoordinator
from .coordinator.inputs import InputCoordinator
from .coordinator.lighting import LightingCoordinator
from .coordinator.outlets import OutletCoordinator
from .coordinator.probes import ProbeCoordinator
from .coordinator.pumps import PumpChannels
from .hardware.simulated import SimulatedI2CBus
from .hardware.tank import TankModel
from .heat import ThermostatController
from .monitor import SafetyMonitor
from .outlets import SimulatedOutlet
from .readings import ReadingsRecorder


@dataclass(slots=True)
class Simulator:
    """The controller's simulated hardware: an I2C bus for simulated boards, and the water simulated probes read."""

    bus: SimulatedI2CBus
    tank: TankModel
    outlets: dict[str, SimulatedOutlet] = field(default_factory=dict)
    # gpiozero's mock pins behind the simulated inputs, made when the first one is set up.
    pins: Any = None


@dataclass(slots=True)
class ReefRuntimeData:
    """Everything a loaded controller holds."""

    controller_device_id: str
    lighting: LightingCoordinator
    probes: ProbeCoordinator
    simulator: Simulator
    readings: ReadingsRecorder
    monitor: SafetyMonitor
    outlets: OutletCoordinator
    dosing: DosingCoordinator
    pumps: PumpChannels
    inputs: InputCoordinator
    thermostat: ThermostatController | None = None
    top_off: TopOffController | None = None


type ReefConfigEntry = ConfigEntry[ReefRuntimeData]
