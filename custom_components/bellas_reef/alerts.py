"""Alerts of the thermostat and the top-off: the `bellas_reef_alert` event safety rules fire, and a notification.

Blueprints, automations and the logbook treat them as they treat a rule's; the notification stays until the alert
clears.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_ALERT

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert as the keeper reads it: `alert_id` is the event's `rule_id`, `source` what it watched."""

    alert_id: str
    name: str
    source: str
    condition: str
    value: float
    limit: float
    title: str
    message: str


def async_announce(hass: HomeAssistant, entry: ConfigEntry, alert: Alert, raised: bool) -> None:
    """Fire the alert's event, log it, and show (raised) or dismiss (cleared) its notification."""
    hass.bus.async_fire(
        EVENT_ALERT,
        {
            "rule_id": alert.alert_id,
            "name": alert.name,
            "probe": alert.source,
            "condition": alert.condition,
            "state": "raised" if raised else "cleared",
            "message": alert.message,
            "value": alert.value,
            "limit": alert.limit,
            "time": dt_util.utcnow().isoformat(),
            "controller": entry.title,
            "entry_id": entry.entry_id,
        },
    )
    notification_id = f"{DOMAIN}_{entry.entry_id}_{alert.alert_id}"
    if raised:
        _LOGGER.warning("%s: %s. %s", entry.title, alert.name, alert.message)
        persistent_notification.async_create(
            hass, alert.message, title=f"{entry.title}: {alert.title}", notification_id=notification_id
        )
    else:
        _LOGGER.info("%s: %s cleared", entry.title, alert.name)
        persistent_notification.async_dismiss(hass, notification_id)
