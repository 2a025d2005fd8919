"""The Kasa driver: python-kasa against a fake HS300 strip and KP115 plug on 127.0.0.1 (XOR and KLAP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import ClientSession, CookieJar
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
from custom_components.bellas_reef.outlets.kasa import KasaDevice, KasaSocket

from .fake_kasa import FakeKasa, KasaSocketData, KlapServer, XorServer
from .fake_shelly import Gen1Data, Gen1Server
from .helpers import closed_port, serving

HOST = "127.0.0.1"
USER = "reef@example.com"
PASSWORD = "acropora"


def plug(**overrides: object) -> FakeKasa:
    settings: dict[str, object] = {
        "model": "KP115(EU)",
        "mac": "54:AF:97:00:11:22",
        "alias": "Heater plug",
        "strip": False,
        "sockets": [KasaSocketData("Heater plug", False, 200.0)],
    }
    settings.update(overrides)
    return FakeKasa(**settings)  # type: ignore[arg-type]


@pytest.fixture
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


@pytest.fixture
def strip() -> FakeKasa:
    return FakeKasa()


@pytest.fixture
async def xor_port(strip: FakeKasa) -> AsyncIterator[int]:
    async with serving(XorServer(strip)) as port:
        yield port


async def test_probe_lists_a_strips_sockets(strip: FakeKasa, xor_port: int) -> None:
    info = await KasaDevice(HOST, port=xor_port, timeout=2).probe()
    assert info.device.id == "kasa:c006c3123456"
    assert info.device.name == "Sump strip"
    assert info.device.manufacturer == "TP-Link"
    assert info.device.model == "HS300"
    assert info.device.mac == "c0:06:c3:12:34:56"
    assert info.device.firmware == "1.0.12"
    assert info.connection == {
        "device_family": "IOT.SMARTPLUGSWITCH",
        "encryption_type": "XOR",
        "https": False,
    }
    assert [socket.name for socket in info.sockets] == [socket.alias for socket in strip.sockets]
    assert info.sockets[2] == KasaSocket(
        index=2, name="Skimmer", unique_id="kasa:c006c3123456:2", has_power_monitoring=True
    )


async def test_a_socket_without_alias_is_named_after_the_strip(strip: FakeKasa, xor_port: int) -> None:
    strip.sockets[4].alias = ""
    info = await KasaDevice(HOST, port=xor_port, timeout=2).probe()
    assert info.sockets[4].name == "Sump strip socket 5"


async def test_probe_describes_a_single_plug() -> None:
    async with serving(XorServer(plug())) as port:
        info = await KasaDevice(HOST, port=port, timeout=2).probe()
    assert info.sockets == (
        KasaSocket(index=None, name="Heater plug", unique_id="kasa:54af97001122", has_power_monitoring=True),
    )


async def test_a_strip_socket_switches_reads_power_and_confirms(
    strip: FakeKasa, xor_port: int, quick_confirm: None
) -> None:
    device = KasaDevice(HOST, port=xor_port, timeout=2)
    outlet: Outlet = device.outlet(1)
    await outlet.connect()
    assert outlet.unique_id == "kasa:c006c3123456:1"
    assert outlet.name == "Heater"
    assert outlet.model == "HS300"
    assert outlet.device.id == "kasa:c006c3123456"
    assert outlet.has_power_monitoring
    assert await outlet.update() == OutletState(is_on=False, power_w=0.0, energy_kwh=1.235)
    assert await outlet.turn_on() == OutletState(is_on=True, power_w=200.0, energy_kwh=1.235)
    assert [socket.is_on for socket in strip.sockets] == [True, True, True, True, False, False]
    assert (await outlet.turn_off()).is_on is False
    assert [socket.is_on for socket in strip.sockets] == [True, False, True, True, False, False]
    await outlet.close()


async def test_a_single_plug_is_its_own_outlet(quick_confirm: None) -> None:
    fake = plug(metering=False)
    async with serving(XorServer(fake)) as port:
        outlet = KasaDevice(HOST, port=port, timeout=2).outlet()
        await outlet.connect()
        assert outlet.unique_id == "kasa:54af97001122"
        assert outlet.name == "Heater plug"
        assert not outlet.has_power_monitoring
        assert await outlet.turn_on() == OutletState(is_on=True)
        assert fake.sockets[0].is_on
        await outlet.close()


async def test_a_button_press_on_the_strip_shows_in_the_next_update(strip: FakeKasa, xor_port: int) -> None:
    outlet = KasaDevice(HOST, port=xor_port, timeout=2).outlet(0)
    await outlet.connect()
    assert (await outlet.update()).is_on
    strip.press_button(0)
    assert not (await outlet.update()).is_on
    await outlet.close()


async def test_sockets_polled_together_share_one_read_of_the_strip(strip: FakeKasa, xor_port: int) -> None:
    device = KasaDevice(HOST, port=xor_port, timeout=2)
    outlets = [device.outlet(index) for index in range(6)]
    for outlet in outlets:
        await outlet.connect()
    reads = strip.reads
    states = await asyncio.gather(*(outlet.update() for outlet in outlets))
    assert strip.reads == reads + 1
    assert [state.is_on for state in states] == [socket.is_on for socket in strip.sockets]
    for outlet in outlets[:-1]:
        await outlet.close()
    assert (await outlets[-1].update()).is_on is False
    await outlets[-1].close()
    with pytest.raises(OutletConnectionError, match="not connected"):
        await outlets[-1].update()


async def test_a_command_the_strip_ignores_is_not_confirmed(
    strip: FakeKasa, xor_port: int, quick_confirm: None
) -> None:
    strip.ignore_commands = True
    outlet = KasaDevice(HOST, port=xor_port, timeout=2).outlet(5)
    await outlet.connect()
    with pytest.raises(OutletNotConfirmedError, match="kasa:c006c3123456:5 still reports off"):
        await outlet.turn_on()
    await outlet.close()


@pytest.mark.parametrize(
    ("socket", "message"),
    [(6, "has sockets 0-5, not 6"), (None, "is a power strip: choose a socket")],
)
async def test_a_socket_the_strip_lacks_is_not_found(xor_port: int, socket: int | None, message: str) -> None:
    device = KasaDevice(HOST, port=xor_port, timeout=2)
    with pytest.raises(OutletNotFoundError, match=message):
        await device.outlet(socket).connect()
    with pytest.raises(OutletConnectionError, match="not connected"):
        device.outlet_device  # noqa: B018 - the failed outlet released the connection


async def test_a_single_plug_has_no_sockets() -> None:
    async with serving(XorServer(plug())) as port:
        with pytest.raises(OutletNotFoundError, match="is a single plug, without socket 0"):
            await KasaDevice(HOST, port=port, timeout=2).outlet(0).connect()


async def test_another_device_at_the_address_is_refused(xor_port: int) -> None:
    device = KasaDevice(HOST, port=xor_port, mac="c0:06:c3:99:99:99", timeout=2)
    with pytest.raises(OutletNotFoundError, match="another Kasa device"):
        await device.outlet(0).connect()


async def test_a_dimmer_is_not_an_outlet() -> None:
    dimmer = plug(model="HS220(US)", extra_sysinfo={"dev_name": "Smart Wi-Fi Dimmer", "brightness": 40})
    async with serving(XorServer(dimmer)) as port:
        with pytest.raises(OutletNotFoundError, match="is a dimmer, not a plug or power strip"):
            await KasaDevice(HOST, port=port, timeout=2).probe()


async def test_a_camera_is_not_an_outlet() -> None:
    camera = plug(model="KC100(US)", extra_sysinfo={"system": {"model": "KC100(US)"}})
    async with serving(XorServer(camera)) as port:
        with pytest.raises(OutletNotFoundError, match="not a plug or strip python-kasa knows"):
            await KasaDevice(HOST, port=port, timeout=2).probe()


@pytest.mark.parametrize("missing", ["model", "sw_ver"])
async def test_a_device_that_does_not_describe_itself_is_not_an_outlet(missing: str) -> None:
    async with serving(XorServer(plug(missing_sysinfo=(missing,)))) as port:
        with pytest.raises(OutletNotFoundError, match="not a plug or strip python-kasa knows"):
            await KasaDevice(HOST, port=port, timeout=2).probe()


async def test_klap_with_the_account_credentials(quick_confirm: None) -> None:
    strip = FakeKasa()
    async with (
        ClientSession(cookie_jar=CookieJar(unsafe=True, quote_cookie=False)) as session,
        serving(KlapServer(strip, USER, PASSWORD)) as port,
    ):
        info = await KasaDevice(
            HOST, port=port, username=USER, password=PASSWORD, timeout=2, http_client=session
        ).probe()
        assert info.connection["encryption_type"] == "KLAP"
        device = KasaDevice(
            HOST, port=port, username=USER, password=PASSWORD, connection=info.connection, timeout=2
        )
        outlet = device.outlet(4)
        await outlet.connect()
        assert (await outlet.turn_on()).power_w == 8.0
        assert strip.sockets[4].is_on
        await outlet.close()


@pytest.mark.parametrize("password", ["wrong", None])
async def test_klap_refuses_wrong_or_missing_credentials(password: str | None) -> None:
    async with serving(KlapServer(FakeKasa(), USER, PASSWORD)) as port:
        device = KasaDevice(
            HOST, port=port, username=USER if password else None, password=password, timeout=2
        )
        with pytest.raises(OutletAuthError, match="rejected the credentials"):
            await device.probe()


async def test_a_stored_connection_is_used_as_is(xor_port: int) -> None:
    info = await KasaDevice(HOST, port=xor_port, timeout=2).probe()
    async with serving(KlapServer(FakeKasa(), USER, PASSWORD)) as klap_port:
        device = KasaDevice(HOST, port=klap_port, connection=info.connection, timeout=2)
        with pytest.raises(OutletConnectionError, match="failed to connect"):
            await device.probe()


async def test_a_refused_connection_fails_fast() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    port = closed_port()
    with pytest.raises(OutletConnectionError, match=f"nothing listens at 127.0.0.1 on port {port}"):
        await KasaDevice(HOST, port=port, timeout=2).probe()
    assert loop.time() - started < 0.5


async def test_a_silent_device_times_out_without_trying_every_protocol(strip: FakeKasa) -> None:
    server = XorServer(strip)
    server.stall = True
    loop = asyncio.get_running_loop()
    async with serving(server) as port:
        started = loop.time()
        with pytest.raises(OutletConnectionError, match=r"did not answer within 0\.3 s"):
            await KasaDevice(HOST, port=port, timeout=0.3).probe()
        assert loop.time() - started < 1


async def test_a_strip_that_stops_answering_fails_the_update_and_recovers(strip: FakeKasa) -> None:
    server = XorServer(strip)
    async with serving(server) as port:
        outlet = KasaDevice(HOST, port=port, timeout=0.3).outlet(0)
        await outlet.connect()
        server.stall = True
        with pytest.raises(OutletConnectionError, match="did not answer"):
            await outlet.update()
        server.stall = False
        assert (await outlet.update()).is_on
        await outlet.close()


async def test_a_device_speaking_no_kasa_protocol_is_refused() -> None:
    async with serving(Gen1Server(Gen1Data())) as port:
        with pytest.raises(OutletConnectionError, match="no Kasa protocol answers"):
            await KasaDevice(HOST, port=port, timeout=2).probe()
