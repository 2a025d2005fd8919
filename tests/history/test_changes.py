"""Rows only on change: deadbands per metric, drift measured from the last row kept, heartbeats."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custom_components.bellas_reef.history import ChangeFilter, Reading

from .helpers import T0

HEARTBEAT = timedelta(minutes=10)


def _kept(changes: ChangeFilter, values: list[float], metric: str, step: timedelta) -> list[float]:
    return [
        value
        for index, value in enumerate(values)
        if changes.offer(Reading(T0 + step * index, "display", "probe", metric, value))
    ]


@pytest.mark.parametrize(
    ("metric", "values", "kept"),
    [
        ("temperature", [25.0, 25.004, 25.009, 25.01, 25.0, 24.99], [25.0, 25.01, 25.0, 24.99]),
        ("ph", [8.1, 8.1005, 8.101, 8.1015, 8.102], [8.1, 8.101, 8.102]),
        ("power", [0.0, 0.0, 0.4, 0.49, 0.5, 0.0, 0.0], [0.0, 0.5, 0.0]),
        ("level", [0.3, 0.3, 0.30001, 0.30001, 0.0], [0.3, 0.30001, 0.0]),
    ],
)
def test_changes_within_the_deadband_repeat_the_last_row(
    metric: str, values: list[float], kept: list[float]
) -> None:
    changes = ChangeFilter({"temperature": 0.01, "ph": 0.001, "power": 0.5}, HEARTBEAT)
    assert _kept(changes, values, metric, timedelta(seconds=10)) == kept


def test_a_relative_deadband_scales_with_the_level() -> None:
    changes = ChangeFilter({"level": 0.01}, HEARTBEAT, relative={"level": 0.01})
    values = [0.3, 0.302, 0.304, 0.31, 50.0, 50.4, 50.5, 51.0, 51.1, 0.0]
    assert _kept(changes, values, "level", timedelta(seconds=1)) == [0.3, 0.31, 50.0, 50.5, 51.1, 0.0]


def test_a_steady_polled_source_writes_one_heartbeat_per_period() -> None:
    changes = ChangeFilter({"temperature": 0.01}, HEARTBEAT)
    kept = _kept(changes, [25.0] * 361, "temperature", timedelta(seconds=10))
    assert len(kept) == 1 + 3600 // 600


def test_sources_that_only_report_changes_get_their_last_value_and_heartbeats() -> None:
    changes = ChangeFilter({"level": 1.0}, HEARTBEAT)
    settle = timedelta(seconds=5)
    assert changes.offer(Reading(T0, "display", "white", "level", 40.0))
    assert changes.offer(Reading(T0 + timedelta(minutes=3), "display", "white", "level", 42.0))
    # The fade ends within the deadband: that last value is a row once the output has stood still.
    assert not changes.offer(Reading(T0 + timedelta(minutes=3, seconds=1), "display", "white", "level", 42.5))
    assert changes.due(T0 + timedelta(minutes=3, seconds=5), settle) == []
    [end] = changes.due(T0 + timedelta(minutes=3, seconds=6), settle)
    assert (end.time, end.value) == (T0 + timedelta(minutes=3, seconds=1), 42.5)
    assert changes.due(T0 + timedelta(minutes=13), settle) == []
    [beat] = changes.due(T0 + timedelta(minutes=13, seconds=1), settle)
    assert (beat.time, beat.value, beat.source) == (T0 + timedelta(minutes=13, seconds=1), 42.5, "white")
    assert changes.due(T0 + timedelta(minutes=14), settle) == []
    changes.forget("display", "white", "level")
    assert changes.due(T0 + timedelta(hours=5), settle) == []


@pytest.mark.parametrize(("deadbands", "heartbeat"), [({}, timedelta(0)), ({"ph": -0.1}, HEARTBEAT)])
def test_nonsense_settings_are_refused(deadbands: dict[str, float], heartbeat: timedelta) -> None:
    with pytest.raises(ValueError, match="must"):
        ChangeFilter(deadbands, heartbeat)
