"""Dosing pumps without Home Assistant: calibration, the day's doses, the daily cap and the container."""

from .doser import (
    MISSED_AFTER,
    Container,
    DailyCap,
    DoseSchedule,
    rate_from_calibration,
    seconds_for,
)

__all__ = [
    "MISSED_AFTER",
    "Container",
    "DailyCap",
    "DoseSchedule",
    "rate_from_calibration",
    "seconds_for",
]
