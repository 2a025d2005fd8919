"""Which GPIO pins a controller's subentries already use, so no pin is wired to two things."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry

from ..const import CONF_DRIVER, CONF_PIN, CONF_PUMP, SUBENTRY_INPUT
from .buses import SIMULATED

GPIO = "gpio"


def pin_user(entry: ConfigEntry, pin: int, *, simulated: bool = False, own: str | None = None) -> str | None:
    """The kind of subentry (channel, doser, pump, input) on this pin, if any; `own` is the one being edited.

    Simulated inputs sit on simulated pins of their own, which only other simulated inputs can take.
    """
    for subentry_id, subentry in entry.subentries.items():
        data = subentry.data
        if subentry_id == own or data.get(CONF_PIN) != pin:
            continue
        if simulated:
            on_pin = subentry.subentry_type == SUBENTRY_INPUT and data[CONF_DRIVER] == SIMULATED
        else:
            on_pin = GPIO in (data.get(CONF_DRIVER), data.get(CONF_PUMP))
        if on_pin:
            return subentry.subentry_type
    return None
