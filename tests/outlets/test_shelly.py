"""The Shelly driver: aioshelly and the Gen1 HTTP API against fake Gen1 and Gen2 devices on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.bellas_reef.outlets import (
    Outlet,
    OutletAuthError,
    OutletConnectionError,
    OutletNotConfirmedError,
    OutletNotFoundError,
    OutletState,
    base,
)
from custom_components.bellas_reef.outlets.shelly import ShellyChannel, ShellyDevice

from .fake_shelly import Gen1Data, Gen1Server, Gen2Data, Gen2Server, Relay
from .helpers import closed_port, serving

HOST = "127.0.0.1"


@pytest.fixture
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as client:
        yield client


def shelly_25() -> Gen1Data:
    return Gen1Data(
        model="SHSW-25",
        mac="C45BBE6A7B8C",
        name=None,
        relays=[Relay("Powerhead left", True, 9.5), Relay(None, False, 9.5)],
    )


async def test_gen1_probe_with_basic_auth(session: ClientSession) -> None:
    data = Gen1Data(username="keeper", password="zoanthid")
    async with serving(Gen1Server(data)) as port:
        device = ShellyDevice(
            HOST, session=session, port=port, username="keeper", password="zoanthid", timeout=2
        )
        info = await device.probe()
    assert info.generation == 1
    assert info.device.id == "shelly:e868e7aabbcc"
    assert info.device.name == "Skimmer plug"
    assert info.device.model == "Shelly Plug S"
    assert info.device.manufacturer == "Shelly"
    assert info.device.mac == "e8:68:e7:aa:bb:cc"
    assert info.device.firmware == "20230913-114244/v1.14.0-gcb84623"
    assert info.channels == (
        ShellyChannel(
            channel=0, name="Skimmer", unique_id="shelly:e868e7aabbcc:0", has_power_monitoring=True
        ),
    )


async def test_gen1_unnamed_channels_take_the_device_name(session: ClientSession) -> None:
    async with serving(Gen1Server(shelly_25())) as port:
        info = await ShellyDevice(HOST, session=session, port=port, timeout=2).probe()
    assert info.device.name == "shellyplug-s-6A7B8C"
    assert info.device.model == "Shelly 2.5"
    assert [channel.name for channel in info.channels] == ["Powerhead left", "shellyplug-s-6A7B8C channel 1"]


async def test_gen1_channel_switches_reads_power_and_confirms(
    session: ClientSession, quick_confirm: None
) -> None:
    data = Gen1Data(username="admin", password="zoanthid")
    async with serving(Gen1Server(data)) as port:
        device = ShellyDevice(HOST, session=session, port=port, password="zoanthid", timeout=2)
        outlet: Outlet = device.outlet(0)
        await outlet.connect()
        assert outlet.unique_id == "shelly:e868e7aabbcc:0"
        assert outlet.name == "Skimmer"
        assert outlet.model == "Shelly Plug S"
        assert outlet.device.id == "shelly:e868e7aabbcc"
        assert outlet.has_power_monitoring
        assert await outlet.update() == OutletState(is_on=True, power_w=17.5, energy_kwh=1.5)
        assert await outlet.turn_off() == OutletState(is_on=False, power_w=0.0, energy_kwh=1.5)
        assert [relay.is_on for relay in data.relays] == [False]
        assert (await outlet.turn_on()).is_on
        assert [relay.is_on for relay in data.relays] == [True]
        await outlet.close()


async def test_gen1_relay_without_meter_reports_no_power(session: ClientSession) -> None:
    data = Gen1Data(model="SHSW-1", metered=False, relays=[Relay("ATO pump", False, None)])
    async with serving(Gen1Server(data)) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, timeout=2).outlet(0)
        await outlet.connect()
        assert not outlet.has_power_monitoring
        assert await outlet.update() == OutletState(is_on=False)
        await outlet.close()


async def test_gen1_button_press_shows_in_the_next_update(session: ClientSession) -> None:
    data = Gen1Data()
    async with serving(Gen1Server(data)) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, timeout=2).outlet(0)
        await outlet.connect()
        assert not outlet.pushes_updates
        data.press_button(0)
        assert not (await outlet.update()).is_on
        await outlet.close()


async def test_gen1_channels_polled_together_share_one_status_read(session: ClientSession) -> None:
    data = shelly_25()
    async with serving(Gen1Server(data)) as port:
        device = ShellyDevice(HOST, session=session, port=port, timeout=2)
        left, right = device.outlet(0), device.outlet(1)
        await left.connect()
        await right.connect()
        reads = data.status_reads
        states = await asyncio.gather(left.update(), right.update())
        assert data.status_reads == reads + 1
        assert [state.is_on for state in states] == [True, False]
        await left.close()
        await right.close()


async def test_gen1_command_the_relay_ignores_is_not_confirmed(
    session: ClientSession, quick_confirm: None
) -> None:
    data = Gen1Data(ignore_commands=True)
    async with serving(Gen1Server(data)) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, timeout=2).outlet(0)
        await outlet.connect()
        with pytest.raises(OutletNotConfirmedError, match="still reports on"):
            await outlet.turn_off()
        await outlet.close()


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong"), (None, None)])
async def test_gen1_refuses_wrong_or_missing_credentials(
    session: ClientSession, username: str | None, password: str | None
) -> None:
    data = Gen1Data(username="admin", password="zoanthid")
    async with serving(Gen1Server(data)) as port:
        device = ShellyDevice(
            HOST, session=session, port=port, username=username, password=password, timeout=2
        )
        with pytest.raises(OutletAuthError):
            await device.probe()


async def test_gen1_device_that_goes_away_is_a_connection_error(session: ClientSession) -> None:
    async with serving(Gen1Server(Gen1Data())) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, timeout=2).outlet(0)
        await outlet.connect()
    with pytest.raises(OutletConnectionError, match="failed on /status"):
        await outlet.update()
    await outlet.close()


async def test_gen1_device_error_is_a_connection_error(session: ClientSession) -> None:
    data = Gen1Data()
    async with serving(Gen1Server(data)) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, timeout=2).outlet(0)
        await outlet.connect()
        data.status_error = 500
        with pytest.raises(OutletConnectionError, match="answered /status with 500"):
            await outlet.update()
        await outlet.close()


async def test_a_channel_the_device_lacks_is_not_found(session: ClientSession) -> None:
    async with serving(Gen1Server(Gen1Data())) as port:
        device = ShellyDevice(HOST, session=session, port=port, timeout=2)
        with pytest.raises(OutletNotFoundError, match=r"has channels \[0\], not 1"):
            await device.outlet(1).connect()
        with pytest.raises(OutletConnectionError, match="not connected"):
            device.outlet_device  # noqa: B018 - the failed outlet released the connection


async def test_another_shelly_at_the_address_is_refused(session: ClientSession) -> None:
    async with serving(Gen1Server(Gen1Data())) as port:
        device = ShellyDevice(HOST, session=session, port=port, mac="E8:68:E7:00:00:01", timeout=2)
        with pytest.raises(OutletNotFoundError, match="another Shelly"):
            await device.probe()


async def test_a_device_that_is_no_shelly_is_refused(session: ClientSession) -> None:
    async def printer(_request: web.Request) -> web.Response:
        return web.json_response({"name": "printer"})

    app = web.Application()
    app.router.add_get("/shelly", printer)
    async with TestServer(app) as server:
        assert server.port is not None
        with pytest.raises(OutletNotFoundError, match="is not a Shelly"):
            await ShellyDevice(HOST, session=session, port=server.port, timeout=2).probe()


async def test_nothing_listening_is_a_connection_error(session: ClientSession) -> None:
    with pytest.raises(OutletConnectionError, match="failed to connect"):
        await ShellyDevice(HOST, session=session, port=closed_port(), timeout=2).probe()


async def test_a_slow_device_does_not_hold_up_another(session: ClientSession) -> None:
    slow_server = Gen1Server(Gen1Data())
    async with serving(slow_server) as slow_port, serving(Gen1Server(shelly_25())) as quick_port:
        quick = ShellyDevice(HOST, session=session, port=quick_port, timeout=0.5).outlet(0)
        await quick.connect()
        slow_server.stall = True
        loop = asyncio.get_running_loop()
        started = loop.time()
        quick_done = 0.0

        async def quick_update() -> OutletState:
            nonlocal quick_done
            state = await quick.update()
            quick_done = loop.time() - started
            return state

        slow_connect, quick_state = await asyncio.gather(
            ShellyDevice(HOST, session=session, port=slow_port, timeout=0.5).probe(),
            quick_update(),
            return_exceptions=True,
        )
        assert isinstance(slow_connect, OutletConnectionError)
        assert quick_state == OutletState(is_on=True, power_w=9.5, energy_kwh=1.5)
        assert quick_done < 0.25
        assert loop.time() - started >= 0.5
        await quick.close()


async def test_gen2_probe_with_digest_auth(session: ClientSession) -> None:
    server = Gen2Server(Gen2Data(password="acan"))
    async with serving(server) as port:
        info = await ShellyDevice(HOST, session=session, port=port, password="acan", timeout=2).probe()
    assert info.generation == 2
    assert info.device.id == "shelly:a8032ab12345"
    assert info.device.name == "Return pump switch"
    assert info.device.model == "Shelly Plus 1PM"
    assert info.device.firmware == "1.4.4"
    assert info.channels == (
        ShellyChannel(
            channel=0, name="Return pump", unique_id="shelly:a8032ab12345:0", has_power_monitoring=True
        ),
    )


async def test_gen2_unnamed_device_and_channel(session: ClientSession) -> None:
    data = Gen2Data(model="SPSW-202XE16EU", app="Pro2", name=None, relays=[Relay(None, True, None)] * 2)
    async with serving(Gen2Server(data)) as port:
        info = await ShellyDevice(HOST, session=session, port=port, timeout=2).probe()
    assert info.device.name == "shellypro2-a8032ab12345"
    assert [(channel.name, channel.has_power_monitoring) for channel in info.channels] == [
        ("shellypro2-a8032ab12345 channel 0", False),
        ("shellypro2-a8032ab12345 channel 1", False),
    ]


@pytest.mark.parametrize("password", ["wrong", None])
async def test_gen2_refuses_wrong_or_missing_password(session: ClientSession, password: str | None) -> None:
    async with serving(Gen2Server(Gen2Data(password="acan"))) as port:
        with pytest.raises(OutletAuthError, match="rejected the credentials"):
            await ShellyDevice(HOST, session=session, port=port, password=password, timeout=2).probe()


async def test_gen2_switches_confirms_and_hears_the_button(
    session: ClientSession, quick_confirm: None
) -> None:
    data = Gen2Data(password="acan")
    server = Gen2Server(data)
    async with serving(server) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, password="acan", timeout=2).outlet(0)
        await outlet.connect()
        assert outlet.pushes_updates
        assert await outlet.update() == OutletState(is_on=True, power_w=41.7, energy_kwh=2.5)
        assert await outlet.turn_off() == OutletState(is_on=False, power_w=0.0, energy_kwh=2.5)
        assert not data.relays[0].is_on

        pushed: asyncio.Queue[OutletState] = asyncio.Queue()
        stop = outlet.add_listener(pushed.put_nowait)
        await server.press_button(0)
        async with asyncio.timeout(2):
            assert (await pushed.get()).is_on
        assert (await outlet.update()).is_on
        stop()
        await server.press_button(0)
        assert not (await outlet.update()).is_on
        assert pushed.empty()
        await outlet.close()


async def test_gen2_pushes_reach_only_the_channel_that_changed(session: ClientSession) -> None:
    data = Gen2Data(
        model="SPSW-202XE16EU", app="Pro2", relays=[Relay("Skimmer", True, None), Relay("ATO", False, None)]
    )
    server = Gen2Server(data)
    async with serving(server) as port:
        device = ShellyDevice(HOST, session=session, port=port, timeout=2)
        skimmer, ato = device.outlet(0), device.outlet(1)
        await skimmer.connect()
        await ato.connect()
        skimmer_pushes: list[OutletState] = []
        ato_pushes: asyncio.Queue[OutletState] = asyncio.Queue()
        skimmer.add_listener(skimmer_pushes.append)
        ato.add_listener(ato_pushes.put_nowait)
        await server.press_button(1)
        async with asyncio.timeout(2):
            assert await ato_pushes.get() == OutletState(is_on=True)
        assert skimmer_pushes == []
        await skimmer.close()
        await ato.close()


async def test_gen2_command_the_relay_ignores_is_not_confirmed(
    session: ClientSession, quick_confirm: None
) -> None:
    async with serving(Gen2Server(Gen2Data(ignore_commands=True))) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, timeout=2).outlet(0)
        await outlet.connect()
        with pytest.raises(OutletNotConfirmedError, match="still reports on"):
            await outlet.turn_off()
        await outlet.close()


async def test_gen2_silent_rpc_times_out(session: ClientSession) -> None:
    server = Gen2Server(Gen2Data())
    server.stall_rpc = True
    async with serving(server) as port:
        with pytest.raises(OutletConnectionError, match=r"did not answer within 0\.3 s"):
            await ShellyDevice(HOST, session=session, port=port, timeout=0.3).probe()


async def test_gen2_rpc_error_is_a_connection_error(session: ClientSession) -> None:
    server = Gen2Server(Gen2Data(relays=[Relay("Return pump", True, 41.7)]))
    async with serving(server) as port:
        device = ShellyDevice(HOST, session=session, port=port, timeout=2)
        outlet = device.outlet(0)
        await outlet.connect()
        server.device.relays.clear()
        with pytest.raises(
            OutletConnectionError, match="refused to switch: Argument 'id', value 0 not found"
        ):
            await device.switch(0, on=True)
        await outlet.close()


async def _after_a_drop(call: Callable[[], Awaitable[OutletState]]) -> OutletState:
    """A call racing the dropped connection may fail; the one after it must reconnect."""
    try:
        return await call()
    except OutletConnectionError:
        return await call()


async def test_gen2_reconnects_after_the_device_reboots(session: ClientSession) -> None:
    server = Gen2Server(Gen2Data())
    async with serving(server) as port:
        outlet = ShellyDevice(HOST, session=session, port=port, timeout=2).outlet(0)
        await outlet.connect()
        await server.drop_connections()
        server.device.relays[0].is_on = False
        assert not (await _after_a_drop(outlet.update)).is_on
        assert server.calls.count("Shelly.GetDeviceInfo") == 2
        await server.drop_connections()
        assert (await _after_a_drop(outlet.turn_on)).is_on
        assert server.calls.count("Shelly.GetDeviceInfo") == 3
        await outlet.close()
