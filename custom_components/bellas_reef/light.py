"""Light platform: one dimmable light per PWM LED channel, following its lighting plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import (
    ATTR_BRIGHTNESS,
    ATTR_EFFECT,
    EFFECT_OFF,
    ColorMode,
    LightEntityFeature,
)
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator.lighting import Channel
from .entity import ChannelEntity
from .lighting import ChannelPlan, preview
from .models import ReefConfigEntry
from .services import (
    EFFECTS,
    resumed,
    seed_of,
    with_effect,
    with_layers,
    with_override,
    with_program,
    without_effect,
)

# Writes go through the coordinator's tick, never to the hardware in parallel.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: ReefConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a light for each channel subentry."""
    coordinator = entry.runtime_data.lighting
    for subentry_id, channel in coordinator.channels.items():
        async_add_entities([ChannelLight(coordinator, channel)], config_subentry_id=subentry_id)


class ChannelLight(ChannelEntity, LightEntity):
    """A PWM LED channel; HA brightness 1–255 spans the channel's whole duty range through its dimming curve.

    Turning it on or off by hand is an override: the channel holds that level for its override duration, then
    its program resumes (or at once with the resume service).
    """

    _attr_color_mode = ColorMode.BRIGHTNESS
    _attr_supported_color_modes = {ColorMode.BRIGHTNESS}  # noqa: RUF012 - HA's declared type is a set
    _attr_supported_features = LightEntityFeature.EFFECT
    _attr_effect_list = [EFFECT_OFF, *EFFECTS]  # noqa: RUF012 - HA's declared type is a list
    _attr_name = None
    _attr_translation_key = "channel"
    # The duty moves with every step of a ramp; the recorder needs the brightness, not each step.
    _unrecorded_attributes = frozenset({"duty", "max_duty", "next_transition"})

    @property
    def is_on(self) -> bool:
        """On while the channel's plan gives any light."""
        return self.channel.target_level > 0.0

    @property
    def brightness(self) -> int:
        """The plan's level now on HA's 0–255 scale (HA only shows it while the light is on)."""
        return max(1, min(255, round(self.channel.target_level * 255)))

    @property
    def effect(self) -> str:
        """The effect running now, or off."""
        evaluation = self.channel.evaluation
        if evaluation is None or evaluation.active_event is None:
            return EFFECT_OFF
        return evaluation.active_event

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What the channel follows and what the hardware does."""
        plan = self.channel.plan
        evaluation = self.channel.evaluation
        return {
            "role": self.channel.role,
            "program": plan.program.kind,
            "layers": [layer.kind for layer in plan.layers],
            "override_until": None if plan.override is None else plan.override.until.isoformat(),
            "next_transition": None
            if evaluation is None or evaluation.next_transition is None
            else evaluation.next_transition.isoformat(),
            "duty": self.channel.duty,
            "max_duty": self.channel.mapping.max_duty,
        }

    async def _async_change(self, change: Callable[[Channel, datetime], ChannelPlan]) -> None:
        await self.coordinator.async_update_plans([self.channel.subentry_id], change)

    def _override_until(self, now: datetime, duration: timedelta | None = None) -> datetime:
        return now + (duration or timedelta(minutes=self.channel.override_minutes))

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Hold the channel at a brightness (or its last one); with an effect, start that effect instead."""
        if (effect := kwargs.get(ATTR_EFFECT)) is not None:
            if effect == EFFECT_OFF:
                await self.async_stop_effect()
            else:
                await self.async_start_effect(effect=effect)
            return
        if ATTR_BRIGHTNESS in kwargs:
            self.channel.last_on_level = kwargs[ATTR_BRIGHTNESS] / 255
        level = self.channel.last_on_level

        def change(channel: Channel, now: datetime) -> ChannelPlan:
            return with_override(channel.plan, level, self._override_until(now))

        await self._async_change(change)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Hold the channel dark for its override duration."""

        def change(channel: Channel, now: datetime) -> ChannelPlan:
            return with_override(channel.plan, 0.0, self._override_until(now))

        await self._async_change(change)

    async def async_set_program(self, **data: Any) -> None:
        """Follow a new program from now on."""
        await self._async_change(lambda channel, _now: with_program(channel.plan, data))

    async def async_set_layers(self, **data: Any) -> None:
        """Replace the channel's layers with the ones given."""
        today = dt_util.now().date()
        await self._async_change(lambda channel, _now: with_layers(channel.plan, data, today))

    async def async_start_effect(self, **data: Any) -> None:
        """Start an effect now on this channel (the same seed on every channel of one call)."""
        seed = seed_of(self._context_id())
        await self._async_change(lambda channel, now: with_effect(channel.plan, data, now, seed))

    async def async_stop_effect(self, **data: Any) -> None:
        """End running effects (all, or one kind)."""
        kind = data.get("effect")
        await self._async_change(lambda channel, _now: without_effect(channel.plan, kind))

    async def async_override(self, level: float, duration: timedelta | None = None) -> None:
        """Hold a level (percent) for a while, then resume the program."""

        def change(channel: Channel, now: datetime) -> ChannelPlan:
            return with_override(channel.plan, level / 100, self._override_until(now, duration))

        await self._async_change(change)

    async def async_resume(self) -> None:
        """End a manual override now."""
        await self._async_change(lambda channel, _now: resumed(channel.plan))

    async def async_preview(self, step_minutes: int, date: date | None = None) -> ServiceResponse:
        """The channel's curve for a day (today by default), one point per `step_minutes`."""
        day = date or dt_util.now().date()
        points = await self.hass.async_add_executor_job(
            preview, self.channel.plan, day, self.coordinator.context, step_minutes
        )
        return {
            "date": day.isoformat(),
            "program": self.channel.plan.program.kind,
            "points": [{"time": when.isoformat(), "level": round(level * 100, 4)} for when, level in points],
        }

    def _context_id(self) -> str:
        return self._context.id if self._context is not None else dt_util.utcnow().isoformat()
