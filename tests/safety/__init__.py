"""Tests of the safety rule package: conditions, actions, the engine, defaults and the heater fail-safe."""
