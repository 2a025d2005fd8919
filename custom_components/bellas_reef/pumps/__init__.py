"""DC pump waveforms without Home Assistant: constant, pulse, random, gyre, tidal and feed speeds over time."""

from .waves import PumpMode, PumpSettings, pump_speed

__all__ = ["PumpMode", "PumpSettings", "pump_speed"]
