"""Driver libraries load on demand: importing the integration loads no network, PostgreSQL, GPIO or I2C library."""

from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers.importlib import DATA_IMPORT_CACHE
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef import libraries
from custom_components.bellas_reef.const import (
    CONF_DB_URL,
    CONF_DRIVER,
    CONF_HOST,
    CONF_STORE,
    DOMAIN,
    STORE_POSTGRESQL,
    SUBENTRY_OUTLET,
)
from custom_components.bellas_reef.history.postgres import PostgresStore, validate_postgres_url
from custom_components.bellas_reef.outlets.kasa import KasaDevice
from custom_components.bellas_reef.outlets.shelly import ShellyDevice
from custom_components.bellas_reef.outlets.vesync import VeSyncAccount

from .conftest import channel_subentry, probe_subentry

HEAVY = (
    "kasa",
    "aioshelly",
    "pyvesync",
    "psycopg",
    "psycopg_pool",
    "gpiozero",
    "adafruit_pca9685",
    "busio",
    "smbus2",
)
PACKAGE = "custom_components.bellas_reef"
# Everything HA imports of the integration for a controller: the package, its config flow and its platforms.
INTEGRATION = (
    PACKAGE,
    f"{PACKAGE}.config_flow",
    f"{PACKAGE}.binary_sensor",
    f"{PACKAGE}.button",
    f"{PACKAGE}.diagnostics",
    f"{PACKAGE}.light",
    f"{PACKAGE}.logbook",
    f"{PACKAGE}.sensor",
    f"{PACKAGE}.switch",
    f"{PACKAGE}.system_health",
)


def _loaded_after_importing(*modules: str, then: str = "") -> list[str]:
    """The heavy libraries in sys.modules of a fresh interpreter after importing ``modules`` (and running ``then``)."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        f"{then}\n"
        f"print(json.dumps(sorted(name for name in {list(HEAVY)!r} if name in sys.modules)))\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script],
        capture_output=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        text=True,
        timeout=120,
    )
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_importing_the_integration_loads_no_network_postgresql_gpio_or_i2c_library() -> None:
    assert _loaded_after_importing(*INTEGRATION) == []


def test_importing_the_lighting_engine_loads_no_driver_library() -> None:
    assert _loaded_after_importing(f"{PACKAGE}.lighting") == []


def test_the_driver_modules_do_load_their_libraries() -> None:
    """The check above can fail: the modules it keeps out really import those libraries."""
    loaded = _loaded_after_importing(
        f"{PACKAGE}.outlets.kasa", f"{PACKAGE}.outlets.shelly", f"{PACKAGE}.outlets.vesync"
    )
    assert loaded == ["aioshelly", "kasa", "pyvesync"]
    assert _loaded_after_importing(f"{PACKAGE}.history.postgres") == ["psycopg", "psycopg_pool"]


def test_a_pca9685_board_and_an_i2c_bus_load_their_libraries_when_first_used() -> None:
    """Adafruit's driver with a board's first write, smbus2 with the first bus opened (a missing one too)."""
    first_write = (
        f"from {PACKAGE}.hardware.simulated import simulated_pca9685_board\n"
        "simulated_pca9685_board().write({0: 100})"
    )
    assert _loaded_after_importing(*INTEGRATION, then=first_write) == ["adafruit_pca9685", "busio"]
    first_bus = (
        f"from {PACKAGE}.hardware.errors import DeviceMissingError\n"
        f"from {PACKAGE}.hardware.i2c import SMBusI2C\n"
        "try:\n"
        "    SMBusI2C(250)\n"
        "except DeviceMissingError:\n"
        "    pass"
    )
    assert _loaded_after_importing(*INTEGRATION, then=first_bus) == ["smbus2"]


def _outlet(driver: str, host: str) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={CONF_DRIVER: driver, CONF_HOST: host},
        subentry_type=SUBENTRY_OUTLET,
        title=f"{driver} outlet",
        unique_id=f"{driver}:{host}",
    )


async def test_a_controller_loads_only_what_its_outlets_and_store_use(hass: HomeAssistant) -> None:
    """Through HA's import executor, once: the Kasa plug's library and the PostgreSQL store, not Shelly's."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_STORE: STORE_POSTGRESQL, CONF_DB_URL: "postgresql://reef@127.0.0.1/reef"},
        subentries_data=[
            channel_subentry("Royal blue"),
            probe_subentry("Water temperature", "temperature"),
            _outlet("kasa", "127.0.0.1"),
            _outlet("simulated", "sim"),
        ],
    )
    await libraries.async_load_for(hass, entry)
    imported = set(hass.data[DATA_IMPORT_CACHE])
    assert imported == {f"{PACKAGE}.outlets.kasa", f"{PACKAGE}.history.postgres"}
    assert libraries.kasa_device() is KasaDevice
    assert libraries.postgres_store() is PostgresStore
    assert libraries.postgres_url_check() is validate_postgres_url
    await libraries.async_load(hass, "shelly", "vesync", "ha_switch")
    assert libraries.shelly_device() is ShellyDevice
    assert libraries.vesync_account() is VeSyncAccount


def test_a_driver_used_before_it_is_loaded_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, f"{PACKAGE}.outlets.vesync")
    with pytest.raises(RuntimeError, match=r"before libraries\.async_load"):
        libraries.vesync_account()
