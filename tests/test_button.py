"""The controller's buttons: feed the tank, stop running effects, from any dashboard card."""

from __future__ import annotations

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DEFAULT_FEED_ROLES, DOMAIN

FEED = "button.display_reef_feed"
STOP_EFFECTS = "button.display_reef_stop_effects"


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True)
    await hass.async_block_till_done()


async def test_buttons_belong_to_the_controller(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    for entity_id, key in ((FEED, "feed"), (STOP_EFFECTS, "stop_effects")):
        entity = registry.async_get(entity_id)
        assert entity is not None
        assert entity.unique_id == f"{init_integration.entry_id}_{key}"
        assert entity.translation_key == key
        assert entity.config_subentry_id is None


async def test_feed_button_starts_feed_mode(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    feed_mode = "binary_sensor.display_reef_feed_mode"
    before = hass.states.get(feed_mode)
    assert before is not None
    assert before.state == STATE_OFF
    await _press(hass, FEED)
    state = hass.states.get(feed_mode)
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes["roles"] == sorted(DEFAULT_FEED_ROLES)


async def test_stop_effects_button_ends_every_effect(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    lights = ["light.royal_blue", "light.white"]
    await hass.services.async_call(
        DOMAIN, "start_effect", {ATTR_ENTITY_ID: lights, "effect": "storm"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "override", {ATTR_ENTITY_ID: "light.white", "level": 30}, blocking=True
    )
    channels = init_integration.runtime_data.lighting.channels.values()
    assert all(channel.plan.events for channel in channels)

    await _press(hass, STOP_EFFECTS)

    assert not any(channel.plan.events for channel in channels)
    white = next(channel for channel in channels if channel.name == "White")
    assert white.plan.override is not None, "an override is not an effect and stays"
