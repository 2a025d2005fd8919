"""Home Assistant's own recorder as a contender in the history query benchmark.

A real Home Assistant core runs in-process (bootstrapped like `hass` does: registries, config entries, the
recorder and the sensor integration) with its recorder on a database of its own on the benchmark's
PostgreSQL server. Each probe becomes a sensor entity and each reading a row of the recorder's `states`
table, written the way the recorder writes them but in bulk, inside the recorder's thread and session:
`states_meta` and `state_attributes` rows through the recorder's models (attributes encoded and hashed with
the recorder's own functions), then the states by COPY on the recorder's connection, with ids, `old_state_id`
links, context ULIDs at the state's time and `last_changed_ts` left empty while the value keeps changing,
exactly as `States.from_event` would store them. The recorder then re-reads the oldest state, as it does on
start-up.

Statistics: the recorder's own compiler (the sensor integration's recorder platform, one run per five-minute
period, summarising each full hour) compiles the first day from those states. The other 29 days are computed
here the same way, checked to match the compiled day row for row, and written in the recorder's thread by the
function its statistics import task runs: compiling all 8,640 periods costs about 9 ms each, over a minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
import io
import logging
import math
import statistics as stats
import tempfile
from typing import Literal, cast
from uuid import uuid4

from homeassistant import bootstrap, config_entries, loader
from homeassistant.components.recorder import history, statistics
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.db_schema import (
    StateAttributes,
    States,
    StatesMeta,
    Statistics,
    StatisticsShortTerm,
)
from homeassistant.components.recorder.models import StatisticData
from homeassistant.components.recorder.tasks import RecorderTask
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import recorder as recorder_helper
from homeassistant.helpers.json import json_bytes_strip_null
from homeassistant.helpers.recorder import get_instance, session_scope
from homeassistant.setup import async_setup_component
import psycopg
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from ulid_transform import ulid_at_time_bytes

from custom_components.bellas_reef.history import Reading

FIVE_MINUTES = timedelta(minutes=5)
HOUR = timedelta(hours=1)
COMPILED = timedelta(days=1)
RECORDER_JOB_TIMEOUT = 120.0
STATISTIC_TYPES: set[Literal["change", "last_reset", "max", "mean", "min", "state", "sum"]] = {
    "mean",
    "min",
    "max",
}


@dataclass(frozen=True, slots=True)
class Sensor:
    """The Home Assistant entity a probe's metric shows up as."""

    entity_id: str
    attributes: dict[str, str]


SENSORS = {
    ("probe_temperature", "temperature"): Sensor(
        "sensor.water_temperature",
        {
            "state_class": "measurement",
            "unit_of_measurement": "°C",
            "device_class": "temperature",
            "friendly_name": "Water temperature",
        },
    ),
    ("probe_ph", "ph"): Sensor(
        "sensor.water_ph", {"state_class": "measurement", "device_class": "ph", "friendly_name": "Water pH"}
    ),
}
CHARTED = SENSORS["probe_temperature", "temperature"]


@dataclass(frozen=True, slots=True)
class Chart:
    """What one query hands a dashboard: points to draw, readings they stand for (if known), their mean."""

    points: int
    readings: int | None
    mean: float


type ChartQuery = Callable[[datetime, datetime, int], Awaitable[Callable[[], Chart]]]
"""Fetch what a chart of [start, end) in about `buckets` points needs; the answer summarises it untimed."""


def state_text(value: float) -> str:
    """A probe's value as a sensor state, at the 0.01 display precision of a temperature probe."""
    return f"{value:.2f}"


@dataclass(slots=True)
class _InRecorderThread(RecorderTask):
    """Runs a job in the recorder's thread, between its own tasks, and reports back to the event loop."""

    job: Callable[[Recorder], None]
    done: asyncio.Future[None]

    def run(self, instance: Recorder) -> None:
        loop = instance.hass.loop
        try:
            self.job(instance)
        except Exception as err:  # noqa: BLE001 - handed to the waiting coroutine, which raises it
            loop.call_soon_threadsafe(self.done.set_exception, err)
        else:
            loop.call_soon_threadsafe(self.done.set_result, None)


def _copy_field(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bytes):
        return r"\\x" + value.hex()
    return str(value)


def _fill_states(instance: Recorder, rows: Sequence[Reading]) -> None:
    """Write every reading as a recorded state, in time order, through the recorder's own session."""
    with session_scope(session=instance.get_session()) as session:
        metas = {key: StatesMeta(entity_id=sensor.entity_id) for key, sensor in SENSORS.items()}
        attributes = {}
        for key, sensor in SENSORS.items():
            shared = json_bytes_strip_null(sensor.attributes)
            attributes[key] = StateAttributes(
                shared_attrs=shared.decode(), hash=StateAttributes.hash_shared_attrs_bytes(shared)
            )
        session.add_all([*metas.values(), *attributes.values()])
        session.flush()
        next_id = (session.scalar(select(func.max(States.state_id))) or 0) + 1
        previous: dict[tuple[str, str], tuple[int, str, float]] = {}
        buffer = io.StringIO()
        for state_id, reading in enumerate(sorted(rows, key=lambda row: row.time), start=next_id):
            key = (reading.source, reading.metric)
            text = state_text(reading.value)
            updated = reading.time.timestamp()
            last = previous.get(key)
            changed = updated if last is None or last[1] != text else last[2]
            previous[key] = (state_id, text, changed)
            fields = (
                state_id,
                text,
                None if changed == updated else changed,
                updated,
                None if last is None else last[0],
                attributes[key].attributes_id,
                0,
                ulid_at_time_bytes(updated),
                metas[key].metadata_id,
            )
            buffer.write("\t".join(_copy_field(field) for field in fields) + "\n")
        buffer.seek(0)
        with session.connection().connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.copy_expert(
                "COPY states (state_id, state, last_changed_ts, last_updated_ts, old_state_id, attributes_id, "
                "origin_idx, context_id_bin, metadata_id) FROM STDIN",
                buffer,
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('states', 'state_id'), max(state_id)) FROM states"
            )
    with session_scope(session=instance.get_session(), read_only=True) as session:
        instance.states_manager.load_from_db(session)


def five_minute_statistics(rows: Sequence[Reading]) -> list[StatisticData]:
    """What the sensor platform compiles for each five-minute period of evenly spaced readings.

    The mean is time-weighted, which for readings evenly spaced from the start of each period is their plain
    mean; the state still in force when a period starts (the previous period's last) counts for min and max.
    """
    periods: dict[datetime, list[float]] = {}
    for reading in sorted(rows, key=lambda row: row.time):
        start = reading.time - (reading.time - datetime.min.replace(tzinfo=UTC)) % FIVE_MINUTES
        periods.setdefault(start, []).append(float(state_text(reading.value)))
    compiled: list[StatisticData] = []
    carried: list[float] = []
    for start, values in sorted(periods.items()):
        extremes = [*carried, *values]
        compiled.append(
            {"start": start, "mean": stats.fmean(values), "min": min(extremes), "max": max(extremes)}
        )
        carried = values[-1:]
    return compiled


def hourly_statistics(periods: Sequence[StatisticData]) -> list[StatisticData]:
    """What the recorder summarises from the five-minute rows for each hour."""
    hours: dict[datetime, list[StatisticData]] = {}
    for period in periods:
        hours.setdefault(period["start"].replace(minute=0), []).append(period)
    return [
        {
            "start": start,
            "mean": stats.fmean(row["mean"] for row in rows),
            "min": min(row["min"] for row in rows),
            "max": max(row["max"] for row in rows),
        }
        for start, rows in sorted(hours.items())
    ]


def _same(compiled: Sequence[statistics.StatisticsRow], computed: Sequence[StatisticData]) -> bool:
    return len(compiled) == len(computed) and all(
        row["start"] == want["start"].timestamp()
        and all(
            math.isclose(cast(float, row[kind]), want[kind], rel_tol=1e-9) for kind in ("mean", "min", "max")
        )
        for row, want in zip(compiled, computed, strict=True)
    )


class RecorderContender:
    """Home Assistant with its recorder on the benchmark server, holding the same readings as states."""

    name = "Home Assistant recorder"

    def __init__(self, admin_dsn: str) -> None:
        self._admin_dsn = admin_dsn
        self._database = f"bench_recorder_{uuid4().hex[:8]}"
        self._config = tempfile.TemporaryDirectory()
        self._hass: HomeAssistant | None = None

    async def load(self, rows: Sequence[Reading]) -> None:
        async with await psycopg.AsyncConnection.connect(self._admin_dsn, autocommit=True) as connection:
            await connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self._database)))
        hass = await self._start()
        await self._in_recorder_thread(lambda instance: _fill_states(instance, rows))
        for (source, metric), sensor in SENSORS.items():
            last = max(
                (row for row in rows if (row.source, row.metric) == (source, metric)),
                key=lambda row: row.time,
            )
            hass.states.async_set(sensor.entity_id, state_text(last.value), sensor.attributes)
        await self._fill_statistics([row for row in rows if SENSORS[row.source, row.metric] is CHARTED])

    def queries(self) -> dict[str, ChartQuery]:
        """The recorder's own history and statistics calls a chart of the charted sensor can use."""
        return {
            "HA history, State objects": self._history(minimal=False),
            "HA history, as a dashboard asks": self._history(minimal=True),
            "HA statistics, 5-minute": self._statistics("5minute"),
            "HA statistics, hourly": self._statistics("hour"),
        }

    async def close(self) -> None:
        try:
            if self._hass is not None:
                await self._hass.async_stop()
        finally:
            async with await psycopg.AsyncConnection.connect(self._admin_dsn, autocommit=True) as connection:
                await connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self._database))
                )
            self._config.cleanup()

    async def _start(self) -> HomeAssistant:
        """Bring up a core the way bootstrap does, with only the recorder and the sensor integration."""
        # The benchmark puts this repository on the import path, so the loader finds our integration and warns
        # that it is a custom one; nothing here loads it.
        logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
        hass = self._hass = HomeAssistant(self._config.name)
        hass.config.skip_pip = True
        await hass.config.async_set_time_zone("UTC")
        loader.async_setup(hass)
        hass.config_entries = config_entries.ConfigEntries(hass, {})
        if not await bootstrap.async_load_base_functionality(hass):
            raise RuntimeError("Home Assistant could not load its registries")
        recorder_helper.async_initialize_recorder(hass)
        url = make_url(self._admin_dsn).set(database=self._database).render_as_string(hide_password=False)
        config = {"recorder": {"db_url": url, "commit_interval": 0}}
        if not await async_setup_component(hass, "recorder", config):
            raise RuntimeError("the recorder did not set up")
        if not await async_setup_component(hass, "sensor", {}):
            raise RuntimeError("the sensor integration did not set up")
        await hass.async_start()
        if not await get_instance(hass).async_db_ready:
            raise RuntimeError("the recorder could not ready its database")
        return hass

    async def _in_recorder_thread(self, job: Callable[[Recorder], None]) -> None:
        """Queue a job behind everything the recorder has queued and wait until it ran."""
        assert self._hass is not None
        done: asyncio.Future[None] = self._hass.loop.create_future()
        get_instance(self._hass).queue_task(_InRecorderThread(job, done))
        async with asyncio.timeout(RECORDER_JOB_TIMEOUT):
            await done

    async def _fill_statistics(self, rows: Sequence[Reading]) -> None:
        assert self._hass is not None
        hass = self._hass
        periods = five_minute_statistics(rows)
        hours = hourly_statistics(periods)
        first = periods[0]["start"]
        compiled_periods = COMPILED // FIVE_MINUTES
        compiled_hours = COMPILED // HOUR

        def compile_first_day(instance: Recorder) -> None:
            for period in periods[:compiled_periods]:
                statistics.compile_statistics(instance, period["start"], fire_events=False)

        await self._in_recorder_thread(compile_first_day)
        instance = get_instance(hass)
        for period, computed in (("5minute", periods[:compiled_periods]), ("hour", hours[:compiled_hours])):
            compiled = await instance.async_add_executor_job(
                statistics.statistics_during_period,
                hass,
                first,
                first + COMPILED,
                {CHARTED.entity_id},
                period,
                None,
                STATISTIC_TYPES,
            )
            if not _same(compiled.get(CHARTED.entity_id, []), computed):
                raise RuntimeError(f"the recorder compiled other {period} statistics than computed here")
        found = await instance.async_add_executor_job(
            partial(statistics.get_metadata, hass, statistic_ids={CHARTED.entity_id})
        )
        metadata = found[CHARTED.entity_id][1]

        def import_the_rest(instance: Recorder) -> None:
            statistics.import_statistics(instance, metadata, periods[compiled_periods:], StatisticsShortTerm)
            statistics.import_statistics(instance, metadata, hours[compiled_hours:], Statistics)

        await self._in_recorder_thread(import_the_rest)

    def _history(self, *, minimal: bool) -> ChartQuery:
        """`minimal` asks as the history websocket does for a sensor chart: minimal, no attributes, compressed."""

        async def query(start: datetime, end: datetime, _buckets: int) -> Callable[[], Chart]:
            assert self._hass is not None
            # The recorder's window excludes its start; one microsecond earlier keeps the first reading in.
            found = await get_instance(self._hass).async_add_executor_job(
                history.get_significant_states,
                self._hass,
                start - timedelta(microseconds=1),
                end,
                [CHARTED.entity_id],
                None,
                True,
                True,
                minimal,
                minimal,
                minimal,
            )
            states = found.get(CHARTED.entity_id, [])

            def chart() -> Chart:
                values = [float(state.state if isinstance(state, State) else state["s"]) for state in states]
                return Chart(len(values), len(values), stats.fmean(values))

            return chart

        return query

    def _statistics(self, period: Literal["5minute", "hour"]) -> ChartQuery:
        async def query(start: datetime, end: datetime, _buckets: int) -> Callable[[], Chart]:
            assert self._hass is not None
            found = await get_instance(self._hass).async_add_executor_job(
                statistics.statistics_during_period,
                self._hass,
                start,
                end,
                {CHARTED.entity_id},
                period,
                None,
                STATISTIC_TYPES,
            )
            rows = found.get(CHARTED.entity_id, [])
            return lambda: Chart(len(rows), None, stats.fmean(cast(float, row["mean"]) for row in rows))

        return query
