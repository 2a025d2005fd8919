"""Callbacks a controller part runs after each judgement: how its entities learn that it changed."""

from __future__ import annotations

from homeassistant.core import CALLBACK_TYPE, callback


class Listeners:
    """The callbacks to run, added and removed while entities come and go."""

    __slots__ = ("_callbacks",)

    def __init__(self) -> None:
        """None yet."""
        self._callbacks: list[CALLBACK_TYPE] = []

    @callback
    def async_add(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Run `listener` from now on; the callback returned stops it."""
        self._callbacks.append(listener)

        @callback
        def remove() -> None:
            self._callbacks.remove(listener)

        return remove

    @callback
    def async_notify(self) -> None:
        """Run every listener (one may remove itself or another while they run)."""
        for listener in list(self._callbacks):
            listener()
