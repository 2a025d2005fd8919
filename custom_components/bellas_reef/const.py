"""Constants shared by the Bella's Reef modules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any, Final

from .hardware.tank import ProbeKind

DOMAIN: Final = "bellas_reef"

SUBENTRY_CHANNEL: Final = "channel"
SUBENTRY_PROBE: Final = "probe"
SUBENTRY_OUTLET: Final = "outlet"
SUBENTRY_DOSER: Final = "doser"
SUBENTRY_PUMP: Final = "pump"
SUBENTRY_INPUT: Final = "input"

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
CONF_BUS: Final = "bus"
CONF_FREQUENCY: Final = "frequency"
CONF_PIN: Final = "pin"
CONF_PIN_FACTORY: Final = "pin_factory"
CONF_DEVICE_ID: Final = "device_id"
CONF_ENTITY_ID: Final = "entity_id"
CONF_TEMPERATURE_PROBE: Final = "temperature_probe"
CONF_RULES: Final = "rules"
CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"  # noqa: S105 - a form field name, not a password
CONF_SOCKET: Final = "socket"
CONF_CONNECTION: Final = "connection"
CONF_MAC: Final = "mac"
CONF_CHANNEL: Final = "channel"
CONF_VESYNC: Final = "vesync"
CONF_BOOT_DELAY: Final = "boot_delay"
CONF_WATTS: Final = "watts"
CONF_DEFAULTS_APPLIED: Final = "defaults_applied"
CONF_SAFETY_MODE_LIGHTS: Final = "safety_mode_lights"
CONF_SAFETY_MODE_OUTLETS: Final = "safety_mode_outlets"
CONF_FAILSAFE_MINUTES: Final = "failsafe_minutes"
# A doser: what drives its pump, its rate, schedule, daily cap and container.
CONF_PUMP: Final = "pump"
CONF_DUTY: Final = "duty"
CONF_RATE: Final = "rate"
CONF_DAILY_ML: Final = "daily_ml"
CONF_DOSES: Final = "doses"
CONF_WINDOW_START: Final = "window_start"
CONF_WINDOW_END: Final = "window_end"
CONF_CAP_ML: Final = "cap_ml"
CONF_CONTAINER_ML: Final = "container_ml"
CONF_LOW_ML: Final = "low_ml"
CONF_SKIP_IN_FEED: Final = "skip_in_feed"
# A DC pump channel: its speeds (percent), pulse and wave times, and which side of a gyre it is.
CONF_SPEED: Final = "speed"
CONF_LOW: Final = "low"
CONF_ON_SECONDS: Final = "on_seconds"
CONF_OFF_SECONDS: Final = "off_seconds"
CONF_RANDOM_SECONDS: Final = "random_seconds"
CONF_GYRE_SECONDS: Final = "gyre_seconds"
CONF_SECOND_OF_GYRE: Final = "second_of_gyre"
CONF_TIDE_HOURS: Final = "tide_hours"
CONF_MIN_SPEED: Final = "min_speed"
CONF_FEED_SPEED: Final = "feed_speed"
CONF_SAFETY_SPEED: Final = "safety_speed"
DEFAULT_FAILSAFE_MINUTES: Final = 5

EVENT_ALERT: Final = "bellas_reef_alert"
CONF_STORE: Final = "store"
CONF_DB_URL: Final = "db_url"
CONF_RETENTION_DAYS: Final = "retention_days"
# How long the 1-minute, 5-minute and hourly rollups are kept: never less than the raw rows' retention_days.
CONF_ROLLUP_RETENTION_DAYS: Final = "rollup_retention_days"

STORE_EMBEDDED: Final = "embedded"
STORE_POSTGRESQL: Final = "postgresql"
DEFAULT_RETENTION_DAYS: Final = 365
DEFAULT_ROLLUP_RETENTION_DAYS: Final = 5 * 365

DEFAULT_OVERRIDE_MINUTES: Final = 60
DEFAULT_SIMULATED_ADDRESS: Final = 0x40

LIGHTING_TICK: Final = timedelta(seconds=1)
# While an effect runs or an output ramps, the hardware (not HA's state) is driven this often.
FAST_TICK: Final = timedelta(milliseconds=50)
# A change of the whole range (off to full) glides over this many seconds; flashes do not glide.
RAMP_FULL_SWING_SECONDS: Final = 2.0
PROBE_INTERVAL: Final = timedelta(seconds=10)
# Outlets are polled at this pace (Shelly Gen2 also pushes); programs and feed mode are applied every second.
OUTLET_POLL: Final = timedelta(seconds=15)
OUTLET_TICK: Final = timedelta(seconds=1)
# The longest pause between attempts to reach an unreachable outlet.
OUTLET_MAX_RETRY: Final = timedelta(minutes=5)
# Cloud outlets (VeSync) and outlets that push their changes are read every 4th poll (each minute).
OUTLET_PUSH_POLL_EVERY: Final = 4
OUTLET_CLOUD_POLL_EVERY: Final = 4
# A manual switch of an outlet that follows a program holds this long, then the program takes over again.
OUTLET_MANUAL_HOLD: Final = timedelta(minutes=60)
DEFAULT_FEED_MINUTES: Final = 10
DEFAULT_FEED_ROLES: Final = ("return_pump", "powerhead", "skimmer")
# How often buffered readings are written to the store, and old ones pruned.
STORE_FLUSH_SECONDS: Final = 10.0
STORE_PRUNE_INTERVAL: Final = timedelta(days=1)
# Consecutive failed reads or writes before a device's entities go unavailable.
FAILURES_BEFORE_UNAVAILABLE: Final = 3
# A device unavailable this long raises a repair issue (it is gone, not glitching).
DEVICE_MISSING_AFTER: Final = timedelta(minutes=5)
# The longest any single device call (an I2C write, a probe read, an outlet or adopted entity's service) may
# take before it counts as failed: a hung device must never hold up the others or the safety path.
DEVICE_TIMEOUT: Final = 10.0
# Saved channel, outlet and safety state: its format version, and how long changes gather before a save.
STORAGE_VERSION: Final = 1
SAVE_DELAY_SECONDS: Final = 5


def storage_key(entry_id: str, part: str | None = None) -> str:
    """Where a part of a controller's state is saved between restarts (channels when `part` is None)."""
    return f"{DOMAIN}.{entry_id}" if part is None else f"{DOMAIN}.{entry_id}.{part}"


class ChannelDriver(StrEnum):
    """Where a channel's PWM comes from."""

    PCA9685 = "pca9685"
    GPIO = "gpio"
    HA_LIGHT = "ha_light"
    SIMULATED = "simulated"


class ProbeDriver(StrEnum):
    """Where a probe's readings come from."""

    DS18B20 = "ds18b20"
    EZO_PH = "ezo_ph"
    EZO_ORP = "ezo_orp"
    EZO_EC = "ezo_ec"
    EZO_DO = "ezo_do"
    HA_SENSOR = "ha_sensor"
    SIMULATED = "simulated"


class OutletDriver(StrEnum):
    """Where an outlet's switching goes."""

    KASA = "kasa"
    SHELLY = "shelly"
    VESYNC = "vesync"
    HA_SWITCH = "ha_switch"
    SIMULATED = "simulated"


EZO_DRIVERS: Final = frozenset(
    {ProbeDriver.EZO_PH, ProbeDriver.EZO_ORP, ProbeDriver.EZO_EC, ProbeDriver.EZO_DO}
)


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


PROBE_KINDS: Final[Mapping[str, ProbeKind]] = {
    ProbeDriver.DS18B20: ProbeKind.TEMPERATURE,
    ProbeDriver.EZO_PH: ProbeKind.PH,
    ProbeDriver.EZO_ORP: ProbeKind.ORP,
    ProbeDriver.EZO_EC: ProbeKind.CONDUCTIVITY,
    ProbeDriver.EZO_DO: ProbeKind.DISSOLVED_OXYGEN,
}


def probe_kind(data: Mapping[str, Any]) -> ProbeKind:
    """What a probe subentry measures: fixed by its driver, or chosen for simulated and adopted sensors."""
    if (kind := PROBE_KINDS.get(data[CONF_DRIVER])) is not None:
        return kind
    return ProbeKind(data[CONF_KIND])


# What a conductivity circuit reports beside conductivity: an EZO-EC (real, or the simulated one behind a simulated
# conductivity probe) gives salinity and specific gravity, each a reading and a sensor of its own.
EC_EXTRA_KINDS: Final = (ProbeKind.SALINITY, ProbeKind.SPECIFIC_GRAVITY)


def probe_extras(data: Mapping[str, Any]) -> tuple[ProbeKind, ...]:
    """What a probe subentry reports beside its own kind."""
    if (
        data[CONF_DRIVER] in (ProbeDriver.EZO_EC, ProbeDriver.SIMULATED)
        and probe_kind(data) == ProbeKind.CONDUCTIVITY
    ):
        return EC_EXTRA_KINDS
    return ()


def reading_id(subentry_id: str, kind: ProbeKind | None = None) -> str:
    """What a reading goes by in the poll and safety rules: its probe's subentry id, plus the kind for an extra."""
    return subentry_id if kind is None else f"{subentry_id}:{kind}"
