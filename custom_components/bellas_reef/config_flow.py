"""Config flow for Bella's Reef: one controller per tank, channels and probes as its subentries."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.util import slugify
import probatio as vol

from .const import (
    CONF_ADDRESS,
    CONF_CURVE,
    CONF_DB_URL,
    CONF_DRIVER,
    CONF_KIND,
    CONF_LOCATION,
    CONF_MAX_OUTPUT,
    CONF_MIN_OUTPUT,
    CONF_OUTPUT,
    CONF_OVERRIDE_MINUTES,
    CONF_RETENTION_DAYS,
    CONF_ROLE,
    CONF_STORE,
    DEFAULT_OVERRIDE_MINUTES,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SIMULATED_ADDRESS,
    DOMAIN,
    STORE_EMBEDDED,
    STORE_POSTGRESQL,
    SUBENTRY_CHANNEL,
    SUBENTRY_PROBE,
    ChannelDriver,
    ChannelRole,
    ProbeDriver,
)
from .hardware.tank import ProbeKind
from .history import (
    DatabaseAuthError,
    DatabaseNotFoundError,
    DatabasePermissionError,
    DatabaseUnreachableError,
    DatabaseUrlError,
    InvalidDatabaseUrlError,
    validate_postgres_url,
)
from .lighting.curves import DimmingCurve


def _select(options: list[str], translation_key: str) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options, translation_key=translation_key, mode=selector.SelectSelectorMode.DROPDOWN
        )
    )


def _number(low: float, high: float, step: float, unit: str | None = None) -> selector.NumberSelector:
    config = selector.NumberSelectorConfig(min=low, max=high, step=step, mode=selector.NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def _controller_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=defaults[CONF_NAME]): selector.TextSelector(),
            vol.Required(CONF_LOCATION, default=defaults[CONF_LOCATION]): selector.LocationSelector(
                selector.LocationSelectorConfig(radius=False)
            ),
            vol.Required(CONF_STORE, default=defaults.get(CONF_STORE, STORE_EMBEDDED)): _select(
                [STORE_EMBEDDED, STORE_POSTGRESQL], CONF_STORE
            ),
            vol.Optional(
                CONF_DB_URL, description={"suggested_value": defaults.get(CONF_DB_URL)}
            ): selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)),
            vol.Required(
                CONF_RETENTION_DAYS, default=defaults.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
            ): _number(1, 3650, 1, "d"),
        }
    )


def _has_name(name: str) -> bool:
    return any(char.isalnum() for char in name)


def _controller_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    location = user_input[CONF_LOCATION]
    data = {
        CONF_NAME: user_input[CONF_NAME].strip(),
        CONF_LATITUDE: float(location[CONF_LATITUDE]),
        CONF_LONGITUDE: float(location[CONF_LONGITUDE]),
        CONF_STORE: user_input[CONF_STORE],
        CONF_RETENTION_DAYS: int(user_input[CONF_RETENTION_DAYS]),
    }
    if user_input[CONF_STORE] == STORE_POSTGRESQL:
        data[CONF_DB_URL] = user_input.get(CONF_DB_URL, "").strip()
    return data


_DATABASE_ERRORS: dict[type[DatabaseUrlError], str] = {
    InvalidDatabaseUrlError: "invalid_db_url",
    DatabaseUnreachableError: "cannot_connect",
    DatabaseAuthError: "invalid_auth",
    DatabaseNotFoundError: "database_not_found",
    DatabasePermissionError: "database_permission",
}


async def _store_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Test a PostgreSQL URL before it is accepted: the form says what is wrong with it."""
    if data[CONF_STORE] != STORE_POSTGRESQL:
        return {}
    if not data[CONF_DB_URL]:
        return {CONF_DB_URL: "db_url_required"}
    try:
        await validate_postgres_url(data[CONF_DB_URL])
    except DatabaseUrlError as err:
        return {CONF_DB_URL: _DATABASE_ERRORS[type(err)]}
    return {}


class BellasReefConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a controller: the tank's name and where it is (for real sun and moon times)."""

    VERSION = 1

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Channels and probes are added to a controller one at a time."""
        return {SUBENTRY_CHANNEL: ChannelSubentryFlow, SUBENTRY_PROBE: ProbeSubentryFlow}

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
        if user_input is not None:
            data = _controller_data(user_input)
            if not _has_name(data[CONF_NAME]):
                errors[CONF_NAME] = "name_required"
            else:
                await self.async_set_unique_id(slugify(data[CONF_NAME]))
                self._abort_if_unique_id_configured()
                errors = await _store_errors(data)
            if not errors:
                return self.async_create_entry(title=data[CONF_NAME], data=data)
            defaults = user_input
        return self.async_show_form(step_id="user", data_schema=_controller_schema(defaults), errors=errors)

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
        if user_input is not None:
            data = _controller_data(user_input)
            slug = slugify(data[CONF_NAME])
            if not _has_name(data[CONF_NAME]):
                errors[CONF_NAME] = "name_required"
            elif any(
                other.unique_id == slug
                for other in self._async_current_entries(include_ignore=False)
                if other.entry_id != entry.entry_id
            ):
                errors[CONF_NAME] = "name_in_use"
            else:
                errors = await _store_errors(data)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, unique_id=slug, title=data[CONF_NAME], data=data
                )
            defaults = user_input
        return self.async_show_form(
            step_id="reconfigure", data_schema=_controller_schema(defaults), errors=errors
        )


class _DriverSubentryFlow(ConfigSubentryFlow, ABC):
    """Shared steps of channel and probe flows: pick a driver, fill in its fields, refuse duplicates."""

    drivers: tuple[str, ...]

    @abstractmethod
    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        """Identify the physical thing behind `data`, so it cannot be configured twice."""

    @abstractmethod
    def _schema(self, driver: str) -> vol.Schema:
        """Return the form for `driver`'s fields."""

    def _clean(self, data: dict[str, Any]) -> dict[str, str]:
        """Normalize `data` in place and return form errors; none by default."""
        return {}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the drivers this kind of subentry supports."""
        return self.async_show_menu(step_id="user", menu_options=list(self.drivers))

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Edit the fields of the driver the subentry already uses."""
        subentry = self._get_reconfigure_subentry()
        return await self._async_driver_step(subentry.data[CONF_DRIVER], user_input, subentry.data)

    async def _async_driver_step(
        self, driver: str, user_input: dict[str, Any] | None, current: Mapping[str, Any] | None = None
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        reconfiguring = self.source == "reconfigure"
        step_id = "reconfigure" if reconfiguring else driver
        suggested: Mapping[str, Any] | None = current
        if user_input is not None:
            data = {CONF_DRIVER: driver, **user_input}
            errors = self._clean(data)
            key = self._hardware_key(data)
            own_id = self._reconfigure_subentry_id if reconfiguring else None
            if not errors and any(
                sub.unique_id == key and sub.subentry_id != own_id
                for sub in self._get_entry().subentries.values()
            ):
                errors["base"] = "already_configured"
            if not errors:
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
            step_id=step_id, data_schema=schema, errors=errors, description_placeholders={"driver": driver}
        )


class ChannelSubentryFlow(_DriverSubentryFlow):
    """Add or edit a PWM LED channel."""

    drivers = tuple(ChannelDriver)

    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        return f"{data[CONF_DRIVER]}:{data[CONF_ADDRESS]}:{data[CONF_OUTPUT]}"

    def _clean(self, data: dict[str, Any]) -> dict[str, str]:
        data[CONF_ADDRESS] = int(data[CONF_ADDRESS])
        data[CONF_OUTPUT] = int(data[CONF_OUTPUT])
        data[CONF_OVERRIDE_MINUTES] = int(data[CONF_OVERRIDE_MINUTES])
        if data[CONF_MIN_OUTPUT] >= data[CONF_MAX_OUTPUT]:
            return {CONF_MIN_OUTPUT: "min_not_below_max"}
        return {}

    def _schema(self, driver: str) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Required(CONF_ADDRESS, default=DEFAULT_SIMULATED_ADDRESS): _number(0x40, 0x7F, 1),
                vol.Required(CONF_OUTPUT, default=0): _number(0, 15, 1),
                vol.Required(CONF_ROLE, default=ChannelRole.WHITE): _select(list(ChannelRole), CONF_ROLE),
                vol.Required(CONF_CURVE, default=DimmingCurve.CIE1931): _select(
                    list(DimmingCurve), CONF_CURVE
                ),
                vol.Required(CONF_MIN_OUTPUT, default=0): _number(0, 99, 0.01, "%"),
                vol.Required(CONF_MAX_OUTPUT, default=100): _number(1, 100, 0.01, "%"),
                vol.Required(CONF_OVERRIDE_MINUTES, default=DEFAULT_OVERRIDE_MINUTES): _number(
                    1, 1440, 1, "min"
                ),
            }
        )

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A channel on the simulated PCA9685 board, for trying things without hardware."""
        return await self._async_driver_step(ChannelDriver.SIMULATED, user_input)


class ProbeSubentryFlow(_DriverSubentryFlow):
    """Add or edit a probe."""

    drivers = tuple(ProbeDriver)

    def _hardware_key(self, data: Mapping[str, Any]) -> str:
        return f"{data[CONF_DRIVER]}:{data[CONF_KIND]}"

    def _schema(self, driver: str) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_NAME): selector.TextSelector(),
                vol.Required(CONF_KIND, default=ProbeKind.TEMPERATURE): _select(list(ProbeKind), CONF_KIND),
            }
        )

    async def async_step_simulated(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """A probe reading the simulated tank's water."""
        return await self._async_driver_step(ProbeDriver.SIMULATED, user_input)
