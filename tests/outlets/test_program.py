"""Outlet programs: windows, cycles, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from custom_components.bellas_reef.outlets.program import OutletProgram, ProgramError, Window


def _at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 6, 21, hour, minute, second, tzinfo=dt.UTC)


def test_windows_including_one_past_midnight() -> None:
    """On inside any window, off outside; a window may run past midnight."""
    program = OutletProgram.from_dict(
        {"windows": [{"on": "08:00", "off": "12:00"}, {"on": "22:00", "off": "02:00"}]}
    )
    assert [program.wants_on(_at(h)) for h in (7, 8, 11, 12, 21, 22, 23, 1, 2)] == [
        False, True, True, False, False, True, True, True, False,
    ]  # fmt: skip


def test_cycle_inside_a_window() -> None:
    """A 30/30 s cycle runs only inside the window, counted from midnight so restarts do not shift it."""
    program = OutletProgram((Window(dt.time(9), dt.time(10)),), 30, 30)
    assert program.wants_on(_at(9, 0, 0))
    assert program.wants_on(_at(9, 0, 29))
    assert not program.wants_on(_at(9, 0, 30))
    assert program.wants_on(_at(9, 1, 0))
    assert not program.wants_on(_at(10, 0, 0))
    assert OutletProgram(cycle_on_seconds=10, cycle_off_seconds=50).wants_on(_at(3, 7, 5))


def test_round_trip() -> None:
    """The stored form reads back to the same program."""
    program = OutletProgram((Window(dt.time(8, 30), dt.time(21)),), 20, 40)
    assert OutletProgram.from_dict(program.to_dict()) == program


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"windows": [{"on": "8 o'clock", "off": "09:00"}]}, "outlet_invalid_time"),
        ({"windows": [{"on": "09:00", "off": "09:00"}]}, "outlet_empty_window"),
        ({"cycle_on_seconds": 30}, "outlet_invalid_cycle"),
        ({"cycle_on_seconds": 30, "cycle_off_seconds": 100_000}, "outlet_invalid_cycle"),
        ({"cycle_on_seconds": "lots", "cycle_off_seconds": 3}, "outlet_invalid_cycle"),
        ({}, "outlet_empty_program"),
    ],
)
def test_refused(data: dict[str, object], key: str) -> None:
    """Each mistake has its own translated reason."""
    with pytest.raises(ProgramError) as err:
        OutletProgram.from_dict(data)
    assert err.value.translation_key == key
