"""The controller flow and the channel and probe subentry flows."""

from __future__ import annotations

from collections.abc import AsyncIterator
import os
from typing import Any
from urllib.parse import urlsplit

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import psycopg
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_CHANNEL, SUBENTRY_PROBE

from .conftest import channel_data

CHANNEL_FORM = {
    "name": "Violet",
    "address": 65,
    "output": 3,
    "role": "violet",
    "curve": "cie1931",
    "min_output": 0.5,
    "max_output": 90,
    "override_minutes": 30,
}


async def test_user_flow_defaults_to_home_location(hass: HomeAssistant) -> None:
    """A new controller is placed at HA's home unless told otherwise."""
    hass.config.latitude, hass.config.longitude = -16.5, -151.74
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    schema_defaults = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(getattr(key, "default", None))
    }
    assert schema_defaults["location"] == {CONF_LATITUDE: -16.5, CONF_LONGITUDE: -151.74}
    assert schema_defaults["store"] == "embedded"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_NAME: " Display reef ", "location": {CONF_LATITUDE: 52.37, CONF_LONGITUDE: 4.89}},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Display reef"
    assert result["data"] == {
        CONF_NAME: "Display reef",
        CONF_LATITUDE: 52.37,
        CONF_LONGITUDE: 4.89,
        "store": "embedded",
        "retention_days": 365,
    }
    # A random id made once: the name may change, the id never does.
    assert len(result["result"].unique_id) == 32


async def test_user_flow_rejects_blank_name_then_accepts(hass: HomeAssistant) -> None:
    """A name without letters or digits is an error in the form, and the flow can go on."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    location = {CONF_LATITUDE: 1.0, CONF_LONGITUDE: 2.0}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: " -- ", "location": location}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_NAME: "name_required"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Frag tank", "location": location}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_flow_one_controller_per_name(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Two tanks cannot share a name."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "display REEF", "location": {CONF_LATITUDE: 1, CONF_LONGITUDE: 2}}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_controller(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Renaming and moving a tank keeps it (and its unique id), refuses another tank's name, and reloads it."""
    unique_id = init_integration.unique_id
    other = MockConfigEntry(domain=DOMAIN, title="Frag tank", unique_id="frag_tank", data={})
    other.add_to_hass(hass)
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    moved = {CONF_LATITUDE: 60.17, CONF_LONGITUDE: 24.94}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Frag tank", "location": moved}
    )
    assert result["errors"] == {CONF_NAME: "name_in_use"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "", "location": moved}
    )
    assert result["errors"] == {CONF_NAME: "name_required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Living room reef", "location": moved}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.title == "Living room reef"
    assert init_integration.unique_id == unique_id
    assert init_integration.data[CONF_LATITUDE] == 60.17


async def _start_subentry(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert "simulated" in result["menu_options"]
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "simulated"}
    )


async def test_add_channel(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A channel subentry stores the driver's fields as typed values and adds a light."""
    result = await _start_subentry(hass, init_integration, SUBENTRY_CHANNEL)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "simulated"
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CHANNEL_FORM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Violet"
    assert result["data"] == channel_data(
        65, 3, role="violet", min_output=0.5, max_output=90, override_minutes=30
    )
    await hass.async_block_till_done()
    assert hass.states.get("light.violet") is not None


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"address": 64, "output": 1}, {"base": "already_configured"}),
        ({"min_output": 50, "max_output": 50}, {"min_output": "min_not_below_max"}),
    ],
)
async def test_add_channel_errors(
    hass: HomeAssistant, init_integration: MockConfigEntry, form: dict[str, Any], errors: dict[str, str]
) -> None:
    """A board output already in use, or clamps that leave no range, are shown in the form; fixing them works."""
    result = await _start_subentry(hass, init_integration, SUBENTRY_CHANNEL)
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CHANNEL_FORM | form)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], CHANNEL_FORM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_reconfigure_channel(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Editing a channel keeps its entity, refuses a taken output and may move it to a free one."""
    subentry_id = next(sid for sid, sub in init_integration.subentries.items() if sub.title == "White")
    result = await init_integration.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    suggested = {str(key): key.description["suggested_value"] for key in result["data_schema"].schema}
    assert suggested["name"] == "White"
    assert suggested["max_output"] == 80.0

    edited = {**CHANNEL_FORM, "name": "Cool white", "address": 64, "output": 0}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], edited)
    assert result["errors"] == {"base": "already_configured"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**edited, "output": 1, "max_output": 70}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    subentry = init_integration.subentries[subentry_id]
    assert subentry.title == "Cool white"
    assert subentry.data["max_output"] == 70
    assert subentry.unique_id == "simulated:64:1"


async def test_add_and_reconfigure_probe(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A second simulated probe of the same kind is refused; a new kind is added and can be edited."""
    result = await _start_subentry(hass, init_integration, SUBENTRY_PROBE)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Second thermometer", "kind": "temperature"}
    )
    assert result["errors"] == {"base": "already_configured"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "ORP", "kind": "orp"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    subentry_id = next(sid for sid, sub in init_integration.subentries.items() if sub.title == "ORP")
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_PROBE),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Redox", "kind": "orp"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.subentries[subentry_id].title == "Redox"
    await hass.async_block_till_done()


def _url(dsn: str, **parts: str) -> str:
    """The test server's URL with some of its parts replaced."""
    url = urlsplit(dsn)
    user = parts.get("user", url.username or "")
    password = parts.get("password", url.password or "")
    host = parts.get("host", url.hostname or "")
    port = parts.get("port", str(url.port))
    database = parts.get("database", url.path.lstrip("/"))
    return f"postgresql://{user}:{password}@{host}:{port}/{database}"


@pytest.fixture
def pg_dsn() -> str:
    """The application database of the server scripts/test started."""
    return os.environ["BELLAS_REEF_PG_DSN"]


@pytest.fixture
async def readonly_user() -> AsyncIterator[tuple[str, str]]:
    """A role that may connect to a fresh database but not create tables in it."""
    admin = os.environ["BELLAS_REEF_PG_ADMIN_DSN"]
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
        await connection.execute("DROP DATABASE IF EXISTS reef_readonly")
        await connection.execute("DROP ROLE IF EXISTS reef_reader")
        await connection.execute("CREATE ROLE reef_reader LOGIN PASSWORD 'reader-pw'")
        await connection.execute("CREATE DATABASE reef_readonly")
    async with await psycopg.AsyncConnection.connect(
        admin.rsplit("/", 1)[0] + "/reef_readonly", autocommit=True
    ) as connection:
        await connection.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    yield "reef_reader", "reader-pw"
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
        await connection.execute("DROP DATABASE IF EXISTS reef_readonly")
        await connection.execute("DROP ROLE IF EXISTS reef_reader")


async def test_postgresql_url_is_tested_before_it_is_accepted(
    hass: HomeAssistant, pg_dsn: str, readonly_user: tuple[str, str]
) -> None:
    """Each kind of bad URL gets its own error in the form; the right one is accepted; no password leaks."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    base = {CONF_NAME: "Sump", "location": {CONF_LATITUDE: 1, CONF_LONGITUDE: 2}, "store": "postgresql"}
    user, password = readonly_user
    for url, error in (
        (None, "db_url_required"),
        ("mysql://nope", "invalid_db_url"),
        (_url(pg_dsn, port="1"), "cannot_connect"),
        (_url(pg_dsn, password="wrong-password"), "invalid_auth"),
        (_url(pg_dsn, database="no_such_database"), "database_not_found"),
        (_url(pg_dsn, user=user, password=password, database="reef_readonly"), "database_permission"),
    ):
        form = base if url is None else base | {"db_url": url}
        result = await hass.config_entries.flow.async_configure(result["flow_id"], form)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"db_url": error}, url
        assert "wrong-password" not in str(result)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], base | {"db_url": pg_dsn})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["db_url"] == pg_dsn
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_reconfigure_moves_the_store_to_postgresql(
    hass: HomeAssistant, init_integration: MockConfigEntry, pg_dsn: str
) -> None:
    """A controller can move from the embedded store to a PostgreSQL server; a bad URL is refused first."""
    result = await init_integration.start_reconfigure_flow(hass)
    form = {
        CONF_NAME: "Display reef",
        "location": {CONF_LATITUDE: 52.37, CONF_LONGITUDE: 4.89},
        "store": "postgresql",
        "retention_days": 30,
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form | {"db_url": _url(pg_dsn, password="wrong-password")}
    )
    assert result["errors"] == {"db_url": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form | {"db_url": pg_dsn})
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.data["store"] == "postgresql"
    assert init_integration.data["retention_days"] == 30
    assert init_integration.runtime_data.readings.retention_days == 30


async def test_an_old_controller_gets_a_stable_unique_id(hass: HomeAssistant) -> None:
    """Controllers made when the unique id was the slugged name move to a random id that renames keep."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Display reef",
        unique_id="display_reef",
        minor_version=1,
        data={CONF_NAME: "Display reef", CONF_LATITUDE: 52.37, CONF_LONGITUDE: 4.89},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.minor_version == 2
    assert entry.unique_id != "display_reef"
    assert len(entry.unique_id or "") == 32


async def test_a_controller_from_the_future_is_not_set_up(hass: HomeAssistant) -> None:
    """A downgrade leaves a newer controller alone rather than guessing its data."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Display reef",
        version=2,
        data={CONF_NAME: "Display reef", CONF_LATITUDE: 52.37, CONF_LONGITUDE: 4.89},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state.name == "MIGRATION_ERROR"
