"""The controller's readings table: what goes into it, and how HA asks it questions.

Every probe reading and every change of a channel's level becomes a row, written in the background by the
buffered writer (spooled to a local file while the database is down). Rows name their source by subentry id and
their controller by config entry id, so renaming an entity or a tank never splits its history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
import logging
from pathlib import Path
from typing import Any, Final

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
    CONF_STORE,
    DEFAULT_RETENTION_DAYS,
    DOMAIN,
    STORE_FLUSH_SECONDS,
    STORE_POSTGRESQL,
    STORE_PRUNE_INTERVAL,
)
from .history import (
    Bucket,
    BufferedWriter,
    HistoryError,
    Reading,
    ReadingsStore,
    Spool,
    SQLiteStore,
    redact_url,
)

_LOGGER = logging.getLogger(__name__)

METRIC_LEVEL: Final = "level"
METRIC_ON: Final = "on"
METRIC_POWER: Final = "power"
# How long a database call may take before the batch goes to the spool instead.
STORE_TIMEOUT_SECONDS: Final = 10.0


def database_issue_id(entry_id: str) -> str:
    """The repair issue shown while a controller's database cannot be reached."""
    return f"database_unreachable_{entry_id}"


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
        self._spool_path = Path(hass.config.path(".storage", f"{DOMAIN}.{entry.entry_id}.spool"))
        spool = Spool(self._spool_path)
        self.writer = BufferedWriter(
            store,
            spool,
            flush_interval=STORE_FLUSH_SECONDS,
            now=dt_util.utcnow,
            run_blocking=hass.async_add_executor_job,
            on_reachable_change=self._reachable_changed,
        )
        self.retention_days = int(entry.data.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))
        self._unsubs: list[CALLBACK_TYPE] = []
        self._last_levels: dict[str, float] = {}
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
        await self.writer.stop()
        await self.store.close()

    def listen(
        self, add_listener: Callable[[Callable[[], None]], CALLBACK_TYPE], on_update: Callable[[], None]
    ) -> None:
        """Record on every update of a coordinator, until the recorder stops."""
        self._unsubs.append(add_listener(on_update))

    @callback
    def add(self, source: Source, value: float, when: datetime | None = None) -> None:
        """Queue one row; never blocks."""
        self.writer.add(
            Reading(
                time=when or dt_util.utcnow(),
                controller=self.entry.entry_id,
                source=source.subentry_id,
                metric=source.metric,
                value=value,
            )
        )

    @callback
    def add_level(self, subentry_id: str, level: float, metric: str = METRIC_LEVEL) -> None:
        """Queue a channel's level (percent) or an outlet's on/off when it differs from the last one recorded."""
        if self._last_levels.get(subentry_id) != level:
            self._last_levels[subentry_id] = level
            self.add(Source(subentry_id, metric), level)

    async def async_query(self, source: Source, start: datetime, end: datetime, buckets: int) -> list[Bucket]:
        """Aggregate one source over [start, end) into at most `buckets` buckets, including unflushed rows."""
        await self.writer.flush()
        return await self.store.query(
            self.entry.entry_id, source.subentry_id, source.metric, start=start, end=end, buckets=buckets
        )

    async def _async_prune(self, _now: Any = None) -> None:
        cutoff = dt_util.utcnow() - timedelta(days=self.retention_days)
        try:
            removed = await self.store.prune(cutoff)
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
    """The recorder and row source behind one of our probe sensors or channel lights."""
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
        return runtime.readings, Source(subentry_id, probe.kind)
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
