"""The chaos soak: a tank run for two days of frozen time while every kind of device fails at random.

Boards, probes, an adopted sensor, outlets, an adopted switch and the readings store are broken and healed at
random (seeded): any exception, hangs, garbage, unit changes, unavailable entities, store outages and stores
that commit a batch but report failure (the reply lost). After every step the invariants a keeper relies on are
checked: every rule judged on time; a hot tank dark at once, whatever hangs; heaters off within the fail-safe's
delay once the thermometer is gone; every healthy output as it was asked to be; nothing unhandled in the log;
and, at the end, every reading stored exactly once.

`BELLAS_REEF_CHAOS_SEEDS` runs more seeds (e.g. `=20`); the seed of a failure is in the assertion message.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
import os
import random
import sqlite3
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import psycopg
from psycopg import sql
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_OUTLET
from custom_components.bellas_reef.coordinator.lighting import Board
from custom_components.bellas_reef.coordinator.outlets import ManagedOutlet
from custom_components.bellas_reef.history.model import Reading, StoreError
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import SimulatedOutlet, base

from .conftest import channel_subentry, probe_subentry
from .history.proxy import CuttingProxy

STEP = timedelta(seconds=30)
DAYS = 2
SEEDS = [20261130 + n for n in range(int(os.environ.get("BELLAS_REEF_CHAOS_SEEDS", "1")))]
HOT_C, NORMAL_C = 30.5, 25.5
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Errors our own code logs with a traceback on purpose, after containing them.
HANDLED = ("Unexpected error while writing readings",)


class ChaosError(Exception):
    """An exception no driver documents."""


ODD_ERRORS: tuple[tuple[type[BaseException], tuple[object, ...]], ...] = (
    (RuntimeError, ("driver bug",)),
    (KeyError, ("missing",)),
    (ZeroDivisionError, ()),
    (OSError, (5, "I/O error")),
    (ValueError, ("garbled frame",)),
    (ChaosError, ("unheard of",)),
    (TimeoutError, ()),
)
GARBAGE: tuple[object, ...] = (float("nan"), float("inf"), "??", None, [], -1e308)


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated outlets confirm a switch within a millisecond."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


def outlet(title: str, role: str, driver: str = "simulated", **extra: Any) -> dict[str, Any]:
    """An outlet subentry."""
    return {
        "data": {"driver": driver, "role": role, "boot_delay": 0, **extra},
        "subentry_type": SUBENTRY_OUTLET,
        "title": title,
        "unique_id": f"{driver}:{title}",
    }


async def _adopted_entities(hass: HomeAssistant) -> None:
    """A sump thermometer from another integration, and a switch from another integration (a template)."""
    hass.states.async_set("sensor.sump_temperature", "25.0", {"unit_of_measurement": "°C"})
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"wave_relay": {}}})
    relay = {"target": {"entity_id": "input_boolean.wave_relay"}}
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "Wave relay",
                            "state": "{{ is_state('input_boolean.wave_relay', 'on') }}",
                            "turn_on": {"action": "input_boolean.turn_on", **relay},
                            "turn_off": {"action": "input_boolean.turn_off", **relay},
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()


@dataclass
class Fault:
    """What is wrong with one device now, and until when."""

    kind: str
    until: datetime
    release: asyncio.Event = field(default_factory=asyncio.Event)


class Chaos:
    """Breaks and heals one tank's devices at random, and checks the keeper's invariants after every step."""

    def __init__(
        self, hass: HomeAssistant, entry: ReefConfigEntry, seed: int, proxy: CuttingProxy | None = None
    ) -> None:
        """Wrap every device's edge so faults can be switched on and off; PostgreSQL faults go to `proxy`."""
        self.proxy = proxy
        self.hass = hass
        self.entry = entry
        self.seed = seed
        self.random = random.Random(seed)
        self.faults: dict[str, Fault] = {}
        self.written: list[Reading] = []
        self.runtime = runtime = entry.runtime_data
        self.thermometer = next(
            sid for sid, probe in runtime.probes.probes.items() if probe.name == "Water temperature"
        )
        self.thermometer_quiet_since: datetime | None = None
        self.mismatches: dict[str, int] = {}
        self.checks: Counter[str] = Counter()
        for board in runtime.lighting.boards.values():
            self._wrap_board(board)
        for sid, probe in runtime.probes.probes.items():
            if probe.model != "Home Assistant sensor":
                probe.read = self._wrapped(f"probe:{sid}", probe.read, garbage=True)
        for managed in runtime.outlets.outlets.values():
            self._wrap_outlet(managed)
        writer = runtime.readings.writer
        original_add = writer.add

        def add(reading: Reading) -> None:
            self.written.append(reading)
            original_add(reading)

        writer.add = add  # type: ignore[method-assign]
        if proxy is not None:
            return
        store = runtime.readings.store
        write_batch = store.write_batch

        async def faulty_write(batch_id: str, rows: Any) -> bool:
            fault = self.faults.get("store")
            if fault is not None and fault.kind == "reply lost":
                await write_batch(batch_id, rows)
                raise StoreError("the reply to COMMIT was lost")
            if fault is not None and fault.kind == "hang":
                await fault.release.wait()
            if fault is not None:
                raise StoreError("database unreachable")
            return await write_batch(batch_id, rows)

        store.write_batch = faulty_write  # type: ignore[method-assign]

    def _wrapped(
        self, key: str, call: Callable[..., Awaitable[Any]], *, garbage: bool = False
    ) -> Callable[..., Awaitable[Any]]:
        async def faulty(*args: Any) -> Any:
            fault = self.faults.get(key)
            if fault is None:
                return await call(*args)
            if fault.kind == "hang":
                await fault.release.wait()
                raise ChaosError("released")
            if fault.kind == "garbage" and garbage:
                return self.random.choice(GARBAGE)
            error, args = self.random.choice(ODD_ERRORS)
            raise error(*args)

        return faulty

    def _wrap_board(self, board: Board) -> None:
        output = board.output
        output.async_write = self._wrapped(f"board:{board.key}", output.async_write)  # type: ignore[method-assign]
        output.async_read = self._wrapped(f"board:{board.key}", output.async_read)  # type: ignore[method-assign]

    def _wrap_outlet(self, managed: ManagedOutlet) -> None:
        driver = managed.driver
        if not isinstance(driver, SimulatedOutlet):
            return
        key = f"outlet:{managed.subentry_id}"
        for name in ("update", "turn_on", "turn_off", "connect"):
            setattr(driver, name, self._wrapped(key, getattr(driver, name), garbage=name == "update"))

    # --- faults -----------------------------------------------------------------------------------------
    def devices(self) -> list[str]:
        """Every fault target."""
        runtime = self.runtime
        return [
            *(f"board:{key}" for key in runtime.lighting.boards),
            *(
                f"probe:{sid}"
                for sid, p in runtime.probes.probes.items()
                if p.model != "Home Assistant sensor"
            ),
            *(
                f"outlet:{o.subentry_id}"
                for o in runtime.outlets.outlets.values()
                if isinstance(o.driver, SimulatedOutlet)
            ),
            "sump sensor",
            "wave switch",
            "store",
        ]

    def break_or_heal(self, now: datetime) -> None:
        """At random, break a device for a while, heal one early, heat or cool the water."""
        for key, fault in list(self.faults.items()):
            if now >= fault.until:
                self._heal(key)
        if self.random.random() < 0.05:
            key = self.random.choice(self.devices())
            if key not in self.faults:
                self._break(key, now)
        if self.random.random() < 0.004:
            tank = self.runtime.simulator.tank
            tank.temperature_c = HOT_C if tank.temperature_c < 28 else NORMAL_C

    def _break(self, key: str, now: datetime) -> None:
        until = now + timedelta(seconds=self.random.choice((30, 120, 600, 1800)))
        if key == "sump sensor":
            state, unit = self.random.choice(
                (("77.5", "°F"), ("298.5", "K"), ("25", "m/s"), ("unavailable", "°C"), ("abc", "°C"))
            )
            self.hass.states.async_set("sensor.sump_temperature", state, {"unit_of_measurement": unit})
            self.faults[key] = Fault("unit", until)
        elif key == "wave switch":
            self.hass.states.async_set("switch.wave_relay", "unavailable")
            self.faults[key] = Fault("unavailable", until)
        elif key == "store":
            self.faults[key] = Fault(self.random.choice(("outage", "reply lost", "hang")), until)
            if self.proxy is not None:
                self._break_server(self.proxy, self.faults[key].kind)
        else:
            self.faults[key] = Fault(self.random.choice(("raise", "hang", "garbage")), until)

    def _break_server(self, proxy: CuttingProxy, kind: str) -> None:
        """The database behind the proxy: down, answering COMMITs the client never hears, or cutting at random."""
        if kind == "outage":
            proxy.down = True
            proxy.cut_all()
        elif kind == "reply lost":
            proxy.lose_commit_replies += 2
        else:
            proxy.cut_chance = 0.05

    def _heal(self, key: str) -> None:
        fault = self.faults.pop(key)
        fault.release.set()
        if key == "store" and self.proxy is not None:
            self.proxy.down, self.proxy.cut_chance, self.proxy.lose_commit_replies = False, 0.0, 0
        if key == "sump sensor":
            self.hass.states.async_set("sensor.sump_temperature", "25.1", {"unit_of_measurement": "°C"})
        elif key == "wave switch":
            self.hass.states.async_set(
                "switch.wave_relay",
                "on" if self.hass.states.is_state("input_boolean.wave_relay", "on") else "off",
            )

    def heal_all(self) -> None:
        """Every device works again."""
        for key in list(self.faults):
            self._heal(key)

    # --- invariants -------------------------------------------------------------------------------------
    def check(self, now: datetime) -> None:
        """Every invariant the keeper relies on, at `now`."""
        runtime = self.runtime
        monitor = runtime.monitor
        where = f"seed {self.seed} at {now.isoformat()}"
        assert monitor.last_judged is not None
        assert now - monitor.last_judged <= timedelta(seconds=1), f"rules not judged on time ({where})"
        self.checks["judged"] += 1

        reading = monitor.latest.get(self.thermometer)
        if reading is not None and reading > 28.5 and f"probe:{self.thermometer}" not in self.faults:
            assert monitor.outcome.forced_off, f"hot water {reading} did not raise the rule ({where})"
            lit = [channel.name for channel in runtime.lighting.channels.values() if channel.duty]
            assert not lit, f"{lit} lit in hot water ({where})"
            self.checks["dark when hot"] += 1

        if f"probe:{self.thermometer}" in self.faults:
            self.thermometer_quiet_since = self.thermometer_quiet_since or now
            delay = timedelta(minutes=monitor.failsafe.minutes) + 2 * STEP
            if now - self.thermometer_quiet_since >= delay:
                assert monitor.failsafe_tripped, f"fail-safe not tripped ({where})"
                for managed in runtime.outlets.outlets.values():
                    if managed.role == "heater" and self._healthy_outlet(managed, now):
                        self._converge(f"heater {managed.name}", managed.driver.is_on, where)  # type: ignore[attr-defined]
                        self.checks["heater off"] += 1
        else:
            self.thermometer_quiet_since = None

        for managed in runtime.outlets.outlets.values():
            key = f"outlet {managed.name}"
            if not self._healthy_outlet(managed, now) or not isinstance(managed.driver, SimulatedOutlet):
                self.mismatches.pop(key, None)
                continue
            wanted, _why = runtime.outlets.target(managed, now)
            if wanted is not None:
                self._converge(key, managed.driver.is_on != wanted, where)
                self.checks["outlet as asked"] += 1
        for channel in runtime.lighting.channels.values():
            key = f"channel {channel.name}"
            if not self._healthy_board(channel.board):
                self.mismatches.pop(key, None)
                continue
            self._converge(key, self._chip_duty(channel.board, channel.output) != channel.duty, where)
            self.checks["channel as asked"] += 1

    def _converge(self, key: str, wrong: bool, where: str) -> None:
        """A healthy output may lag what it is asked for by a tick or two, never longer."""
        self.mismatches[key] = self.mismatches.get(key, 0) + 1 if wrong else 0
        assert self.mismatches[key] <= 3, f"{key} is not as asked for {self.mismatches[key]} steps ({where})"

    def _healthy_board(self, board: Board) -> bool:
        return (
            f"board:{board.key}" not in self.faults
            and board.health.available
            and (board.task is None or board.task.done())
            and board.health.consecutive_failures == 0
        )

    def _healthy_outlet(self, managed: ManagedOutlet, now: datetime) -> bool:
        return (
            f"outlet:{managed.subentry_id}" not in self.faults
            and managed.health.available
            and managed.health.consecutive_failures == 0
            and (managed.task is None or managed.task.done())
            and (managed.switch_retry_at is None or now >= managed.switch_retry_at)
            and (managed.boot_at is None or now >= managed.boot_at)
        )

    def _chip_duty(self, board: Board, output: int) -> int:
        address = int(board.key.rsplit("_", 1)[1], 16)
        chip = self.runtime.simulator.bus.device(address)
        duty: int = chip.output_duty(output)  # type: ignore[attr-defined]
        return duty


async def _settle(hass: HomeAssistant, entry: ReefConfigEntry) -> None:
    """Let device calls that already finished in their threads land, without waiting for hung ones.

    A delivery to the database under way gets up to a second of real time to finish first: the test's clock jumps
    30 s at a time, and a connection that takes 2 ms must not look like one that took 30 s.
    """
    for _ in range(2):
        await hass.async_block_till_done()
        await hass.async_add_executor_job(lambda: None)
    writer = entry.runtime_data.readings.writer
    for _ in range(50):
        if not writer.delivering:
            break
        await hass.async_add_executor_job(time.sleep, 0.02)


@pytest.fixture
async def proxy(request: pytest.FixtureRequest) -> AsyncIterator[CuttingProxy | None]:
    """For the PostgreSQL soak, a connection-cutting proxy in front of the suite's server (loopback only)."""
    if request.node.callspec.params["store"] != "postgresql":
        yield None
        return
    request.getfixturevalue("socket_enabled")
    cutting = CuttingProxy.for_url(
        os.environ["BELLAS_REEF_PG_DSN"], seed=request.node.callspec.params["seed"]
    )
    await cutting.start()
    yield cutting
    await cutting.close()


@pytest.mark.parametrize("store", ["embedded", "postgresql"])
@pytest.mark.parametrize("seed", SEEDS)
async def test_chaos_soak(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    proxy: CuttingProxy | None,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    store: str,
) -> None:
    """Two days of a demo-like tank, every device failing at random: the keeper's invariants always hold."""
    print(f"chaos seed {seed}, {store} store")  # noqa: T201 - the seed to replay a failure with
    caplog.set_level(logging.WARNING)
    freezer.move_to("2026-06-01 06:00:00+00:00")
    await _adopted_entities(hass)
    data: dict[str, Any] = {"name": "Chaos reef", "latitude": 52.0, "longitude": 5.0}
    if proxy is not None:
        # The database's timeouts run on the test's frozen clock: long enough that only the proxy's cuts fail.
        monkeypatch.setattr("custom_components.bellas_reef.readings.STORE_TIMEOUT_SECONDS", 3600.0)
        # Deliveries every 5 minutes rather than every 10 s: each one gets real time to reach the server.
        monkeypatch.setattr("custom_components.bellas_reef.readings.STORE_FLUSH_SECONDS", 300.0)
        data |= {"store": "postgresql", "db_url": proxy.url(os.environ["BELLAS_REEF_PG_DSN"])}
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Chaos reef",
        data=data,
        options={"failsafe_minutes": 5},
        subentries_data=[
            channel_subentry("Royal blue", output=0),
            channel_subentry("White", output=1, role="white"),
            channel_subentry("Moon", address=0x41, output=0, role="moon"),
            probe_subentry("Water temperature", "temperature"),
            probe_subentry("pH", "ph"),
            {
                "data": {
                    "driver": "ha_sensor",
                    "entity_id": "sensor.sump_temperature",
                    "kind": "temperature",
                },
                "subentry_type": "probe",
                "title": "Sump temperature",
                "unique_id": "ha_sensor:sensor.sump_temperature",
            },
            outlet("Heater", "heater", watts=200),
            outlet("Return pump", "return_pump"),
            outlet("Skimmer", "skimmer"),
            outlet("Wave maker", "powerhead", driver="ha_switch", entity_id="switch.wave_relay"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for light, level in (("light.royal_blue", 70), ("light.white", 40), ("light.moon", 5)):
        await hass.services.async_call(
            DOMAIN, "set_program", {"entity_id": light, "program": "static", "level": level}, blocking=True
        )
    for switch in ("switch.return_pump", "switch.skimmer", "switch.wave_maker", "switch.heater"):
        await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)

    chaos = Chaos(hass, entry, seed, proxy)
    now = datetime.now(UTC)
    # Rows from before the chaos began were queued before it counted them.
    begin = (now - EPOCH) // timedelta(microseconds=1)
    end = now + timedelta(days=DAYS)
    while now < end:
        chaos.break_or_heal(now)
        freezer.tick(STEP)
        now = datetime.now(UTC)
        async_fire_time_changed(hass)
        await _settle(hass, entry)
        chaos.check(now)

    chaos.heal_all()
    writer = entry.runtime_data.readings.writer
    for _ in range(120):
        freezer.tick(STEP)
        async_fire_time_changed(hass)
        await _settle(hass, entry)
        # Real time for the database's answers to arrive (the clock of the test stands still).
        await hass.async_add_executor_job(time.sleep, 0.01)
        if writer.unwritten == 0 and writer.reachable is not False:
            break
    # Nothing failed is left over: deliver what the last steps queued, until nothing is waiting.
    for _ in range(5):
        await writer.flush()
        if writer.backlog == 0:
            break
    written = list(chaos.written)
    chaos.check(datetime.now(UTC))
    assert min(chaos.checks.values()) > 0, chaos.checks
    assert {"judged", "dark when hot", "heater off", "outlet as asked", "channel as asked"} <= set(
        chaos.checks
    )

    unhandled = [
        record
        for record in caplog.records
        if (record.exc_info or "Traceback" in record.getMessage() or "never retrieved" in record.getMessage())
        and not record.getMessage().startswith(HANDLED)
    ]
    assert not unhandled, f"seed {seed}: {unhandled[0].getMessage()}"
    assert writer.backlog == 0

    expected = Counter(
        (r.source, r.metric, r.value, (r.time - EPOCH) // timedelta(microseconds=1))
        for r in written
        if r.controller == entry.entry_id and (r.time - EPOCH) // timedelta(microseconds=1) > begin
    )
    if proxy is None:
        stored = await hass.async_add_executor_job(
            _rows, hass.config.path(f"{DOMAIN}.db"), entry.entry_id, begin
        )
    else:
        assert sum(proxy.cuts.values()) > 0, "the proxy never cut a connection"
        stored = await _server_rows(os.environ["BELLAS_REEF_PG_DSN"], entry.entry_id, begin)
    missing, extra = expected - stored, stored - expected
    assert not missing, f"seed {seed}: {sum(missing.values())} readings lost, e.g. {next(iter(missing))}"
    assert not extra, f"seed {seed}: {sum(extra.values())} readings stored twice, e.g. {next(iter(extra))}"
    assert len(expected) > 1000
    assert ir.async_get(hass).issues is not None


def _rows(path: str, controller: str, after: int) -> Counter[tuple[str, str, float, int]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(
            "SELECT source, metric, value, time FROM bellas_reef_readings WHERE controller = ? AND time > ?",
            (controller, after),
        ).fetchall()
    return Counter((source, metric, value, time) for source, metric, value, time in rows)


async def _server_rows(dsn: str, controller: str, after: int) -> Counter[tuple[str, str, float, int]]:
    """The rows PostgreSQL holds for the controller (read around the proxy), then gone again."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        cursor = await connection.execute(
            "SELECT source, metric, value, time FROM bellas_reef_readings WHERE controller = %s",
            (controller,),
        )
        rows = await cursor.fetchall()
        for table in ("bellas_reef_readings", "bellas_reef_rollups"):
            await connection.execute(
                sql.SQL("DELETE FROM {} WHERE controller = %s").format(sql.Identifier(table)), (controller,)
            )
    stored: Counter[tuple[str, str, float, int]] = Counter()
    for source, metric, value, moment in rows:
        micros = (moment - EPOCH) // timedelta(microseconds=1)
        if micros > after:
            stored[(source, metric, value, micros)] += 1
    return stored
