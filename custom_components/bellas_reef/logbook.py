"""Logbook entries for safety alerts."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_ALERT


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str | None]]], None],
) -> None:
    """Describe `bellas_reef_alert` as "<rule> raised at 28.1 (limit 27.8)"."""

    @callback
    def describe(event: Event) -> dict[str, str | None]:
        data = event.data
        state = "raised" if data.get("state") == "raised" else "cleared"
        return {
            LOGBOOK_ENTRY_NAME: f"{data.get('controller')}: {data.get('name')}",
            LOGBOOK_ENTRY_MESSAGE: f"{state} at {data.get('value')} (limit {data.get('limit')})",
        }

    async_describe_event(DOMAIN, EVENT_ALERT, describe)
