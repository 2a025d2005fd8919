"""Dimming curves and output mappings, without Home Assistant."""

from __future__ import annotations

import pytest

from custom_components.bellas_reef.lighting.curves import (
    DimmingCurve,
    OutputMapping,
    curve_level,
    curve_output,
)


@pytest.mark.parametrize("curve", list(DimmingCurve))
def test_curves_are_monotonic_and_invertible(curve: DimmingCurve) -> None:
    """Each curve rises from 0 to 1 and its inverse gives the level back."""
    previous = -1.0
    for step in range(101):
        level = step / 100
        output = curve_output(curve, level)
        assert output > previous or (step == 0 and output == 0.0)
        previous = output
        assert curve_level(curve, output) == pytest.approx(level, abs=1e-9)
    assert curve_output(curve, 1.0) == pytest.approx(1.0)
    assert curve_output(curve, 2.0) == curve_output(curve, 1.0)
    assert curve_output(curve, -1.0) == 0.0


def test_cie1931_matches_published_lightness_points() -> None:
    """L* 50 is 18.4 % luminance and L* 8 (the linear segment's end) is 0.886 %, per CIE 1976 lightness."""
    assert curve_output(DimmingCurve.CIE1931, 0.5) == pytest.approx(0.1842, abs=1e-4)
    assert curve_output(DimmingCurve.CIE1931, 0.08) == pytest.approx(0.008856, abs=1e-5)


def test_mapping_reaches_sub_percent_and_full_output() -> None:
    """On a 12-bit board the perceptual curve's first HA step is a few duty counts; full is full on."""
    mapping = OutputMapping(max_duty=4096)
    assert mapping.duty(0.0) == 0
    assert 0 < mapping.duty(1 / 255) < 0.01 * 4096
    assert mapping.duty(1.0) == 4096
    assert mapping.level(0) == 0.0
    assert mapping.level(mapping.duty(0.5)) == pytest.approx(0.5, abs=0.002)


def test_mapping_clamps() -> None:
    """Minimum output is where any light starts; maximum output caps it; tiny levels still light up."""
    mapping = OutputMapping(max_duty=4096, curve=DimmingCurve.LINEAR, min_output=0.1, max_output=0.5)
    assert mapping.duty(1e-9) == round(0.1 * 4096)
    assert mapping.duty(1.0) == round(0.5 * 4096)
    assert OutputMapping(max_duty=100, curve=DimmingCurve.LINEAR).duty(1e-6) == 1


@pytest.mark.parametrize(
    ("max_duty", "low", "high"), [(0, 0.0, 1.0), (4096, 0.5, 0.5), (4096, -0.1, 1.0), (4096, 0.0, 1.1)]
)
def test_mapping_rejects_impossible_ranges(max_duty: int, low: float, high: float) -> None:
    """Clamps that leave no range, or a board without resolution, are refused."""
    with pytest.raises(ValueError, match=r"must be|need"):
        OutputMapping(max_duty=max_duty, min_output=low, max_output=high)
