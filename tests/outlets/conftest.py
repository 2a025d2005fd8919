"""Outlet drivers are pure Python: their tests run the vendor libraries against fake devices on 127.0.0.1."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """The outlets package is pure Python: its tests need no Home Assistant instance."""


@pytest.fixture(autouse=True)
def loopback_servers(socket_enabled: None) -> None:
    """Let the fake devices listen; connections stay limited to 127.0.0.1."""
