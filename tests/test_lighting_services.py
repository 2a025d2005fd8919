"""Lighting programs, layers, effects and overrides driven through the entity services, down to the chip."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.light.const import ATTR_EFFECT, DOMAIN as LIGHT_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN
from custom_components.bellas_reef.coordinator.lighting import Channel
from custom_components.bellas_reef.hardware.simulated import SimulatedPCA9685
from custom_components.bellas_reef.lighting.astronomy import moon_day
from custom_components.bellas_reef.models import ReefConfigEntry

from .conftest import advance

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROYAL_BLUE = "light.royal_blue"
WHITE = "light.white"


@pytest.fixture
async def tank(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> ReefConfigEntry:
    """The controller in Amsterdam on midsummer's day, just after local midnight."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    freezer.move_to(datetime(2026, 6, 21, 0, 0, tzinfo=AMSTERDAM))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


def _channel(entry: ReefConfigEntry, name: str) -> Channel:
    return next(ch for ch in entry.runtime_data.lighting.channels.values() if ch.name == name)


def _chip(entry: ReefConfigEntry, output: int) -> int:
    chip = entry.runtime_data.simulator.bus.device(0x40)
    assert isinstance(chip, SimulatedPCA9685)
    return chip.output_duty(output)


async def _call(hass: HomeAssistant, service: str, entity_id: str | list[str], **data: Any) -> Any:
    return await hass.services.async_call(DOMAIN, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True)


async def _move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, hour: int, minute: int = 0) -> None:
    """Jump to a local time on the test day and let a tick (and the ramp, given 3 s) settle."""
    freezer.move_to(datetime(2026, 6, 21, hour, minute, tzinfo=AMSTERDAM) - timedelta(seconds=3))
    await advance(hass, freezer, 3)


async def test_daylight_follows_the_real_sun(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A daylight program is dark before sunrise (05:18) and after sunset (22:06), and peaks near 13:40."""
    await _call(hass, "set_program", ROYAL_BLUE, program="daylight", peak=80, shape="sine")
    channel = _channel(tank, "Royal blue")
    day: dict[str, int] = {}
    for minutes in range(0, 24 * 60, 10):
        await _move_to(hass, freezer, minutes // 60, minutes % 60)
        day[f"{minutes // 60:02d}:{minutes % 60:02d}"] = _chip(tank, 0)
        assert _chip(tank, 0) == channel.mapping.duty(channel.target_level)
    assert day["05:10"] == 0
    assert day["05:30"] > 0
    assert day["21:50"] > 0
    assert day["22:20"] == 0
    brightest = max(day, key=lambda time: day[time])
    assert "13:00" <= brightest <= "14:20"
    assert day[brightest] == pytest.approx(channel.mapping.duty(0.8), abs=2)
    state = hass.states.get(ROYAL_BLUE)
    assert state is not None
    assert state.attributes["program"] == "daylight"


async def test_moonlight_layer_reaches_below_one_percent(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A 0.05 % moonlight window shows a duty of a few counts at night and nothing by day."""
    await _call(
        hass, "set_layers", ROYAL_BLUE, moonlight_level=0.05, moonlight_start="21:00", moonlight_end="06:00"
    )
    await _move_to(hass, freezer, 1)
    night = _chip(tank, 0)
    assert 0 < night < 0.01 * 4096
    await _move_to(hass, freezer, 12)
    assert _chip(tank, 0) == 0
    assert hass.states.get(ROYAL_BLUE).attributes["layers"] == ["moonlight"]  # type: ignore[union-attr]


async def test_manual_change_is_an_override_that_resumes(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Turning a light on holds it for the channel's override duration, then the program comes back."""
    await _call(hass, "set_program", ROYAL_BLUE, program="static", level=20)
    await advance(hass, freezer, 3)
    program_duty = _chip(tank, 0)
    await hass.services.async_call(
        LIGHT_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: ROYAL_BLUE, "brightness": 255}, blocking=True
    )
    await advance(hass, freezer, 3)
    assert _chip(tank, 0) == 4096
    state = hass.states.get(ROYAL_BLUE)
    assert state is not None
    assert state.attributes["override_until"] is not None
    await advance(hass, freezer, 59 * 60)
    assert _chip(tank, 0) == 4096
    await advance(hass, freezer, 2 * 60, steps=2)
    assert _chip(tank, 0) == program_duty
    assert hass.states.get(ROYAL_BLUE).attributes["brightness"] == 51  # type: ignore[union-attr]

    await hass.services.async_call(
        LIGHT_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: ROYAL_BLUE}, blocking=True
    )
    await advance(hass, freezer, 3)
    assert _chip(tank, 0) == 0
    await _call(hass, "resume", ROYAL_BLUE)
    await advance(hass, freezer, 3)
    assert _chip(tank, 0) == program_duty

    await _call(hass, "override", ROYAL_BLUE, level=50, duration={"minutes": 5})
    await advance(hass, freezer, 3)
    assert _chip(tank, 0) == _channel(tank, "Royal blue").mapping.duty(0.5)
    await advance(hass, freezer, 5 * 60)
    assert _chip(tank, 0) == program_duty


async def test_storm_flashes_at_twenty_hertz_and_stops(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A storm darkens the channels and flashes between 1 s ticks; HA's state shows the effect; stop ends it."""
    await _call(hass, "set_program", [ROYAL_BLUE, WHITE], program="static", level=60)
    await advance(hass, freezer, 3)
    calm = _chip(tank, 0)
    await _call(hass, "start_effect", [ROYAL_BLUE, WHITE], effect="storm", strength=90, seed=7)
    duties = []
    for _ in range(20 * 30):
        await advance(hass, freezer, 0.05)
        duties.append(_chip(tank, 0))
    assert min(duties) < calm * 0.7
    assert max(duties) > calm
    assert len(set(duties)) > 50
    assert hass.states.get(ROYAL_BLUE).attributes[ATTR_EFFECT] == "storm"  # type: ignore[union-attr]

    await _call(hass, "stop_effect", [ROYAL_BLUE, WHITE])
    await advance(hass, freezer, 3)
    assert _chip(tank, 0) == calm
    assert hass.states.get(ROYAL_BLUE).attributes[ATTR_EFFECT] == "off"  # type: ignore[union-attr]


async def test_effects_from_light_turn_on_and_clouds_travel(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """`light.turn_on` with an effect starts it; clouds reach the second channel later than the first."""
    await _call(hass, "set_program", [ROYAL_BLUE, WHITE], program="static", level=80)
    await advance(hass, freezer, 3)
    await hass.services.async_call(
        LIGHT_DOMAIN,
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: [ROYAL_BLUE, WHITE], ATTR_EFFECT: "clouds"},
        blocking=True,
    )
    first, second = _channel(tank, "Royal blue"), _channel(tank, "White")
    assert first.plan.events[0].seed == second.plan.events[0].seed
    levels: list[tuple[float, float]] = []
    for _ in range(20 * 60):
        await advance(hass, freezer, 0.05)
        levels.append((first.target_level, second.target_level))
    assert any(a != b for a, b in levels)
    assert hass.states.get(WHITE).attributes[ATTR_EFFECT] == "clouds"  # type: ignore[union-attr]
    await hass.services.async_call(
        LIGHT_DOMAIN,
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: [ROYAL_BLUE, WHITE], ATTR_EFFECT: "off"},
        blocking=True,
    )
    assert first.plan.events == ()


async def test_lightning_burst_hits_full_output(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A lightning burst steps the output to a flash and back without a ramp, then ends by itself."""
    await _call(hass, "set_program", ROYAL_BLUE, program="static", level=10)
    await advance(hass, freezer, 3)
    calm = _chip(tank, 0)
    await _call(hass, "start_effect", ROYAL_BLUE, effect="lightning", strength=100, flashes=3, seed=1)
    duties = []
    for _ in range(20 * 12):
        await advance(hass, freezer, 0.05)
        duties.append(_chip(tank, 0))
    assert max(duties) >= 0.9 * 4096
    assert duties[-1] == calm
    assert _channel(tank, "Royal blue").plan.events == ()


async def test_preview_returns_the_days_curve(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Preview gives one point per minute for a whole day, dark at night, and the winter day is shorter."""
    await _call(hass, "set_program", ROYAL_BLUE, program="daylight", peak=100)
    summer = (
        await hass.services.async_call(
            DOMAIN, "preview", {ATTR_ENTITY_ID: ROYAL_BLUE}, blocking=True, return_response=True
        )
    )[ROYAL_BLUE]
    assert summer["date"] == "2026-06-21"
    assert len(summer["points"]) == 1440
    assert summer["points"][0]["level"] == 0
    winter = (
        await hass.services.async_call(
            DOMAIN,
            "preview",
            {ATTR_ENTITY_ID: ROYAL_BLUE, "date": "2026-12-21", "step_minutes": 15},
            blocking=True,
            return_response=True,
        )
    )[ROYAL_BLUE]
    assert len(winter["points"]) == 96
    lit = [sum(1 for point in day["points"] if point["level"] > 0) for day in (summer, winter)]
    assert lit[0] / 1440 > 2 * lit[1] / 96


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("set_program", {"program": "static"}, "field_required_with"),
        ("set_program", {"program": "daylight", "shape": "square"}, "field_not_a_choice"),
        (
            "set_program",
            {"program": "schedule", "points": [{"time": "25:00", "level": 1}, {"time": "08:00", "level": 2}]},
            "field_not_a_time",
        ),
        (
            "set_program",
            {"program": "mimic", "latitude": 1, "longitude": 2, "time_zone": "Mars/Base"},
            "field_not_a_time_zone",
        ),
        (
            "set_layers",
            {"moonlight_level": 1, "moonlight_start": "21:00", "moonlight_end": "21:00"},
            "empty_window",
        ),
        (
            "start_effect",
            {"effect": "lightning", "flashes": 50, "duration": {"seconds": 5}},
            "lightning_too_short",
        ),
    ],
)
async def test_invalid_input_is_refused_and_changes_nothing(
    hass: HomeAssistant, tank: ReefConfigEntry, service: str, data: dict[str, Any], key: str
) -> None:
    """Bad parameters raise a translated ServiceValidationError and leave the plan as it was."""
    await _call(hass, "set_program", ROYAL_BLUE, program="static", level=30)
    before = _channel(tank, "Royal blue").plan
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, ROYAL_BLUE, **data)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    assert str(err.value)
    assert _channel(tank, "Royal blue").plan == before


async def test_plans_survive_a_restart(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Program, layers, a running effect and an override all come back after a reload."""
    await _call(hass, "set_program", ROYAL_BLUE, program="daylight", peak=70, shape="bell")
    await _call(
        hass, "set_layers", ROYAL_BLUE, lunar_max_level=2, acclimation_days=30, acclimation_start_level=40
    )
    await _call(hass, "start_effect", ROYAL_BLUE, effect="clouds", duration={"minutes": 20}, seed=3)
    await _call(hass, "override", ROYAL_BLUE, level=10, duration={"minutes": 30})
    before = _channel(tank, "Royal blue").plan.to_dict()
    assert await hass.config_entries.async_reload(tank.entry_id)
    await hass.async_block_till_done()
    assert _channel(tank, "Royal blue").plan.to_dict() == before
    state = hass.states.get(ROYAL_BLUE)
    assert state is not None
    assert state.attributes["layers"] == ["acclimation", "lunar"]


async def test_mimic_follows_a_weather_entity(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Bora Bora's sun on the local clock, dimmed by forecast cloud cover, with a storm when it thunders."""
    assert await async_setup_component(
        hass, "input_number", {"input_number": {"clouds": {"min": 0, "max": 100}}}
    )
    assert await async_setup_component(
        hass, "input_text", {"input_text": {"condition": {"initial": "sunny"}}}
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "weather": [
                        {
                            "name": "Bora Bora",
                            "condition_template": "{{ states('input_text.condition') }}",
                            "temperature_template": "{{ 28 }}",
                            "humidity_template": "{{ 75 }}",
                            "cloud_coverage_template": "{{ states('input_number.clouds') | float }}",
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    await _call(
        hass,
        "set_program",
        ROYAL_BLUE,
        program="mimic",
        latitude=-16.50,
        longitude=-151.74,
        time_zone="Pacific/Tahiti",
        peak=100,
        weather_entity="weather.bora_bora",
        cloud_dimming=80,
    )
    await _move_to(hass, freezer, 2)
    assert _chip(tank, 0) == 0
    await _move_to(hass, freezer, 12)
    clear = _chip(tank, 0)
    assert clear > 0.5 * 4096

    await hass.services.async_call(
        "input_number", "set_value", {ATTR_ENTITY_ID: "input_number.clouds", "value": 100}, blocking=True
    )
    await _move_to(hass, freezer, 12, 10)
    assert _chip(tank, 0) < 0.5 * clear

    await hass.services.async_call(
        "input_text",
        "set_value",
        {ATTR_ENTITY_ID: "input_text.condition", "value": "lightning-rainy"},
        blocking=True,
    )
    duties = []
    for _ in range(20 * 60):
        await advance(hass, freezer, 0.05)
        duties.append(_chip(tank, 0))
    darkest = min(duties)
    assert darkest < 0.6 * clear
    assert max(duties[40:]) > 2 * darkest


async def test_lunar_layer_over_a_month(
    hass: HomeAssistant, tank: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Over a lunar month the channel glows only while the moon is up, brighter near full moon than near new."""
    await _call(hass, "set_layers", ROYAL_BLUE, lunar_max_level=4)
    channel = _channel(tank, "Royal blue")
    place = tank.runtime_data.lighting.place
    nightly_peak: dict[str, int] = {}
    for day in range(30):
        for hour in range(1, 24, 2):
            when = datetime(2026, 6, 21, hour, tzinfo=AMSTERDAM) + timedelta(days=day)
            freezer.move_to(when - timedelta(seconds=3))
            await advance(hass, freezer, 3)
            duty = _chip(tank, 0)
            moon = moon_day(place.latitude, place.longitude, place.time_zone, when.date())
            if not moon.is_up(when.timestamp()):
                assert duty == 0, when
            elif moon.fraction_illuminated(when.timestamp()) > 0.01:
                assert duty > 0, when
            assert duty <= channel.mapping.duty(0.04)
            key = when.date().isoformat()
            nightly_peak[key] = max(nightly_peak.get(key, 0), duty)
    # Full moon 2026-06-29 and new moon 2026-07-14 (published lunar phase tables).
    assert nightly_peak["2026-06-29"] > 4 * max(nightly_peak["2026-07-14"], 1)
