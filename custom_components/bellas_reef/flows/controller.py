"""The controller's form: the tank's name, where it is, and where its readings are kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
import probatio as vol

from .. import libraries
from ..const import (
    CONF_DB_URL,
    CONF_LOCATION,
    CONF_RETENTION_DAYS,
    CONF_STORE,
    DEFAULT_RETENTION_DAYS,
    STORE_EMBEDDED,
    STORE_POSTGRESQL,
)
from ..history import (
    DatabaseAuthError,
    DatabaseNotFoundError,
    DatabasePermissionError,
    DatabaseUnreachableError,
    DatabaseUrlError,
    InvalidDatabaseUrlError,
)
from .fields import number, select


def controller_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    """The controller's fields, filled with `defaults`."""
    return vol.Schema(
        {
            vol.Required(CONF_NAME, default=defaults[CONF_NAME]): selector.TextSelector(),
            vol.Required(CONF_LOCATION, default=defaults[CONF_LOCATION]): selector.LocationSelector(
                selector.LocationSelectorConfig(radius=False)
            ),
            vol.Required(CONF_STORE, default=defaults.get(CONF_STORE, STORE_EMBEDDED)): select(
                [STORE_EMBEDDED, STORE_POSTGRESQL], CONF_STORE
            ),
            vol.Optional(
                CONF_DB_URL, description={"suggested_value": defaults.get(CONF_DB_URL)}
            ): selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)),
            vol.Required(
                CONF_RETENTION_DAYS, default=defaults.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
            ): number(1, 3650, 1, "d"),
        }
    )


def controller_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The entry data the form's answers make: the location flattened, numbers typed."""
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


async def store_errors(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Test a PostgreSQL URL before it is accepted: the form says what is wrong with it."""
    if data[CONF_STORE] != STORE_POSTGRESQL:
        return {}
    if not data[CONF_DB_URL]:
        return {CONF_DB_URL: "db_url_required"}
    await libraries.async_load(hass, STORE_POSTGRESQL)
    try:
        await libraries.postgres_url_check()(data[CONF_DB_URL])
    except DatabaseUrlError as err:
        return {CONF_DB_URL: _DATABASE_ERRORS[type(err)]}
    except ValueError:  # a URL the driver cannot even encode or parse (UnicodeError is one)
        return {CONF_DB_URL: "invalid_db_url"}
    return {}
