"""Smart outlets: each driver's device is reached, and its sockets listed, before it is saved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector
from homeassistant.util import slugify
import probatio as vol

from .. import libraries, outlet_drivers
from ..const import (
    CONF_BOOT_DELAY,
    CONF_CHANNEL,
    CONF_CONNECTION,
    CONF_DEVICE_ID,
    CONF_DRIVER,
    CONF_ENTITY_ID,
    CONF_HOST,
    CONF_MAC,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_ROLE,
    CONF_SOCKET,
    CONF_USERNAME,
    CONF_VESYNC,
    CONF_WATTS,
    OutletDriver,
)
from ..outlets import OutletAuthError, OutletError, OutletNotFoundError, OutletRole
from .buses import async_offered
from .fields import form_errors, number, own_entities, select

_OUTLET_ERRORS: Final[Mapping[type[OutletError], str]] = {
    OutletAuthError: "invalid_auth",
    OutletNotFoundError: "outlet_not_found",
}


def outlet_error(err: OutletError) -> str:
    """The form error for a device or account that did not answer as hoped."""
    return _OUTLET_ERRORS.get(type(err), "cannot_connect")


def _outlet_fields(default_name: str | None = None) -> dict[Any, Any]:
    """What every outlet has: a name, the role of what is plugged in, and a boot delay."""
    return {
        vol.Required(CONF_NAME, default=default_name or vol.UNDEFINED): selector.TextSelector(),
        vol.Required(CONF_ROLE, default=OutletRole.OTHER): select(list(OutletRole), "outlet_role"),
        vol.Required(CONF_BOOT_DELAY, default=0): number(0, 600, 1, "s"),
    }


def _connection_fields() -> dict[Any, Any]:
    return {
        vol.Required(CONF_HOST): selector.TextSelector(),
        vol.Optional(CONF_PORT): number(1, 65535, 1),
        vol.Optional(CONF_USERNAME): selector.TextSelector(),
        vol.Optional(CONF_PASSWORD): selector.TextSelector(
            selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
        ),
    }


def _connection(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = {CONF_HOST: user_input[CONF_HOST].strip()}
    data |= {key: user_input[key] for key in (CONF_USERNAME, CONF_PASSWORD) if user_input.get(key)}
    if user_input.get(CONF_PORT):
        data[CONF_PORT] = int(user_input[CONF_PORT])
    return data


class OutletSubentryFlow(ConfigSubentryFlow):
    """Add or edit a smart outlet: each driver's device is reached (and its sockets listed) before it is saved."""

    def __init__(self) -> None:
        """Nothing found yet."""
        self._device: dict[str, Any] = {}
        self._choices: dict[str, tuple[str, str, Any]] = {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the outlet drivers."""
        offered = await async_offered(self.hass, self._get_entry(), OutletDriver)
        return self.async_show_menu(step_id="user", menu_options=offered)

    def _create(
        self, data: dict[str, Any], user_input: Mapping[str, Any], unique_id: str
    ) -> SubentryFlowResult:
        if any(sub.unique_id == unique_id for sub in self._get_entry().subentries.values()):
            return self.async_abort(reason="already_configured")
        data |= {CONF_ROLE: user_input[CONF_ROLE], CONF_BOOT_DELAY: float(user_input[CONF_BOOT_DELAY])}
        return self.async_create_entry(title=user_input[CONF_NAME].strip(), data=data, unique_id=unique_id)

    async def async_step_kasa(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A TP-Link Kasa plug or power strip on the network."""
        errors, placeholders = self._answers_errors(vol.Schema(_connection_fields()), user_input)
        if user_input is not None and not errors:
            connection = _connection(user_input)
            await libraries.async_load(self.hass, OutletDriver.KASA)
            device = libraries.kasa_device()(
                connection[CONF_HOST],
                port=connection.get(CONF_PORT),
                username=connection.get(CONF_USERNAME),
                password=connection.get(CONF_PASSWORD),
            )
            try:
                info = await device.probe()
            except OutletError as err:
                errors["base"] = outlet_error(err)
            else:
                self._device = {
                    CONF_DRIVER: OutletDriver.KASA,
                    **connection,
                    CONF_CONNECTION: info.connection,
                    CONF_MAC: info.device.mac,
                }
                self._choices = {str(s.index): (s.name, s.unique_id, s.index) for s in info.sockets}
                return await self.async_step_kasa_socket()
        return self.async_show_form(
            step_id="kasa",
            data_schema=vol.Schema(_connection_fields()),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_kasa_socket(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick the socket of a strip (a single plug has one)."""
        return await self._async_pick("kasa_socket", CONF_SOCKET, user_input)

    async def _async_pick(
        self, step_id: str, key: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        fields: dict[Any, Any] = {}
        if len(self._choices) > 1:
            fields[vol.Required(key)] = selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[
                        selector.SelectOptionDict(value=choice, label=name)
                        for choice, (name, _uid, _value) in self._choices.items()
                    ],
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            )
        first_name = next(iter(self._choices.values()))[0]
        fields |= _outlet_fields(first_name if len(self._choices) == 1 else None)
        errors, placeholders = self._answers_errors(vol.Schema(fields), user_input)
        if user_input is not None and not errors:
            choice = user_input.get(key, next(iter(self._choices)))
            _name, unique_id, value = self._choices[choice]
            return self._create({**self._device, key: value}, user_input, unique_id)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(vol.Schema(fields), user_input or {}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_shelly(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A Shelly relay (Gen1 or Gen2+) on the network."""
        errors, placeholders = self._answers_errors(vol.Schema(_connection_fields()), user_input)
        if user_input is not None and not errors:
            connection = _connection(user_input)
            await libraries.async_load(self.hass, OutletDriver.SHELLY)
            try:
                info = await outlet_drivers.shelly_device(self.hass, connection).probe()
            except OutletError as err:
                errors["base"] = outlet_error(err)
            else:
                self._device = {CONF_DRIVER: OutletDriver.SHELLY, **connection, CONF_MAC: info.device.mac}
                self._choices = {str(c.channel): (c.name, c.unique_id, c.channel) for c in info.channels}
                return await self.async_step_shelly_channel()
        return self.async_show_form(
            step_id="shelly",
            data_schema=vol.Schema(_connection_fields()),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_shelly_channel(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick the relay channel."""
        return await self._async_pick("shelly_channel", CONF_CHANNEL, user_input)

    async def async_step_vesync(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """VeSync outlets come from one account per controller, entered here the first time."""
        entry = self._get_entry()
        schema = vol.Schema(
            {
                vol.Required(CONF_USERNAME): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.EMAIL)
                ),
                vol.Required(CONF_PASSWORD): selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                ),
            }
        )
        errors, placeholders = self._answers_errors(schema, user_input)
        account = entry.data.get(CONF_VESYNC)
        if account is None and user_input is not None and not errors:
            account = {CONF_USERNAME: user_input[CONF_USERNAME], CONF_PASSWORD: user_input[CONF_PASSWORD]}
        if account is not None:
            await libraries.async_load(self.hass, OutletDriver.VESYNC)
            cloud = outlet_drivers.vesync_account(self.hass, account)
            try:
                found = await cloud.list_outlets()
            except OutletError as err:
                errors["base"] = outlet_error(err)
                account = None
            else:
                if CONF_VESYNC not in entry.data:
                    self.hass.config_entries.async_update_entry(
                        entry, data={**entry.data, CONF_VESYNC: account}
                    )
                self._device = {CONF_DRIVER: OutletDriver.VESYNC}
                self._choices = {o.device_id: (o.name, o.unique_id, o.device_id) for o in found}
                if not self._choices:
                    return self.async_abort(reason="no_outlets_found")
                return await self.async_step_vesync_outlet()
            finally:
                await cloud.close()
        return self.async_show_form(
            step_id="vesync", data_schema=schema, errors=errors, description_placeholders=placeholders
        )

    async def async_step_vesync_outlet(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Pick one of the account's outlets."""
        return await self._async_pick("vesync_outlet", CONF_DEVICE_ID, user_input)

    async def async_step_ha_switch(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """An existing HA switch, e.g. from HA's own TP-Link or Shelly integration."""
        schema = vol.Schema(
            {
                vol.Required(CONF_ENTITY_ID): selector.EntitySelector(
                    selector.EntitySelectorConfig(
                        domain="switch", exclude_entities=own_entities(self, "switch")
                    )
                ),
                **_outlet_fields(),
            }
        )
        errors, placeholders = self._answers_errors(schema, user_input)
        if user_input is not None and not errors:
            entity_id = user_input[CONF_ENTITY_ID]
            return self._create(
                {CONF_DRIVER: OutletDriver.HA_SWITCH, CONF_ENTITY_ID: entity_id},
                user_input,
                f"ha_switch:{entity_id}",
            )
        return self._form("ha_switch", schema, user_input, errors, placeholders)

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A simulated socket for the demo tank; `watts` is what it draws when on."""
        schema = vol.Schema({**_outlet_fields(), vol.Optional(CONF_WATTS): number(0, 5000, 1, "W")})
        errors, placeholders = self._answers_errors(schema, user_input)
        if user_input is not None and not errors:
            data: dict[str, Any] = {CONF_DRIVER: OutletDriver.SIMULATED}
            if user_input.get(CONF_WATTS):
                data[CONF_WATTS] = float(user_input[CONF_WATTS])
            return self._create(data, user_input, f"simulated:{slugify(user_input[CONF_NAME])}")
        return self._form("simulated", schema, user_input, errors, placeholders)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Rename an outlet, or change its role or boot delay."""
        subentry = self._get_reconfigure_subentry()
        errors, placeholders = self._answers_errors(vol.Schema(_outlet_fields()), user_input)
        if user_input is not None and not errors:
            return self.async_update_and_abort(
                self._get_entry(),
                subentry,
                title=user_input[CONF_NAME].strip(),
                data_updates={
                    CONF_ROLE: user_input[CONF_ROLE],
                    CONF_BOOT_DELAY: float(user_input[CONF_BOOT_DELAY]),
                },
            )
        return self._form(
            "reconfigure",
            vol.Schema(_outlet_fields()),
            user_input or {**subentry.data, CONF_NAME: subentry.title},
            errors,
            placeholders,
        )

    @staticmethod
    def _answers_errors(
        schema: vol.Schema, user_input: Mapping[str, Any] | None
    ) -> tuple[dict[str, str], dict[str, str]]:
        return ({}, {}) if user_input is None else form_errors(schema, user_input)

    def _form(
        self,
        step_id: str,
        schema: vol.Schema,
        suggested: Mapping[str, Any] | None,
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> SubentryFlowResult:
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, suggested or {}),
            errors=errors,
            description_placeholders=placeholders,
        )
