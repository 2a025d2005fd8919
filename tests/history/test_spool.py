"""The spool keeps pending batches across restarts, in order, and shrugs off a line torn by a crash."""

from __future__ import annotations

from datetime import timedelta, timezone
import logging
from pathlib import Path

import pytest

from custom_components.bellas_reef.history import Reading, Spool, SpooledBatch

from .helpers import T0, series


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "readings.spool"


def test_batches_come_back_as_they_went_in(path: Path) -> None:
    zoned = Reading(T0.astimezone(timezone(timedelta(hours=10))), "display", "outlet_heater", "power", 151.25)
    first, second = [*series(3), zoned], series(2, source="probe_ph", metric="ph", first_value=8.1)
    spool = Spool(path)
    spool.append("first", first)
    spool.append("second", second)
    assert spool.path == path

    reopened = Spool(path)
    assert reopened.load() == [SpooledBatch("first", 4), SpooledBatch("second", 2)]
    assert reopened.read("first") == first
    assert reopened.read("second") == second
    assert reopened.read("first")[-1].time.utcoffset() == timedelta(hours=10)


def test_a_missing_file_is_an_empty_spool(path: Path) -> None:
    assert Spool(path).load() == []
    assert not path.exists()


def test_acknowledged_batches_are_gone_and_the_file_with_them(path: Path) -> None:
    spool = Spool(path)
    for name in ("a", "b", "c"):
        spool.append(name, series(2))
    spool.acknowledge("b")
    assert Spool(path).load() == [SpooledBatch("a", 2), SpooledBatch("c", 2)]
    spool.acknowledge("a")
    spool.acknowledge("c")
    assert not path.exists()
    assert Spool(path).load() == []


def test_loading_compacts_acknowledged_records(path: Path) -> None:
    spool = Spool(path)
    for index in range(5):
        spool.append(f"batch-{index}", series(20, first_value=index * 100))
    for index in range(4):
        spool.acknowledge(f"batch-{index}")
    grown = path.stat().st_size

    reopened = Spool(path)
    assert reopened.load() == [SpooledBatch("batch-4", 20)]
    assert path.stat().st_size < grown / 4
    reopened.append("batch-5", series(1))
    assert reopened.read("batch-4") == series(20, first_value=400)
    assert Spool(path).load() == [SpooledBatch("batch-4", 20), SpooledBatch("batch-5", 1)]


def test_a_torn_last_line_is_dropped_and_overwritten(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    spool = Spool(path)
    spool.append("a", series(2))
    spool.append("b", series(3))
    with path.open("ab") as file:
        file.write(b'{"batch":"c","rows":[["2026-03-01T12:00:00+00:00","disp')

    after_crash = Spool(path)
    with caplog.at_level(logging.WARNING):
        assert after_crash.load() == [SpooledBatch("a", 2), SpooledBatch("b", 3)]
    assert "torn" in caplog.text
    after_crash.append("d", series(4))
    assert Spool(path).load() == [SpooledBatch("a", 2), SpooledBatch("b", 3), SpooledBatch("d", 4)]
    assert Spool(path).read("d") == series(4)


def test_leftovers_of_a_failed_append_are_overwritten(path: Path) -> None:
    spool = Spool(path)
    spool.append("a", series(2))
    with path.open("ab") as file:
        file.write(b'{"batch":"half-writ')
    spool.append("b", series(2))
    assert Spool(path).load() == [SpooledBatch("a", 2), SpooledBatch("b", 2)]


@pytest.mark.parametrize(
    "garbage", [b"not json\n", b"[1, 2]\n", b'{"batch": 7, "rows": []}\n', b'{"ack": 1}\n']
)
def test_an_unreadable_line_is_skipped_with_an_error(
    path: Path, caplog: pytest.LogCaptureFixture, garbage: bytes
) -> None:
    spool = Spool(path)
    spool.append("a", series(1))
    with path.open("ab") as file:
        file.write(garbage)
    spool = Spool(path)
    with caplog.at_level(logging.ERROR):
        assert spool.load() == [SpooledBatch("a", 1)]
    assert "unreadable record at byte" in caplog.text
    spool.append("b", series(1))

    caplog.clear()
    assert Spool(path).load() == [SpooledBatch("a", 1), SpooledBatch("b", 1)]
    assert garbage not in path.read_bytes()
    assert caplog.text == ""


def test_methods_load_the_file_on_first_use(path: Path) -> None:
    Spool(path).append("a", series(2))
    assert Spool(path).read("a") == series(2)
    late = Spool(path)
    late.acknowledge("a")
    assert not path.exists()


def test_a_file_with_nothing_pending_is_removed_on_load(path: Path) -> None:
    path.write_bytes(b'{"batch":"a","rows":[]}\n{"ack":"a"}\n{"ack":"b"}\n')
    assert Spool(path).load() == []
    assert not path.exists()
