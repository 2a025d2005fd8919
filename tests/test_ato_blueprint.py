"""The top-off alert blueprint, fired by the top-off's own alerts."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant

from custom_components.bellas_reef.ato import ALARM_MESSAGES, ALARM_NAMES
from custom_components.bellas_reef.topoff import Alarm

from .conftest import advance
from .test_ato import FLOAT, RESERVOIR, _fill_starts, _setup
from .test_blueprints import _messages, _use


def _sent(hass: HomeAssistant) -> list[str]:
    """The blueprint's notifications (the top-off's own carry the message alone)."""
    ours = {f"{ALARM_NAMES[alarm]}: {ALARM_MESSAGES[alarm]}" for alarm in Alarm}
    return [message for message in _messages(hass) if message in ours]


def _text(alarm: Alarm) -> str:
    return f"{ALARM_NAMES[alarm]}: {ALARM_MESSAGES[alarm]}"


async def test_a_lockout_notifies_once(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """A fill that never reaches the float: one notification, however long the lockout lasts."""
    await _use(hass, "ato_lockout.yaml", {})
    await _setup(hass)
    await _fill_starts(hass, freezer)
    await advance(hass, freezer, 600, steps=60)
    assert _sent(hass) == [_text(Alarm.LOCKOUT)]


async def test_an_empty_reservoir_notifies_unless_left_out(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Left out, the reservoir's alert runs nothing; the daily limit, asked for, does."""
    await _use(hass, "ato_lockout.yaml", {"include_reservoir": False, "include_daily_limit": True})
    await _setup(hass)
    hass.states.async_set(RESERVOIR, "on")
    await hass.async_block_till_done()
    assert _sent(hass) == []
    hass.states.async_set(RESERVOIR, "off")
    for _ in range(4):
        await _fill_starts(hass, freezer)
        hass.states.async_set(FLOAT, "off")
        await advance(hass, freezer, 1)
    assert _sent(hass) == [_text(Alarm.DAILY_LIMIT)]


async def test_the_reservoir_alert_runs_by_default(hass: HomeAssistant) -> None:
    """Defaults: an empty reservoir notifies, with what to do."""
    await _use(hass, "ato_lockout.yaml", {})
    await _setup(hass)
    hass.states.async_set(RESERVOIR, "on")
    await hass.async_block_till_done()
    assert _sent(hass) == [_text(Alarm.RESERVOIR_EMPTY)]
