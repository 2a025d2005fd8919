"""The weather a mimic program reads: cloud cover and condition from HA weather entities, with hourly forecasts.

The engine is pure and takes the weather as data; this keeps that data current from HA's state machine and from
`weather.get_forecasts`, for only the entities some channel's program names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
import logging
from typing import Any, Final

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.util import dt as dt_util

from .lighting import PlanError, WeatherData

_LOGGER = logging.getLogger(__name__)

FORECAST_REFRESH: Final = timedelta(minutes=30)
ATTR_CLOUD_COVERAGE: Final = "cloud_coverage"


def _percent(value: Any) -> float | None:
    try:
        cover = float(value)
    except TypeError, ValueError:
        return None
    return cover if 0.0 <= cover <= 100.0 else None


def _forecast(items: Iterable[Mapping[str, Any]]) -> tuple[tuple[Any, float], ...]:
    """(start of hour, cloud cover) pairs from a get_forecasts answer, skipping hours without cover."""
    hours = []
    for item in items:
        when = dt_util.parse_datetime(str(item.get("datetime", "")))
        cover = _percent(item.get(ATTR_CLOUD_COVERAGE))
        if when is not None and when.tzinfo is not None and cover is not None:
            hours.append((when, cover))
    return tuple(sorted(hours, key=lambda hour: hour[0]))


class WeatherFeed:
    """Follows the weather entities named by mimic programs and hands their data to the lighting engine."""

    def __init__(self, hass: HomeAssistant, publish: Callable[[dict[str, WeatherData]], None]) -> None:
        """`publish` receives the whole weather map whenever any of it changes."""
        self.hass = hass
        self._publish = publish
        self._entities: frozenset[str] = frozenset()
        self._data: dict[str, WeatherData] = {}
        self._forecasts: dict[str, tuple[tuple[Any, float], ...]] = {}
        self._unsubs: list[CALLBACK_TYPE] = []

    async def async_follow(self, entity_ids: Iterable[str]) -> None:
        """Follow exactly these entities (nothing when empty); fetch their forecasts now."""
        wanted = frozenset(entity_ids)
        if wanted == self._entities:
            return
        self.async_stop()
        self._entities = wanted
        if not wanted:
            self._data = {}
            self._publish({})
            return
        self._unsubs = [
            async_track_state_change_event(self.hass, list(wanted), self._async_state_changed),
            async_track_time_interval(
                self.hass,
                self._async_refresh_forecasts,
                FORECAST_REFRESH,
                name="bellas_reef weather forecasts",
            ),
        ]
        await self._async_refresh_forecasts()

    @callback
    def async_stop(self) -> None:
        """Stop following every entity."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        self._update(event.data["entity_id"], event.data["new_state"])
        self._publish(dict(self._data))

    def _update(self, entity_id: str, state: State | None) -> None:
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            self._data.pop(entity_id, None)
            return
        try:
            self._data[entity_id] = WeatherData(
                cloud_cover=_percent(state.attributes.get(ATTR_CLOUD_COVERAGE)),
                condition=state.state,
                forecast=self._forecasts.get(entity_id, ()),
            )
        except PlanError as err:
            _LOGGER.debug("Ignoring the weather of %s: %s", entity_id, err)
            self._data.pop(entity_id, None)

    async def _async_refresh_forecasts(self, _now: Any = None) -> None:
        entities = sorted(self._entities)
        try:
            response = await self.hass.services.async_call(
                "weather",
                "get_forecasts",
                {"entity_id": entities, "type": "hourly"},
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError as err:
            _LOGGER.debug("No hourly forecast for %s: %s", entities, err)
            response = {}
        for entity_id in entities:
            answer = (response or {}).get(entity_id)
            items = answer.get("forecast") if isinstance(answer, Mapping) else None
            self._forecasts[entity_id] = _forecast(
                item for item in (items if isinstance(items, list) else []) if isinstance(item, Mapping)
            )
            self._update(entity_id, self.hass.states.get(entity_id))
        self._publish(dict(self._data))
