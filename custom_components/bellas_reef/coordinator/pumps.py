"""DC pump channels: each tick of the lighting engine, every pump's speed from its mode, feed and safety mode."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from ..const import DEVICE_TIMEOUT, SAVE_DELAY_SECONDS, STORAGE_VERSION, storage_key
from ..health import within
from ..pumps import PumpMode, PumpSettings, pump_speed
from .lighting import Board

_LOGGER = logging.getLogger(__name__)

# The modes that change faster than once a second, and so ask for the lighting engine's fast tick.
FAST_MODES: Final = frozenset({PumpMode.PULSE, PumpMode.RANDOM, PumpMode.GYRE})


@dataclass(slots=True)
class PumpChannel:
    """A DC pump on a PWM output at run time: the keeper's choice and what the output drives now."""

    subentry_id: str
    name: str
    role: str
    board: Board
    output: int
    settings: PumpSettings
    safety_speed: float
    mode: PumpMode = PumpMode.CONSTANT
    is_on: bool = True
    # Why the pump is not following its mode right now (feed_mode, safety), for attributes.
    held_by: str | None = None
    speed_now: float = 0.0


class PumpChannels:
    """Every pump channel of a controller, driven by the lighting engine's tick (`tick`), saved across restarts."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        pumps: list[PumpChannel],
        feed_roles: Callable[[], frozenset[str]],
        boards: list[Board],
    ) -> None:
        """`feed_roles` names the roles feed mode holds right now (none when it is off); `boards` are the pumps' own."""
        self.pumps = {pump.subentry_id: pump for pump in pumps}
        self.boards = boards
        self.feed_roles = feed_roles
        self.safety_mode = False
        self.store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, storage_key(entry.entry_id, "pumps"))

    async def async_restore(self) -> None:
        """Bring back each pump's mode, set speed and on/off."""
        saved = (await self.store.async_load() or {}).get("pumps", {})
        for subentry_id, pump in self.pumps.items():
            if (state := saved.get(subentry_id)) is not None:
                pump.mode = PumpMode(state["mode"])
                pump.is_on = bool(state["on"])
                pump.settings = _with_speed(pump.settings, float(state["speed"]))

    def _saved_state(self) -> dict[str, Any]:
        return {
            "pumps": {
                sid: {"mode": pump.mode, "on": pump.is_on, "speed": pump.settings.speed}
                for sid, pump in self.pumps.items()
            }
        }

    async def async_close(self) -> None:
        """Save now and release the boards no light uses (the controller unloads)."""
        await self.store.async_save(self._saved_state())
        for board in self.boards:
            try:
                await within(DEVICE_TIMEOUT, board.output.async_close(), board.name)
            except Exception as err:  # noqa: BLE001 - closing is best effort; outputs keep their level
                _LOGGER.debug("Closing %s: %s", board.name, err)

    @callback
    def async_set(
        self,
        subentry_id: str,
        *,
        on: bool | None = None,
        speed: float | None = None,
        mode: PumpMode | None = None,
    ) -> None:
        """A keeper's change: on or off, a new set speed, a new mode; the next tick drives it."""
        pump = self.pumps[subentry_id]
        if on is not None:
            pump.is_on = on
        if speed is not None:
            pump.settings = _with_speed(pump.settings, speed)
        if mode is not None:
            pump.mode = mode
        self.store.async_delay_save(self._saved_state, SAVE_DELAY_SECONDS)

    @callback
    def async_apply_safety(self, safety_mode: bool) -> None:
        """Safety mode runs every pump at its safety speed."""
        self.safety_mode = safety_mode

    def speed_of(self, pump: PumpChannel, now: float) -> tuple[float, str | None]:
        """What the pump runs at now, and what holds it off its mode (safety before feed)."""
        if self.safety_mode:
            return pump.safety_speed, "safety"
        if not pump.is_on:
            return 0.0, None
        if pump.role in self.feed_roles():
            return pump_speed(PumpMode.FEED, pump.settings, now), "feed_mode"
        return pump_speed(pump.mode, pump.settings, now), None

    def tick(self, now: datetime, pending: dict[str, dict[int, int]]) -> bool:
        """Add each pump's duty to the boards' pending writes; whether a pump needs the fast tick."""
        seconds = now.timestamp()
        fast = False
        for pump in self.pumps.values():
            pump.speed_now, pump.held_by = self.speed_of(pump, seconds)
            duty = round(pump.speed_now * pump.board.output.max_duty)
            board = pump.board
            if not board.health.available or board.written.get(pump.output) != duty:
                pending.setdefault(board.key, {})[pump.output] = duty
            fast = fast or (pump.held_by is None and pump.is_on and pump.mode in FAST_MODES)
        return fast


def _with_speed(settings: PumpSettings, speed: float) -> PumpSettings:
    fields: Mapping[str, Any] = {name: getattr(settings, name) for name in PumpSettings.__slots__}
    return PumpSettings(**{**fields, "speed": speed})
