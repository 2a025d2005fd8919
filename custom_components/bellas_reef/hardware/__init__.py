"""PWM and probe drivers behind small Protocols, plus simulated chips and buses.

Pure Python: nothing here imports Home Assistant. Every I/O call is a plain blocking function, meant to run in
an executor thread.
"""
