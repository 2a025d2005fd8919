"""Fixtures shared by the integration's tests."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from datetime import timedelta
import os
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_LATITUDE, CONF_LONGITUDE, CONF_NAME
from homeassistant.core import HomeAssistant
from hypothesis import HealthCheck, settings
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.bellas_reef.const import (
    CONF_ADDRESS,
    CONF_CURVE,
    CONF_DRIVER,
    CONF_KIND,
    CONF_MAX_OUTPUT,
    CONF_MIN_OUTPUT,
    CONF_OUTPUT,
    CONF_OVERRIDE_MINUTES,
    CONF_ROLE,
    DOMAIN,
    SUBENTRY_CHANNEL,
    SUBENTRY_PROBE,
)
from custom_components.bellas_reef.hardware import gpio
from custom_components.bellas_reef.hardware.errors import HardwareError

# Hypothesis profiles for every property test (lighting, input): `scripts/test` runs the quick profile, the same
# examples every run, so the suite stays reproducible for everyone; `BELLAS_REEF_HYPOTHESIS=long` runs many more,
# freshly random each time, for hunting locally.
settings.register_profile(
    "quick",
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("BELLAS_REEF_HYPOTHESIS", "quick"))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """Each test's readings file and spool live in its own folder, not in the shared test configuration."""
    return hass_tmp_config_dir


def channel_data(address: int = 0x40, output: int = 0, **overrides: Any) -> dict[str, Any]:
    """Subentry data of a simulated channel."""
    return {
        CONF_DRIVER: "simulated",
        CONF_ADDRESS: address,
        CONF_OUTPUT: output,
        CONF_ROLE: "royal_blue",
        CONF_CURVE: "cie1931",
        CONF_MIN_OUTPUT: 0.0,
        CONF_MAX_OUTPUT: 100.0,
        CONF_OVERRIDE_MINUTES: 60,
        **overrides,
    }


def channel_subentry(
    title: str, address: int = 0x40, output: int = 0, **overrides: Any
) -> ConfigSubentryData:
    """A simulated channel subentry, as the flow would store it."""
    return ConfigSubentryData(
        data=channel_data(address, output, **overrides),
        subentry_type=SUBENTRY_CHANNEL,
        title=title,
        unique_id=f"simulated:{address}:{output}",
    )


def probe_subentry(title: str, kind: str) -> ConfigSubentryData:
    """A simulated probe subentry."""
    return ConfigSubentryData(
        data={CONF_DRIVER: "simulated", CONF_KIND: kind},
        subentry_type=SUBENTRY_PROBE,
        title=title,
        unique_id=f"simulated:{kind}",
    )


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A controller with two channels on one simulated board and two probes."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Display reef",
        unique_id="display_reef",
        minor_version=2,
        data={CONF_NAME: "Display reef", CONF_LATITUDE: 52.37, CONF_LONGITUDE: 4.89},
        subentries_data=[
            channel_subentry("Royal blue", output=0),
            channel_subentry("White", output=1, role="white", min_output=1.0, max_output=80.0),
            probe_subentry("Water temperature", "temperature"),
            probe_subentry("pH", "ph"),
        ],
    )


@pytest.fixture
async def init_integration(hass: HomeAssistant, mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """Set the controller up and wait until its entities exist."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float, steps: int = 1
) -> None:
    """Move the frozen clock forward in `steps` equal jumps, letting every timer and refresh finish."""
    for _ in range(steps):
        freezer.tick(timedelta(seconds=seconds / steps))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture(autouse=True)
def release_gpio_pins() -> Iterator[None]:
    """GPIO pins a test's controllers parked (to survive a reload) are let go, so the next test starts clean."""
    yield
    for owner in {owner for owner, _device in gpio._parked.values()}:
        with contextlib.suppress(HardwareError):
            gpio.release_parked(owner)
