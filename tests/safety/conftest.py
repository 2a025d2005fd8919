"""The safety package is pure Python: its tests run without a Home Assistant instance."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the root fixture that starts Home Assistant: nothing here needs it."""
