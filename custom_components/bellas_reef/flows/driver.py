"""The steps channel and probe flows share: pick a driver, fill in its fields, refuse duplicates."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
import probatio as vol

from ..const import CONF_DRIVER
from .buses import async_offered
from .fields import form_errors


class DriverSubentryFlow(ConfigSubentryFlow, ABC):
    """A subentry whose fields depend on its driver and whose hardware can be configured only once."""

    drivers: tuple[str, ...]

    @abstractmethod
    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        """Identify the physical thing behind `data`, so it cannot be configured twice."""

    @abstractmethod
    def _schema(self, driver: str) -> vol.Schema:
        """Return the form for `driver`'s fields."""

    @abstractmethod
    async def _async_validate(self, data: dict[str, Any]) -> dict[str, str]:
        """Normalize `data` in place and return form errors (it may talk to the device)."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the drivers this kind of subentry supports."""
        offered = await async_offered(self.hass, self._get_entry(), self.drivers)
        return self.async_show_menu(step_id="user", menu_options=offered)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Edit the fields of the driver the subentry already uses."""
        subentry = self._get_reconfigure_subentry()
        return await self._async_driver_step(subentry.data[CONF_DRIVER], user_input, subentry.data)

    async def _async_driver_step(
        self,
        driver: str,
        user_input: dict[str, Any] | None,
        current: Mapping[str, Any] | None = None,
        step_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        reconfiguring = self.source == "reconfigure"
        step_id = "reconfigure" if reconfiguring else step_id or driver
        suggested: Mapping[str, Any] | None = current
        if user_input is not None:
            errors, placeholders = form_errors(self._schema(driver), user_input)
            data = {CONF_DRIVER: driver, **(extra or {}), **user_input}
            if not errors:
                errors = await self._async_validate(data)
            own_id = self._reconfigure_subentry_id if reconfiguring else None
            if not errors and any(
                sub.unique_id == self._hardware_key(data) and sub.subentry_id != own_id
                for sub in self._get_entry().subentries.values()
            ):
                errors["base"] = "already_configured"
            if not errors:
                key = self._hardware_key(data)
                title = data.pop(CONF_NAME)
                if reconfiguring:
                    return self.async_update_and_abort(
                        self._get_entry(),
                        self._get_reconfigure_subentry(),
                        title=title,
                        data=data,
                        unique_id=key,
                    )
                return self.async_create_entry(title=title, data=data, unique_id=key)
            suggested = user_input
        if reconfiguring and current is not None and user_input is None:
            suggested = {**current, CONF_NAME: self._get_reconfigure_subentry().title}
        schema = self._schema(driver)
        if suggested is not None:
            schema = self.add_suggested_values_to_schema(schema, suggested)
        return self.async_show_form(
            step_id=step_id,
            data_schema=schema,
            errors=errors,
            description_placeholders={"driver": driver, **placeholders},
        )
