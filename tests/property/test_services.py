"""Generated calls of every service: no crash, a translated error or success, and nothing changed on error."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from hypothesis import strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_OUTLET
from tests.conftest import channel_subentry, probe_subentry

from .hostile import HOSTILE, assert_translated, maybe, numbers, run_examples, times

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LIGHTS = ["light.royal_blue", "light.white"]
PERCENT = numbers(0, 100)


@pytest.fixture
async def tank(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> MockConfigEntry:
    """Two channels, two probes and two simulated outlets, in Amsterdam."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    freezer.move_to(datetime(2026, 11, 30, 12, 0, tzinfo=AMSTERDAM))
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Display reef",
        unique_id="display_reef",
        data={"name": "Display reef", "latitude": 52.37, "longitude": 4.89},
        subentries_data=[
            channel_subentry("Royal blue", output=0),
            channel_subentry("White", output=1, role="white"),
            probe_subentry("Water temperature", "temperature"),
            probe_subentry("pH", "ph"),
            *(
                {
                    "data": {"driver": "simulated", "role": role, "boot_delay": 0},
                    "subentry_type": SUBENTRY_OUTLET,
                    "title": role.replace("_", " ").capitalize(),
                    "unique_id": f"simulated:{role}",
                }
                for role in ("return_pump", "powerhead")
            ),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _state(entry: MockConfigEntry) -> Any:
    """Everything a call could change: each channel's plan, each outlet's program, feed mode."""
    runtime = entry.runtime_data
    return (
        {sid: channel.plan.to_dict() for sid, channel in runtime.lighting.channels.items()},
        {sid: outlet.program for sid, outlet in runtime.outlets.outlets.items()},
        runtime.outlets.feed_until,
    )


def _lights() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({ATTR_ENTITY_ID: st.sampled_from([*LIGHTS, LIGHTS])})


PROGRAM_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "level": PERCENT,
    "points": st.one_of(
        st.lists(st.fixed_dictionaries({"time": times(), "level": PERCENT}), max_size=5),
        st.lists(st.fixed_dictionaries({}, optional={"time": times(), "level": PERCENT}), max_size=3),
        st.just([{"time": f"{m // 60:02d}:{m % 60:02d}", "level": 1} for m in range(0, 1440, 1)]),
        HOSTILE,
    ),
    "interpolation": st.one_of(st.sampled_from(["linear", "smooth"]), HOSTILE),
    "peak": PERCENT,
    "shape": st.one_of(st.sampled_from(["sine", "bell", "plateau"]), HOSTILE),
    "sunrise_offset": numbers(-720, 720),
    "sunset_offset": numbers(-720, 720),
    "ramp_minutes": numbers(1, 720),
    "latitude": numbers(-90, 90),
    "longitude": numbers(-180, 180),
    "time_zone": st.one_of(st.sampled_from(["Pacific/Tahiti", "UTC", "Mars/Base", "Europe"]), HOSTILE),
    "weather_entity": st.one_of(st.sampled_from(["weather.home", "sensor.ph"]), HOSTILE),
    "cloud_dimming": PERCENT,
    "storm_strength": PERCENT,
}
DURATIONS = st.one_of(
    st.fixed_dictionaries(
        {}, optional={"hours": numbers(0, 200), "minutes": numbers(0, 60), "seconds": numbers(0, 60)}
    ),
    st.sampled_from(["00:00:00", "00:00:05", "01:00:00", "99999999:00:00", "-01:00:00"]),
    numbers(0, 700_000),
    HOSTILE,
)
DATES = st.one_of(st.dates().map(str), HOSTILE)

SERVICES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "set_program": st.tuples(
        _lights(),
        st.fixed_dictionaries(
            {"program": st.one_of(st.sampled_from(["static", "schedule", "daylight", "mimic"]), HOSTILE)}
        ),
        maybe(PROGRAM_FIELDS),
    ).map(lambda parts: parts[0] | parts[1] | parts[2]),
    "set_layers": st.tuples(
        _lights(),
        maybe(
            {
                "lunar_max_level": PERCENT,
                "moonlight_level": PERCENT,
                "moonlight_start": times(),
                "moonlight_end": times(),
                "acclimation_days": numbers(1, 365),
                "acclimation_start_level": PERCENT,
                "acclimation_start_date": DATES,
            }
        ),
    ).map(lambda parts: parts[0] | parts[1]),
    "start_effect": st.tuples(
        _lights(),
        st.fixed_dictionaries(
            {"effect": st.one_of(st.sampled_from(["clouds", "storm", "lightning"]), HOSTILE)}
        ),
        maybe(
            {
                "duration": DURATIONS,
                "strength": PERCENT,
                "seed": numbers(0, 2**31),
                "depth": PERCENT,
                "flashes": numbers(1, 100),
            }
        ),
    ).map(lambda parts: parts[0] | parts[1] | parts[2]),
    "stop_effect": st.tuples(
        _lights(), maybe({"effect": st.one_of(st.sampled_from(["clouds", "storm", "lightning"]), HOSTILE)})
    ).map(lambda parts: parts[0] | parts[1]),
    "override": st.tuples(
        _lights(), st.fixed_dictionaries({"level": PERCENT}), maybe({"duration": DURATIONS})
    ).map(lambda parts: parts[0] | parts[1] | parts[2]),
    "resume": _lights(),
    "preview": st.tuples(_lights(), maybe({"date": DATES, "step_minutes": numbers(1, 1440)})).map(
        lambda parts: parts[0] | parts[1]
    ),
    "readings": st.tuples(
        st.fixed_dictionaries(
            {
                "entity_id": st.sampled_from(
                    ["sensor.water_temperature", "light.white", "switch.return_pump", "sensor.outside"]
                ),
                "start": st.one_of(
                    st.datetimes().map(str), st.datetimes().map(lambda d: d.isoformat()), HOSTILE
                ),
            }
        ),
        maybe({"end": st.one_of(st.datetimes().map(str), HOSTILE), "buckets": numbers(1, 2000)}),
    ).map(lambda parts: parts[0] | parts[1]),
    "calibrate_probe": st.tuples(
        st.fixed_dictionaries(
            {
                ATTR_ENTITY_ID: st.sampled_from(
                    ["sensor.water_temperature", "sensor.ph", "sensor.display_reef_driver_errors"]
                ),
                "point": st.one_of(st.sampled_from(["mid", "low", "dry", "clear"]), HOSTILE),
            }
        ),
        maybe({"value": numbers(0, 200_000)}),
    ).map(lambda parts: parts[0] | parts[1]),
    "set_outlet_program": st.tuples(
        st.fixed_dictionaries({ATTR_ENTITY_ID: st.sampled_from(["switch.return_pump", "switch.powerhead"])}),
        maybe(
            {
                "windows": st.one_of(
                    st.lists(st.fixed_dictionaries({"on": times(), "off": times()}), max_size=4),
                    st.lists(st.dictionaries(st.sampled_from(["on", "off", "x"]), times()), max_size=2),
                    HOSTILE,
                ),
                "cycle_on_seconds": numbers(0, 86400),
                "cycle_off_seconds": numbers(0, 86400),
            }
        ),
    ).map(lambda parts: parts[0] | parts[1]),
    "feed_mode": maybe(
        {
            "minutes": numbers(0.5, 240),
            "roles": st.one_of(
                st.lists(st.sampled_from(["return_pump", "skimmer", "aquarium"]), max_size=9), HOSTILE
            ),
            "stop": st.one_of(st.booleans(), HOSTILE),
        }
    ),
}


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_generated_calls(hass: HomeAssistant, tank: MockConfigEntry, service: str) -> None:
    """Whatever a script sends, the service succeeds or refuses in translated words, changing nothing."""
    response = service in ("preview", "readings")

    async def call(data: dict[str, Any]) -> None:
        if service == "feed_mode":
            data = {"config_entry_id": tank.entry_id, **data}
        before = _state(tank)
        try:
            await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=response)
        except ServiceValidationError as err:
            assert_translated(err)
            assert _state(tank) == before, data
        if service == "feed_mode":
            await tank.runtime_data.outlets.async_stop_feed()

    await run_examples(hass, SERVICES[service], call)
