"""The weather feed: HA weather entities and their hourly forecasts, as the lighting engine sees them."""

from __future__ import annotations

from datetime import UTC, datetime

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.bellas_reef.lighting import WeatherData
from custom_components.bellas_reef.weather import WeatherFeed

HOURS = [datetime(2026, 6, 21, hour, tzinfo=UTC) for hour in range(3)]
FORECAST = (
    "["
    + ", ".join(
        f"{{'datetime': '{hour.isoformat()}', 'condition': 'cloudy', 'temperature': 28, 'cloud_coverage': {20 * i}}}"
        for i, hour in enumerate(HOURS)
    )
    + ", {'datetime': 'not a time', 'cloud_coverage': 10}, {'datetime': '2026-06-21T05:00:00+00:00'}]"
)


async def test_feed_follows_state_and_hourly_forecast(hass: HomeAssistant) -> None:
    """Cloud cover, condition and the hourly forecast arrive; unknown states and bad hours are dropped."""
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "weather": [
                        {
                            "name": "Tahiti",
                            "condition_template": "{{ 'lightning' }}",
                            "temperature_template": "{{ 28 }}",
                            "humidity_template": "{{ 70 }}",
                            "cloud_coverage_template": "{{ 35 }}",
                            "forecast_hourly_template": "{{ " + FORECAST + " }}",
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    published: list[dict[str, WeatherData]] = []
    feed = WeatherFeed(hass, published.append)
    await feed.async_follow(["weather.tahiti"])
    data = published[-1]["weather.tahiti"]
    assert data.cloud_cover == 35
    assert data.condition == "lightning"
    assert data.stormy
    assert data.forecast == tuple((hour, 20.0 * i) for i, hour in enumerate(HOURS))
    assert data.cloud_cover_at(HOURS[1].timestamp() + 60) == 20

    hass.states.async_set("weather.tahiti", "unavailable")
    await hass.async_block_till_done()
    assert "weather.tahiti" not in published[-1]
    hass.states.async_set("weather.tahiti", "sunny", {"cloud_coverage": 250})
    await hass.async_block_till_done()
    assert published[-1]["weather.tahiti"].cloud_cover is None

    await feed.async_follow(["weather.tahiti"])
    await feed.async_follow([])
    assert published[-1] == {}
    feed.async_stop()


async def test_feed_without_forecasts_keeps_current_cover(hass: HomeAssistant) -> None:
    """An entity with no weather integration behind it still gives its current cover."""
    hass.states.async_set("weather.balcony", "cloudy", {"cloud_coverage": 80})
    published: list[dict[str, WeatherData]] = []
    feed = WeatherFeed(hass, published.append)
    await feed.async_follow(["weather.balcony"])
    assert published[-1]["weather.balcony"] == WeatherData(cloud_cover=80, condition="cloudy")
    feed.async_stop()
