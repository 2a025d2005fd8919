"""Config flow for Bella's Reef: one controller per tank; channels, probes and outlets are its subentries.

The steps live in flows/; this module is the one Home Assistant loads, so it holds the controller flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
import uuid

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.util import slugify
import probatio as vol

from . import libraries, outlet_drivers
from .const import (
    CONF_LOCATION,
    CONF_PASSWORD,
    CONF_USERNAME,
    CONF_VESYNC,
    DOMAIN,
    SUBENTRY_CHANNEL,
    SUBENTRY_DOSER,
    SUBENTRY_INPUT,
    SUBENTRY_OUTLET,
    SUBENTRY_PROBE,
    SUBENTRY_PUMP,
    OutletDriver,
)
from .flows.channel import ChannelSubentryFlow
from .flows.controller import controller_data, controller_schema, store_errors
from .flows.doser import DoserSubentryFlow
from .flows.fields import form_errors
from .flows.input import InputSubentryFlow
from .flows.options import ReefOptionsFlow
from .flows.outlet import OutletSubentryFlow, outlet_error
from .flows.probe import ProbeSubentryFlow
from .flows.pump import PumpSubentryFlow
from .outlets import OutletError


class BellasReefConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a controller: the tank's name and where it is (for real sun and moon times)."""

    VERSION = 1
    # 2: the unique id is a random id made once, not the tank's name, so renaming the tank keeps it.
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> ReefOptionsFlow:
        """Safety rules and settings are options of the controller."""
        return ReefOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Channels and probes are added to a controller one at a time."""
        return {
            SUBENTRY_CHANNEL: ChannelSubentryFlow,
            SUBENTRY_PROBE: ProbeSubentryFlow,
            SUBENTRY_OUTLET: OutletSubentryFlow,
            SUBENTRY_DOSER: DoserSubentryFlow,
            SUBENTRY_PUMP: PumpSubentryFlow,
            SUBENTRY_INPUT: InputSubentryFlow,
        }

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the tank's name and location."""
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = {
            CONF_NAME: "Reef tank",
            CONF_LOCATION: {
                CONF_LATITUDE: self.hass.config.latitude,
                CONF_LONGITUDE: self.hass.config.longitude,
            },
        }
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = form_errors(controller_schema(defaults), user_input)
            if not errors:
                data = controller_data(user_input)
                if self._name_taken(data[CONF_NAME]):
                    return self.async_abort(reason="already_configured")
                await self.async_set_unique_id(uuid.uuid4().hex)
                errors = await store_errors(self.hass, data)
                if not errors:
                    return self.async_create_entry(title=data[CONF_NAME], data=data)
            defaults = user_input
        return self.async_show_form(
            step_id="user",
            data_schema=controller_schema(defaults),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _name_taken(self, name: str, entry_id: str | None = None) -> bool:
        """Whether another controller already has this name (compared as HA would slug it)."""
        slug = slugify(name)
        return any(
            slugify(other.title) == slug
            for other in self._async_current_entries(include_ignore=False)
            if other.entry_id != entry_id
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The VeSync cloud rejected the controller's account."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the VeSync account's password again, and test it."""
        entry = self._get_reauth_entry()
        account = dict(entry.data[CONF_VESYNC])
        errors: dict[str, str] = {}
        schema = vol.Schema(
            {
                vol.Required(CONF_PASSWORD): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                )
            }
        )
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = form_errors(schema, user_input)
        if user_input is not None and not errors:
            account[CONF_PASSWORD] = user_input[CONF_PASSWORD]
            await libraries.async_load(self.hass, OutletDriver.VESYNC)
            cloud = outlet_drivers.vesync_account(self.hass, account)
            try:
                await cloud.login()
            except OutletError as err:
                errors["base"] = outlet_error(err)
            else:
                return self.async_update_reload_and_abort(entry, data_updates={CONF_VESYNC: account})
            finally:
                await cloud.close()
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            description_placeholders={"username": account[CONF_USERNAME], **placeholders},
            errors=errors,
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Rename the tank or move it."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        defaults: Mapping[str, Any] = {
            **entry.data,
            CONF_LOCATION: {
                CONF_LATITUDE: entry.data[CONF_LATITUDE],
                CONF_LONGITUDE: entry.data[CONF_LONGITUDE],
            },
        }
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders = form_errors(controller_schema(defaults), user_input)
            if not errors:
                data = controller_data(user_input)
                if self._name_taken(data[CONF_NAME], entry.entry_id):
                    errors[CONF_NAME] = "name_in_use"
                else:
                    errors = await store_errors(self.hass, data)
                if not errors:
                    return self.async_update_reload_and_abort(entry, title=data[CONF_NAME], data=data)
            defaults = user_input
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=controller_schema(defaults),
            errors=errors,
            description_placeholders=placeholders,
        )
