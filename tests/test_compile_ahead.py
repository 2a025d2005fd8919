"""The lighting coordinator compiles each day's plans in a worker thread, never in a tick on the event loop."""

from __future__ import annotations

import datetime as dt
import threading

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN
from custom_components.bellas_reef.lighting import Layer, LightingContext, Program, compiled

from .conftest import advance


async def test_the_new_day_is_compiled_before_midnight_off_the_loop(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Set-up and the quarter hour before local midnight compile in the executor; ticks only look days up."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    freezer.move_to(dt.datetime(2026, 6, 21, 23, 30, tzinfo=dt.UTC) - dt.timedelta(hours=2))
    loop_thread = threading.get_ident()
    compiles: list[tuple[dt.date, bool]] = []
    compile_day = compiled.compile_day

    def recording(
        program: Program, layers: tuple[Layer, ...], day: dt.date, context: LightingContext
    ) -> compiled.CompiledDay:
        compiles.append((day, threading.get_ident() == loop_thread))
        return compile_day(program, layers, day, context)

    monkeypatch.setattr(compiled, "compile_day", recording)
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert compiles, "set-up compiled the day"
    assert {day for day, _on_loop in compiles} == {dt.date(2026, 6, 21)}
    await advance(hass, freezer, 60 * 60, steps=120)
    assert dt.date(2026, 6, 22) in {day for day, _on_loop in compiles}
    assert not [day for day, on_loop in compiles if on_loop], f"compiled on the loop: {compiles}"


async def test_a_new_program_is_compiled_off_the_loop(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """set_program compiles the new plan's day in the executor before the tick that shows it."""
    loop_thread = threading.get_ident()
    on_loop: list[dt.date] = []
    compile_day = compiled.compile_day

    def recording(
        program: Program, layers: tuple[Layer, ...], day: dt.date, context: LightingContext
    ) -> compiled.CompiledDay:
        if threading.get_ident() == loop_thread:
            on_loop.append(day)
        return compile_day(program, layers, day, context)

    monkeypatch.setattr(compiled, "compile_day", recording)
    await hass.services.async_call(
        DOMAIN,
        "set_program",
        {ATTR_ENTITY_ID: ["light.royal_blue", "light.white"], "program": "daylight", "peak": 70},
        blocking=True,
    )
    state = hass.states.get("light.royal_blue")
    assert state is not None
    assert state.attributes["program"] == "daylight"
    assert on_loop == []
