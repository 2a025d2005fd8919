"""Channel lights: brightness through the dimming curve to the simulated chip's duty, and back."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.light import ATTR_BRIGHTNESS, DOMAIN as LIGHT_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.bellas_reef.hardware.simulated import SimulatedPCA9685
from custom_components.bellas_reef.lighting.curves import DimmingCurve, OutputMapping
from custom_components.bellas_reef.models import ReefConfigEntry

from .conftest import advance

ROYAL_BLUE = "light.royal_blue"
WHITE = "light.white"


def chip_duty(entry: ReefConfigEntry, output: int) -> int:
    """What the simulated chip's registers say the output does."""
    chip = entry.runtime_data.simulator.bus.device(0x40)
    assert isinstance(chip, SimulatedPCA9685)
    return chip.output_duty(output)


async def _turn_on(hass: HomeAssistant, entity_id: str, brightness: int | None = None) -> None:
    data = {ATTR_ENTITY_ID: entity_id}
    if brightness is not None:
        data[ATTR_BRIGHTNESS] = brightness
    await hass.services.async_call(LIGHT_DOMAIN, SERVICE_TURN_ON, data, blocking=True)


@pytest.mark.usefixtures("init_integration")
async def test_lights_start_off_on_a_shared_board(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    """Each channel is a light on its own device, below its board's device, below the controller."""
    for entity_id in (ROYAL_BLUE, WHITE):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == STATE_OFF
    entity = er.async_get(hass).async_get(ROYAL_BLUE)
    assert entity is not None
    channel = device_registry.async_get(entity.device_id)  # type: ignore[arg-type]
    assert channel is not None
    assert channel.name == "Royal blue"
    assert channel.model == "PCA9685 (simulated), output 0"
    board = device_registry.async_get(channel.via_device_id)  # type: ignore[arg-type]
    assert board is not None
    assert board.name == "Simulated PCA9685 0x40"
    controller = device_registry.async_get(board.via_device_id)  # type: ignore[arg-type]
    assert controller is not None
    assert controller.name == "Display reef"


async def test_brightness_round_trips_and_sets_the_chip(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Every HA brightness comes back unchanged, and the chip's duty follows the perceptual curve."""
    mapping = OutputMapping(max_duty=4096, curve=DimmingCurve.CIE1931)
    previous = 0
    for brightness in range(1, 256):
        await _turn_on(hass, ROYAL_BLUE, brightness)
        await advance(hass, freezer, 3)
        state = hass.states.get(ROYAL_BLUE)
        assert state is not None
        assert state.state == STATE_ON
        assert state.attributes[ATTR_BRIGHTNESS] == brightness
        duty = chip_duty(init_integration, 0)
        assert duty >= previous
        previous = duty
        assert duty == mapping.duty(brightness / 255)
    assert chip_duty(init_integration, 0) == 4096
    await _turn_on(hass, ROYAL_BLUE, 1)
    await advance(hass, freezer, 3)
    assert 0 < chip_duty(init_integration, 0) <= 4  # well under 1 % of full output


async def test_clamps_and_turn_off(
    hass: HomeAssistant, init_integration: ReefConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The white channel's 1–80 % clamps bound its duty; off is fully off and on restores the last level."""
    await _turn_on(hass, WHITE, 255)
    await advance(hass, freezer, 3)
    assert chip_duty(init_integration, 1) == round(0.8 * 4096)
    await _turn_on(hass, WHITE, 1)
    await advance(hass, freezer, 3)
    assert chip_duty(init_integration, 1) >= round(0.01 * 4096)
    await _turn_on(hass, WHITE, 128)
    await advance(hass, freezer, 3)
    level_128 = chip_duty(init_integration, 1)

    await hass.services.async_call(LIGHT_DOMAIN, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: WHITE}, blocking=True)
    await advance(hass, freezer, 3)
    assert hass.states.get(WHITE).state == STATE_OFF  # type: ignore[union-attr]
    assert chip_duty(init_integration, 1) == 0

    await _turn_on(hass, WHITE)
    await advance(hass, freezer, 3)
    assert hass.states.get(WHITE).attributes[ATTR_BRIGHTNESS] == 128  # type: ignore[union-attr]
    assert chip_duty(init_integration, 1) == level_128


async def test_failing_board_goes_unavailable_and_recovers(
    hass: HomeAssistant,
    init_integration: ReefConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A board that stops answering takes its lights down after a few ticks, logs once, and comes back."""
    simulator = init_integration.runtime_data.simulator
    await _turn_on(hass, ROYAL_BLUE, 200)
    simulator.bus.vanish(0x40)
    await _turn_on(hass, ROYAL_BLUE, 100)
    for _ in range(5):
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(ROYAL_BLUE).state == "unavailable"  # type: ignore[union-attr]
    assert caplog.text.count("is unavailable") == 1

    simulator.bus.reappear(0x40)
    for _ in range(5):
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        if hass.states.get(ROYAL_BLUE).state != "unavailable":  # type: ignore[union-attr]
            break
    state = hass.states.get(ROYAL_BLUE)
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes[ATTR_BRIGHTNESS] == 100
    assert chip_duty(init_integration, 0) == state.attributes["duty"]
    assert caplog.text.count("is available again") == 1
