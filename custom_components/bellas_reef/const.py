"""Constants shared by the Bella's Reef modules."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Final

DOMAIN: Final = "bellas_reef"

CONF_CHANNEL: Final = "channel"
CONF_PROBE: Final = "probe"
SUBENTRY_CHANNEL: Final = "channel"
SUBENTRY_PROBE: Final = "probe"

CONF_DRIVER: Final = "driver"
CONF_LOCATION: Final = "location"
CONF_ADDRESS: Final = "address"
CONF_OUTPUT: Final = "output"
CONF_ROLE: Final = "role"
CONF_CURVE: Final = "curve"
CONF_MIN_OUTPUT: Final = "min_output"
CONF_MAX_OUTPUT: Final = "max_output"
CONF_OVERRIDE_MINUTES: Final = "override_minutes"
CONF_KIND: Final = "kind"
CONF_STORE: Final = "store"
CONF_DB_URL: Final = "db_url"
CONF_RETENTION_DAYS: Final = "retention_days"

STORE_EMBEDDED: Final = "embedded"
STORE_POSTGRESQL: Final = "postgresql"
DEFAULT_RETENTION_DAYS: Final = 365

DEFAULT_OVERRIDE_MINUTES: Final = 60
DEFAULT_SIMULATED_ADDRESS: Final = 0x40

LIGHTING_TICK: Final = timedelta(seconds=1)
# While an effect runs or an output ramps, the hardware (not HA's state) is driven this often.
FAST_TICK: Final = timedelta(milliseconds=50)
# A change of the whole range (off to full) glides over this many seconds; flashes do not glide.
RAMP_FULL_SWING_SECONDS: Final = 2.0
PROBE_INTERVAL: Final = timedelta(seconds=10)
# How often buffered readings are written to the store, and old ones pruned.
STORE_FLUSH_SECONDS: Final = 10.0
STORE_PRUNE_INTERVAL: Final = timedelta(days=1)
# Consecutive failed reads or writes before a device's entities go unavailable.
FAILURES_BEFORE_UNAVAILABLE: Final = 3


class ChannelDriver(StrEnum):
    """Where a channel's PWM comes from."""

    SIMULATED = "simulated"


class ProbeDriver(StrEnum):
    """Where a probe's readings come from."""

    SIMULATED = "simulated"


class ChannelRole(StrEnum):
    """The color or job of a channel's LEDs, in the keeper's words."""

    ROYAL_BLUE = "royal_blue"
    BLUE = "blue"
    WHITE = "white"
    COOL_WHITE = "cool_white"
    VIOLET = "violet"
    UV = "uv"
    RED = "red"
    GREEN = "green"
    MOON = "moon"
    REFUGIUM = "refugium"
    OTHER = "other"
