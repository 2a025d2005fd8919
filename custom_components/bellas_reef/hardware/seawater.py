"""Seawater relations the simulated conductivity circuit answers with, from the UNESCO standards keepers' meters use.

Practical salinity follows from conductivity and temperature by the Practical Salinity Scale 1978 (PSS-78, UNESCO
technical paper 44, at sea-level pressure); density by the one-atmosphere equation of state of seawater (EOS-80,
Millero and Poisson 1981). Specific gravity is the water's density over pure water's at the same temperature, as a
hydrometer or refractometer reads it.
"""

from __future__ import annotations

import math
from typing import Final

# Conductivity of standard seawater (salinity 35, 15 °C, sea-level pressure), in µS/cm: PSS-78's reference.
STANDARD_SEAWATER_US_CM: Final = 42_914.0
_RT: Final = (0.6766097, 2.00564e-2, 1.104259e-4, -6.9698e-7, 1.0031e-9)
_A: Final = (0.0080, -0.1692, 25.3851, 14.0941, -7.0261, 2.7081)
_B: Final = (0.0005, -0.0056, -0.0066, -0.0375, 0.0636, -0.0144)
_K: Final = 0.0162
_PURE_WATER: Final = (999.842594, 6.793952e-2, -9.095290e-3, 1.001685e-4, -1.120083e-6, 6.536332e-9)
_SALT_1: Final = (0.824493, -4.0899e-3, 7.6438e-5, -8.2467e-7, 5.3875e-9)
_SALT_3_2: Final = (-5.72466e-3, 1.0227e-4, -1.6546e-6)
_SALT_2: Final = 4.8314e-4


def _polynomial(coefficients: tuple[float, ...], x: float) -> float:
    """c0 + c1·x + c2·x² + ..."""
    return sum(coefficient * x**power for power, coefficient in enumerate(coefficients))


def practical_salinity(conductivity_us_cm: float, temperature_c: float) -> float:
    """PSS-78 practical salinity of water with this conductivity at this temperature (valid 2–42, -2–35 °C)."""
    if conductivity_us_cm < 0:
        raise ValueError(f"conductivity cannot be negative: {conductivity_us_cm}")
    ratio = conductivity_us_cm / STANDARD_SEAWATER_US_CM / _polynomial(_RT, temperature_c)
    root = math.sqrt(ratio)
    t = temperature_c - 15.0
    return _polynomial(_A, root) + t / (1.0 + _K * t) * _polynomial(_B, root)


def density(salinity: float, temperature_c: float) -> float:
    """EOS-80 density of seawater at sea-level pressure, in kg/m³."""
    if salinity < 0:
        raise ValueError(f"salinity cannot be negative: {salinity}")
    return (
        _polynomial(_PURE_WATER, temperature_c)
        + _polynomial(_SALT_1, temperature_c) * salinity
        + _polynomial(_SALT_3_2, temperature_c) * salinity * math.sqrt(salinity)
        + _SALT_2 * salinity**2
    )


def specific_gravity(salinity: float, temperature_c: float) -> float:
    """The water's density over pure water's at the same temperature (unitless, about 1.026 for a reef)."""
    return density(salinity, temperature_c) / density(0.0, temperature_c)
