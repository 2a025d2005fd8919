"""The heater alert blueprint, fired by the thermostat's own alert and not by safety rules."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.climate.const import HVACMode
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
import pytest

from custom_components.bellas_reef.const import EVENT_ALERT

from .conftest import advance
from .test_blueprints import _messages, _use
from .test_thermostat import CLIMATE, _setup, _water


async def test_heater_not_heating_notifies_once(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Half an hour of heating cold water: one notification; its clearing is skipped by default."""
    await _use(hass, "heater_alert.yaml", {})
    entry = await _setup(hass)
    _water(entry, 24.0)
    await hass.services.async_call(
        "climate",
        "set_temperature",
        {ATTR_ENTITY_ID: CLIMATE, "temperature": 25.5, "hvac_mode": HVACMode.HEAT},
        blocking=True,
    )
    hass.bus.async_fire(
        EVENT_ALERT, {"name": "Water temperature high", "state": "raised", "condition": "above"}
    )
    await advance(hass, freezer, 1860, steps=62)
    heater = [message for message in _messages(hass) if message.startswith("Heater not heating (raised)")]
    assert len(heater) == 1
    assert float(heater[0].split(" at ")[1].removesuffix(" °C.")) == pytest.approx(24.0, abs=0.02)
    assert not any(message.startswith("Water temperature high") for message in _messages(hass))
