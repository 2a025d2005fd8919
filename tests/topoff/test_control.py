"""The top-off without Home Assistant: debounce, fill to full, lockout, daily limits, pauses and hostile sensors."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.bellas_reef.topoff import Alarm, Settings, Status, TopOff, TopOffError

DAY = "2026-11-30"


def step(
    top_off: TopOff,
    now: float,
    low: bool | None,
    *,
    reservoir_empty: bool | None = False,
    paused: bool = False,
    day: str = DAY,
) -> list[tuple[Alarm, bool]]:
    return top_off.update(now, day, low=low, reservoir_empty=reservoir_empty, paused=paused)


def test_a_fill_starts_after_the_debounce_and_stops_at_full() -> None:
    top_off = TopOff(Settings(debounce=10, max_fill=120))
    step(top_off, 0, False)
    assert top_off.status == Status.FULL
    step(top_off, 1, True)
    step(top_off, 10, True)
    assert (top_off.status, top_off.filling) == (Status.WAITING, False)
    step(top_off, 11, True)
    assert (top_off.status, top_off.filling, top_off.fills_today) == (Status.FILLING, True, 1)
    step(top_off, 41, False)
    assert (top_off.status, top_off.filling) == (Status.FULL, False)
    assert top_off.run_today == pytest.approx(30)


def test_a_ripple_restarts_the_debounce() -> None:
    top_off = TopOff(Settings(debounce=10))
    step(top_off, 0, True)
    step(top_off, 8, False)
    step(top_off, 9, True)
    step(top_off, 18, True)
    assert not top_off.filling
    step(top_off, 19, True)
    assert top_off.filling


def test_a_fill_at_its_longest_locks_out_until_reset() -> None:
    top_off = TopOff(Settings(debounce=0, max_fill=60))
    step(top_off, 0, True)
    assert top_off.filling
    assert step(top_off, 59, True) == []
    assert step(top_off, 60, True) == [(Alarm.LOCKOUT, True)]
    assert (top_off.filling, top_off.locked_out, top_off.status) == (False, True, Status.LOCKED_OUT)
    step(top_off, 4000, True)
    assert not top_off.filling
    top_off.reset()
    assert step(top_off, 4001, True) == [(Alarm.LOCKOUT, False)]
    assert top_off.filling


def test_full_at_the_last_second_is_no_lockout() -> None:
    top_off = TopOff(Settings(debounce=0, max_fill=60))
    step(top_off, 0, True)
    assert step(top_off, 60, False) == []
    assert not top_off.locked_out


def test_the_days_fills_are_capped_and_counted_again_tomorrow() -> None:
    top_off = TopOff(Settings(debounce=0, max_fills_per_day=2))
    for start in (0, 100):
        step(top_off, start, True)
        step(top_off, start + 5, False)
    assert top_off.fills_today == 2
    assert step(top_off, 200, True) == [(Alarm.DAILY_LIMIT, True)]
    assert (top_off.filling, top_off.status) == (False, Status.DAILY_LIMIT)
    assert step(top_off, 300, True, day="2026-12-01") == [(Alarm.DAILY_LIMIT, False)]
    assert (top_off.filling, top_off.fills_today) == (True, 1)


def test_the_days_run_time_stops_a_fill_half_way() -> None:
    top_off = TopOff(Settings(debounce=0, max_fill=60, max_run_per_day=90))
    step(top_off, 0, True)
    step(top_off, 50, False)
    step(top_off, 100, True)
    step(top_off, 139, True)
    assert top_off.filling
    assert step(top_off, 140, True) == [(Alarm.DAILY_LIMIT, True)]
    assert not top_off.filling
    assert not top_off.locked_out


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"paused": True}, Status.PAUSED),
        ({"reservoir_empty": True}, Status.RESERVOIR_EMPTY),
        ({"reservoir_empty": None}, Status.SENSOR_UNAVAILABLE),
    ],
)
def test_a_pause_or_an_empty_or_unreadable_reservoir_stops_a_fill(
    kwargs: dict[str, object], status: Status
) -> None:
    top_off = TopOff(Settings(debounce=5))
    step(top_off, 0, True)
    step(top_off, 5, True)
    assert top_off.filling
    step(top_off, 6, True, **kwargs)  # type: ignore[arg-type]
    assert (top_off.filling, top_off.status) == (False, status)
    step(top_off, 7, True)
    assert not top_off.filling, "the debounce starts again once the stop is over"
    step(top_off, 12, True)
    assert top_off.filling
    assert top_off.fills_today == 2


def test_an_unreadable_level_sensor_stops_the_pump() -> None:
    top_off = TopOff(Settings(debounce=0))
    step(top_off, 0, True)
    step(top_off, 1, None)
    assert (top_off.filling, top_off.status) == (False, Status.SENSOR_UNAVAILABLE)


def test_reservoir_alarm_raises_and_clears_once() -> None:
    top_off = TopOff(Settings())
    assert step(top_off, 0, False, reservoir_empty=True) == [(Alarm.RESERVOIR_EMPTY, True)]
    assert step(top_off, 1, False, reservoir_empty=True) == []
    assert step(top_off, 2, False) == [(Alarm.RESERVOIR_EMPTY, False)]


def test_disabled_never_fills() -> None:
    top_off = TopOff(Settings(debounce=0))
    top_off.enabled = False
    step(top_off, 0, True)
    assert (top_off.filling, top_off.status) == (False, Status.DISABLED)


def test_what_a_restart_keeps() -> None:
    top_off = TopOff(Settings(debounce=0, max_fill=10))
    step(top_off, 0, True)
    step(top_off, 10, True)
    again = TopOff(Settings())
    again.restore(top_off.to_dict())
    assert again.to_dict() == {
        "enabled": True,
        "locked_out": True,
        "day": DAY,
        "fills_today": 1,
        "run_today": 10.0,
    }
    assert not again.filling


@pytest.mark.parametrize(
    "saved",
    [
        {"fills_today": -1, "run_today": float("nan"), "day": 3},
        {"fills_today": True, "run_today": "lots", "day": None},
        {"fills_today": 2.5, "run_today": -4},
    ],
)
def test_a_garbled_store_restores_nothing_it_cannot_trust(saved: dict[str, object]) -> None:
    top_off = TopOff(Settings())
    top_off.restore(saved)
    assert (top_off.fills_today, top_off.run_today, top_off.day) == (0, 0.0, None)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"debounce": -1}, "ato_out_of_range"),
        ({"max_fill": 1}, "ato_out_of_range"),
        ({"max_fills_per_day": 0}, "ato_out_of_range"),
        ({"max_run_per_day": float("inf")}, "ato_not_a_number"),
        ({"debounce": True}, "ato_not_a_number"),
        ({"max_fill": 600, "max_run_per_day": 300}, "ato_day_shorter_than_fill"),
    ],
)
def test_unusable_settings_are_refused(kwargs: dict[str, float], key: str) -> None:
    with pytest.raises(TopOffError) as raised:
        Settings(**kwargs)
    assert raised.value.translation_key == key


# Mostly low, now and then full or unreadable: the sensors of a tank that wants water.
LEVEL = st.sampled_from([True, True, True, True, False, None])


@given(
    st.lists(
        st.tuples(
            st.floats(0.1, 90),
            LEVEL,
            st.sampled_from([False, False, False, False, False, True, None]),
            st.sampled_from([False, False, False, False, True]),
            st.sampled_from([False, False, False, True]),
        ),
        max_size=200,
    )
)
def test_hostile_sensors_never_flood_the_tank(
    steps: list[tuple[float, bool | None, bool | None, bool, bool]],
) -> None:
    """Whatever the sensors say: no pump without a low reading, no fill past its time, no day past its limits."""
    settings = Settings(debounce=5, max_fill=60, max_fills_per_day=5, max_run_per_day=200)
    top_off = TopOff(settings)
    now = 0.0
    started: float | None = None
    for gap, low, empty, paused, reset in steps:
        now += gap
        if reset:
            top_off.reset()
        step(top_off, now, low, reservoir_empty=empty, paused=paused)
        if top_off.filling:
            assert low is True
            assert empty is False
            assert not paused
            assert not top_off.locked_out
            started = now if started is None else started
            assert now - started < settings.max_fill
        else:
            started = None
        assert top_off.fills_today <= settings.max_fills_per_day
        # The pump's time is counted when it is judged: at most one step beyond the day's limit.
        assert top_off.run_today < settings.max_run_per_day + 90
