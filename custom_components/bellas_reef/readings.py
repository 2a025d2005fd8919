"""The controller's readings table: what goes into it, and how HA asks it questions.

A probe reading, an outlet's state or power and a channel's output level become a row when they changed beyond
their metric's deadband, and once per heartbeat otherwise; rows are written in the background by the buffered
writer (spooled to a local file while the database is down). Rows name their source by subentry id and
their controller by config entry id, so renaming an entity or a tank never splits its history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from . import libraries
from .const import (
    CONF_DB_URL,
    CONF_RETENTION_DAYS,
    CONF_ROLLUP_RETENTION_DAYS,
    CONF_STORE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_ROLLUP_RETENTION_DAYS,
    DOMAIN,
    STORE_FLUSH_SECONDS,
    STORE_POSTGRESQL,
    STORE_PRUNE_INTERVAL,
)
from .hardware.tank import ProbeKind
from .history import (
    Bucket,
    BufferedWriter,
    ChangeFilter,
    HistoryError,
    Reading,
    ReadingsStore,
    Spool,
    SQLiteStore,
    redact_url,
)

if TYPE_CHECKING:
    from .coordinator.lighting import LightingCoordinator
    from .coordinator.outlets import OutletCoordinator
    from .coordinator.probes import ProbeCoordinator

_LOGGER = logging.getLogger(__name__)

METRIC_LEVEL: Final = "level"
METRIC_ON: Final = "on"
METRIC_POWER: Final = "power"
# Each dose a doser gives, in millilitres: a row per dose, so dosing charts beside the water it changes.
METRIC_DOSE: Final = "dose"
# How long a database call may take before the batch goes to the spool instead.
STORE_TIMEOUT_SECONDS: Final = 10.0
# Changes smaller than these (in the metric's unit) repeat the last row; a metric not listed keeps every change.
DEADBANDS: Final[dict[str, float]] = {
    ProbeKind.TEMPERATURE: 0.01,
    ProbeKind.PH: 0.001,
    ProbeKind.ORP: 0.1,
    ProbeKind.SALINITY: 0.01,
    ProbeKind.CONDUCTIVITY: 1.0,
    ProbeKind.DISSOLVED_OXYGEN: 0.01,
    ProbeKind.SPECIFIC_GRAVITY: 0.001,
    METRIC_POWER: 0.5,
    METRIC_LEVEL: 0.05,
}
# A channel's level (percent of full output) is offered whenever its output's duty changes and kept when it moved
# by 1 % of itself (at least 0.05 point): moonlight steps far below HA's 1/255 brightness step (0.39 point) are
# recorded, and a sunrise ramp does not write a row every second.
RELATIVE_DEADBANDS: Final[dict[str, float]] = {METRIC_LEVEL: 0.01}
# A fade that ends within the deadband of its last row has its final level recorded once it stood still this long
# (checked every tenth of it).
LEVEL_SETTLE: Final = timedelta(minutes=1)
# Every source writes at least one row this often, so a chart shows it was alive.
HEARTBEAT: Final = timedelta(minutes=10)


def database_issue_id(entry_id: str) -> str:
    """The repair issue shown while a controller's database cannot be reached."""
    return f"database_unreachable_{entry_id}"


class Controller(Protocol):
    """What the recorder follows of a loaded controller (its runtime data)."""

    probes: ProbeCoordinator
    lighting: LightingCoordinator
    outlets: OutletCoordinator


@dataclass(frozen=True, slots=True)
class Source:
    """What a row says it came from: a probe and its measurement, or a channel's level."""

    subentry_id: str
    metric: str


def open_store(hass: HomeAssistant, entry: ConfigEntry) -> ReadingsStore:
    """The store the controller was configured with: its PostgreSQL server, or a SQLite file beside HA's.

    The PostgreSQL store's module must be loaded first (`libraries.async_load_for` does it at setup).
    """
    if entry.data.get(CONF_STORE) == STORE_POSTGRESQL:
        return libraries.postgres_store()(entry.data[CONF_DB_URL], timeout=STORE_TIMEOUT_SECONDS)
    return SQLiteStore(Path(hass.config.path(f"{DOMAIN}.db")))


def _spool_path(hass: HomeAssistant, entry: ConfigEntry) -> Path:
    """One spool file per controller under HA's storage folder, so it survives restarts."""
    return Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}.spool"))


def describe_store(entry: ConfigEntry) -> str:
    """The store in words safe to log or show: the URL without its password, or the embedded file."""
    if entry.data.get(CONF_STORE) == STORE_POSTGRESQL:
        return redact_url(entry.data[CONF_DB_URL])
    return "embedded SQLite"


class ReadingsRecorder:
    """Adds rows for one controller, prunes old ones daily, answers aggregated queries, reports outages."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, store: ReadingsStore) -> None:
        """Spool under HA's storage folder, one file per controller, so it survives restarts."""
        self.hass = hass
        self.entry = entry
        self.store = store
        self._spool_path = _spool_path(hass, entry)
        spool = Spool(self._spool_path)
        self.writer = BufferedWriter(
            store,
            spool,
            flush_interval=STORE_FLUSH_SECONDS,
            now=dt_util.utcnow,
            run_blocking=hass.async_add_executor_job,
            on_reachable_change=self._reachable_changed,
        )
        settings = {**entry.data, **entry.options}
        self.retention_days = int(settings.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))
        self.rollup_retention_days = max(
            int(settings.get(CONF_ROLLUP_RETENTION_DAYS, DEFAULT_ROLLUP_RETENTION_DAYS)), self.retention_days
        )
        self._unsubs: list[CALLBACK_TYPE] = []
        # Polled sources (probes, outlets) bring their heartbeat with the poll; channel levels only report
        # changes, so a timer sends theirs.
        self._polled = ChangeFilter(DEADBANDS, HEARTBEAT)
        self._levels = ChangeFilter(DEADBANDS, HEARTBEAT, RELATIVE_DEADBANDS)
        self._stopped = False
        self._unsub_stop: CALLBACK_TYPE | None = None

    async def async_start(self) -> None:
        """Replay what a previous run left in the spool and start writing; prune once a day; stop with HA."""
        await self.hass.async_add_executor_job(
            partial(self._spool_path.parent.mkdir, parents=True, exist_ok=True)
        )
        await self.writer.start()
        self._unsub_stop = self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_stop_with_ha)
        self._unsubs.append(
            async_track_time_interval(
                self.hass, self._async_prune, STORE_PRUNE_INTERVAL, name=f"{DOMAIN} readings retention"
            )
        )

    async def _async_stop_with_ha(self, _event: Any) -> None:
        self._unsub_stop = None
        await self.async_stop()

    async def async_stop(self) -> None:
        """Write what can be written; the rest stays in the spool for the next start."""
        if self._stopped:
            return
        self._stopped = True
        if self._unsub_stop is not None:
            self._unsub_stop()
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []
        try:
            await self.writer.stop()
        finally:
            # Even when HA's shutdown cancels the stop, the database file or pool is closed.
            await self.store.close()

    def listen(
        self, add_listener: Callable[[Callable[[], None]], CALLBACK_TYPE], on_update: Callable[[], None]
    ) -> None:
        """Record on every update of a coordinator, until the recorder stops."""
        self._unsubs.append(add_listener(on_update))

    @callback
    def follow(self, runtime: Controller) -> None:
        """Record the controller's probes, outlets and channel outputs from now on, until the recorder stops.

        Call it before the first refreshes, so the first reading of every setup is stored too.
        """
        probes, lighting, outlets = runtime.probes, runtime.lighting, runtime.outlets

        @callback
        def record_probes() -> None:
            values = probes.data or {}
            for reading, (probe, kind) in probes.readings.items():
                if (value := values.get(reading)) is not None:
                    self.record(Source(probe.subentry_id, kind), value)

        @callback
        def record_outlets() -> None:
            for subentry_id, outlet in outlets.outlets.items():
                if (state := outlet.state) is not None and outlet.health.available:
                    self.record(Source(subentry_id, METRIC_ON), 1.0 if state.is_on else 0.0)
                    if state.power_w is not None:
                        self.record(Source(subentry_id, METRIC_POWER), state.power_w)

        subscribed = False

        @callback
        def record_outputs(outputs: dict[str, tuple[float, int]]) -> None:
            # The call made while subscribing shows outputs not read from the boards yet: not a change.
            if subscribed:
                for subentry_id, (level, _duty) in outputs.items():
                    self._offer(self._levels, Source(subentry_id, METRIC_LEVEL), round(level * 100, 6))

        self.listen(probes.async_add_listener, record_probes)
        self.listen(outlets.async_add_listener, record_outlets)
        self._unsubs.append(lighting.async_subscribe_outputs(record_outputs))
        subscribed = True
        self._unsubs.append(
            async_track_time_interval(
                self.hass, self._async_levels_due, LEVEL_SETTLE / 10, name=f"{DOMAIN} channel level rows"
            )
        )

    @callback
    def add(self, source: Source, value: float, when: datetime | None = None) -> None:
        """Queue one row whatever its value (an event such as a rule raised); never blocks."""
        self.writer.add(self._reading(source, value, when))

    @callback
    def record(self, source: Source, value: float) -> None:
        """Queue a measurement taken now, if it changed beyond its deadband or its heartbeat is due."""
        self._offer(self._polled, source, value)

    def _offer(self, changes: ChangeFilter, source: Source, value: float) -> None:
        if changes.offer(reading := self._reading(source, value, None)):
            self.writer.add(reading)

    def _reading(self, source: Source, value: float, when: datetime | None) -> Reading:
        return Reading(
            time=when or dt_util.utcnow(),
            controller=self.entry.entry_id,
            source=source.subentry_id,
            metric=source.metric,
            value=value,
        )

    @callback
    def _async_levels_due(self, now: datetime) -> None:
        for reading in self._levels.due(dt_util.utcnow(), LEVEL_SETTLE):
            self.writer.add(reading)

    async def async_query(self, source: Source, start: datetime, end: datetime, buckets: int) -> list[Bucket]:
        """Aggregate one source over [start, end) into at most `buckets` buckets, including unflushed rows."""
        await self.writer.flush()
        return await self.store.query(
            self.entry.entry_id, source.subentry_id, source.metric, start=start, end=end, buckets=buckets
        )

    async def _async_prune(self, _now: Any = None) -> None:
        now = dt_util.utcnow()
        cutoff = now - timedelta(days=self.retention_days)
        try:
            removed = await self.store.prune(cutoff, now - timedelta(days=self.rollup_retention_days))
        except HistoryError as err:
            _LOGGER.warning("Could not prune old readings of %s: %s", self.entry.title, err)
            return
        _LOGGER.debug("Pruned %s readings of %s older than %s", removed, self.entry.title, cutoff)

    def _reachable_changed(self, reachable: bool) -> None:
        issue_id = database_issue_id(self.entry.entry_id)
        if reachable:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="database_unreachable",
            translation_placeholders={"name": self.entry.title, "store": describe_store(self.entry)},
        )


def resolve_source(hass: HomeAssistant, entity_id: str) -> tuple[ReadingsRecorder, Source]:
    """The recorder and row source behind one of our entities: probe, doser, outlet state or power, channel."""
    entity = er.async_get(hass).async_get(entity_id)
    if entity is None or entity.platform != DOMAIN or entity.config_subentry_id is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_source",
            translation_placeholders={"entity_id": entity_id},
        )
    entry = hass.config_entries.async_get_entry(entity.config_entry_id or "")
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="controller_not_loaded",
            translation_placeholders={"entity_id": entity_id},
        )
    runtime = entry.runtime_data
    subentry_id = entity.config_subentry_id
    if (probe := runtime.probes.probes.get(subentry_id)) is not None:
        extra = next((kind for kind in probe.extra if entity.unique_id.endswith(f"_{kind}")), None)
        return runtime.readings, Source(subentry_id, extra or probe.kind)
    if subentry_id in runtime.dosing.dosers:
        return runtime.readings, Source(subentry_id, METRIC_DOSE)
    if entity.domain == "switch":
        return runtime.readings, Source(subentry_id, METRIC_ON)
    if entity.domain == "sensor":
        return runtime.readings, Source(subentry_id, METRIC_POWER)
    return runtime.readings, Source(subentry_id, METRIC_LEVEL)


async def async_query_readings(
    hass: HomeAssistant, entity_id: str, start: datetime, end: datetime, buckets: int
) -> dict[str, Any]:
    """The aggregated history of one entity, as the readings service and WebSocket command return it."""
    if end <= start:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_range",
            translation_placeholders={"start": start.isoformat(), "end": end.isoformat()},
        )
    recorder, source = resolve_source(hass, entity_id)
    try:
        rows = await recorder.async_query(source, dt_util.as_utc(start), dt_util.as_utc(end), buckets)
    except HistoryError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="store_failed",
            translation_placeholders={"error": str(err)},
        ) from err
    return {
        "entity_id": entity_id,
        "metric": source.metric,
        "buckets": [
            {
                "start": bucket.start.isoformat(),
                "end": bucket.end.isoformat(),
                "avg": bucket.avg,
                "min": bucket.min,
                "max": bucket.max,
                "count": bucket.count,
            }
            for bucket in rows
        ],
    }


async def async_remove_readings(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Delete what a removed controller leaves behind: its spool file, and its rows in the embedded store.

    A PostgreSQL server is the keeper's own: its rows stay there for the keeper to keep or drop.
    """
    spool = _spool_path(hass, entry)
    await hass.async_add_executor_job(partial(spool.unlink, missing_ok=True))
    if entry.data.get(CONF_STORE) == STORE_POSTGRESQL:
        return
    store = SQLiteStore(Path(hass.config.path(f"{DOMAIN}.db")))
    try:
        removed = await store.remove_controller(entry.entry_id)
    except HistoryError as err:
        _LOGGER.warning("Could not delete the readings of %s: %s", entry.title, err)
    else:
        _LOGGER.debug("Deleted %s readings of %s", removed, entry.title)
    finally:
        await store.close()
