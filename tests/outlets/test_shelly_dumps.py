"""The Shelly driver against real devices: dumps published by the aioshelly and Home Assistant projects.

Fake devices on 127.0.0.1 answer Gen1 HTTP and Gen2+ RPC calls only from a dump (tests/outlets/dumps/shelly,
sources in its README); the driver must find each relay, read its state, power and energy as dumped, and
switch exactly the relay it is asked to. Devices without relays are refused as not being outlets.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
import pytest

from custom_components.bellas_reef.outlets import OutletNotFoundError, OutletState, base
from custom_components.bellas_reef.outlets.shelly import ShellyDevice

from .dumps import committed_dumps, load
from .fake_shelly import DumpedGen1Server, DumpedGen2Server
from .helpers import serving

HOST = "127.0.0.1"
PASSWORD = "coral-reef"

DUMPS = {path.stem: load(path) for path in committed_dumps("shelly")}


def _gen(dump: dict[str, Any]) -> int:
    return int(dump["shelly"].get("gen", 1))


def _expected(dump: dict[str, Any]) -> dict[int, tuple[OutletState, str | None]]:
    """Each relay's state and own name, read straight from the dump."""
    status = dump["status"]
    if _gen(dump) == 1:
        meters = status.get("meters", [])
        found = {}
        for index, relay in enumerate(status.get("relays", [])):
            meter = meters[index] if index < len(meters) else {}
            state = (
                OutletState(relay["ison"], float(meter["power"]), meter["total"] / 60_000)
                if "total" in meter
                else OutletState(relay["ison"])
            )
            found[index] = (state, dump["settings"]["relays"][index].get("name"))
        return found
    found = {}
    for key, switch in status.items():
        if key.startswith("switch:"):
            state = (
                OutletState(switch["output"], float(switch["apower"]), switch["aenergy"]["total"] / 1000)
                if "apower" in switch
                else OutletState(switch["output"])
            )
            found[switch["id"]] = (state, dump["config"][key].get("name"))
    return found


RELAYS = sorted(name for name, dump in DUMPS.items() if _expected(dump))
OTHERS = sorted(name for name, dump in DUMPS.items() if not _expected(dump))


def _server(dump: dict[str, Any]) -> DumpedGen1Server | DumpedGen2Server:
    if _gen(dump) == 1:
        return DumpedGen1Server(dump)
    return DumpedGen2Server(dump, password=PASSWORD if dump["shelly"].get("auth_en") else None)


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


def test_the_dumps_cover_both_generations_with_meters() -> None:
    """Gen1 and Gen2+ relays with power, multi-relay devices, and devices that are not outlets."""
    gens = {_gen(DUMPS[name]) for name in RELAYS}
    metered = [
        name
        for name in RELAYS
        if any(state.power_w is not None for state, _ in _expected(DUMPS[name]).values())
    ]
    multi = [name for name in RELAYS if len(_expected(DUMPS[name])) > 1]
    assert {1, 2, 4} <= gens
    assert len(metered) >= 5
    assert len(multi) >= 3
    assert len(OTHERS) >= 3


@pytest.mark.parametrize("name", RELAYS)
async def test_relay_device(name: str) -> None:
    """Channels, names, power and energy as dumped; each relay switches itself and no other."""
    dump = DUMPS[name]
    expected = _expected(dump)
    server = _server(dump)
    async with ClientSession() as session, serving(server) as port:
        device = ShellyDevice(HOST, session=session, port=port, password=PASSWORD, timeout=5)
        found = await device.probe()
        assert found.generation == _gen(dump)
        mac = dump["shelly"]["mac"].lower()
        assert found.device.id == f"shelly:{mac}"
        assert [channel.channel for channel in found.channels] == sorted(expected)
        if _gen(dump) == 1:
            device_name = dump["settings"].get("name") or dump["settings"]["device"]["hostname"]
        else:
            device_name = dump["config"]["sys"]["device"].get("name") or dump["shelly"]["id"]
        assert found.device.name == device_name
        for channel in found.channels:
            state, own_name = expected[channel.channel]
            assert channel.name == (own_name or f"{device_name} channel {channel.channel}")
            assert channel.has_power_monitoring is (state.power_w is not None)

        outlets = [device.outlet(channel) for channel in sorted(expected)]
        for outlet in outlets:
            await outlet.connect()
        try:
            for channel, outlet in zip(sorted(expected), outlets, strict=True):
                state = await outlet.update()
                want = expected[channel][0]
                assert state.is_on is want.is_on
                assert (state.power_w, state.energy_kwh) == pytest.approx((want.power_w, want.energy_kwh))
                before = server.relays
                switched = await (outlet.turn_off() if state.is_on else outlet.turn_on())
                assert switched.is_on is not state.is_on
                before[channel] = not before[channel]
                assert server.relays == before
        finally:
            for outlet in outlets:
                await outlet.close()


@pytest.mark.parametrize("name", OTHERS)
async def test_devices_without_relays_are_not_outlets(name: str) -> None:
    """A gas sensor, a bulb, a meter or a gateway is refused with a clear reason."""
    async with ClientSession() as session, serving(_server(DUMPS[name])) as port:
        device = ShellyDevice(HOST, session=session, port=port, password=PASSWORD, timeout=5)
        with pytest.raises(OutletNotFoundError, match="no relay"):
            await device.probe()
