"""The Kasa driver against real plugs and strips: python-kasa's published device dumps, served on 127.0.0.1.

Every dump of a plug, strip or wall switch is served by a fake device that answers only from the dump: legacy
(IOT) devices over the XOR protocol, Tapo and newer Kasa devices (SMART) over KLAP v2 with the keeper's TP-Link
login. python-kasa parses the real firmware's answers, and the driver must read each socket's state, power and
energy as the dump states them, and switch exactly the socket it is asked to. Bulbs, hubs and dimmers are
refused as not being outlets.
"""

from __future__ import annotations

import base64
from typing import Any

from kasa import DeviceConnectionParameters, DeviceEncryptionType, DeviceFamily
import pytest

from custom_components.bellas_reef.outlets import OutletNotFoundError, base
from custom_components.bellas_reef.outlets.kasa import KasaDevice

from .dumps import kasa_dumps, load
from .fake_kasa import AesServer, DumpedKasa, DumpedSmartKasa, KlapServer, XorServer
from .helpers import serving

HOST = "127.0.0.1"
USER = "reef@example.com"
PASSWORD = "acropora"


def _sysinfo(dump: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = dump["system"]["get_sysinfo"]
    return info


def _is_outlet(dump: dict[str, Any]) -> bool:
    """A relay device by its own account: a plug-switch type without a dimmer's brightness."""
    info = _sysinfo(dump)
    kind = str(info.get("type", info.get("mic_type", "")))
    return "SMARTPLUGSWITCH" in kind and "brightness" not in info


IOT = {path.stem: load(path) for path in kasa_dumps("iot")}
OUTLETS = sorted(name for name, dump in IOT.items() if _is_outlet(dump))
OTHERS = sorted(name for name, dump in IOT.items() if not _is_outlet(dump))


def _meter(dump: dict[str, Any]) -> tuple[float, float] | None:
    """Watts and kWh as the dump's meter states them (older firmware in W and kWh, newer in mW and Wh)."""
    if "ENE" not in _sysinfo(dump).get("feature", ""):
        return None
    realtime = dump["emeter"]["get_realtime"]
    watts = realtime["power_mw"] / 1000 if "power_mw" in realtime else realtime["power"]
    kwh = realtime["total_wh"] / 1000 if "total_wh" in realtime else realtime["total"]
    return float(watts), float(kwh)


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


def test_the_dumps_cover_plugs_strips_and_meters() -> None:
    """The published set holds what the driver must handle; a smaller set would weaken the tests below."""
    strips = [name for name in OUTLETS if _sysinfo(IOT[name]).get("children")]
    metered = [name for name in OUTLETS if _meter(IOT[name])]
    assert len(OUTLETS) >= 30
    assert len(strips) >= 5
    assert any(name in metered for name in strips), "a metering strip (HS300)"
    assert len(metered) >= 8
    assert len(OTHERS) >= 10
    smart_strips = [name for name in SMART_OUTLETS if "get_child_device_list" in SMART[name]]
    smart_metered = [
        name for name in SMART_OUTLETS if name not in smart_strips and _smart_meter(SMART[name], None)
    ]
    assert len(SMART_OUTLETS) >= 30
    assert len(smart_strips) >= 5
    assert "P304M(UK)_1.0_1.0.3" in smart_strips, "a strip metering each socket"
    assert len(smart_metered) >= 8
    assert len(SMART_OTHERS) >= 10
    assert {_transport(SMART[name])[0] for name in SMART_OUTLETS} == {"AES", "KLAP"}


@pytest.mark.parametrize("name", OUTLETS)
async def test_iot_outlet(name: str) -> None:
    """Sockets, names, power and energy as dumped; each socket switches itself and no other."""
    dump = IOT[name]
    info = _sysinfo(dump)
    fake = DumpedKasa(dump)
    async with serving(XorServer(fake)) as port:
        device = KasaDevice(HOST, port=port, timeout=5)
        found = await device.probe()
        model = info["model"].split("(")[0]
        assert found.device.id == "kasa:" + info["mac"].replace(":", "").replace("-", "").lower()
        assert found.device.model == model
        assert found.device.firmware == info["sw_ver"].split(" ")[0]
        children = info.get("children") or []
        if children:
            assert [socket.index for socket in found.sockets] == list(range(len(children)))
            names = [
                child["alias"] or f"{info['alias'] or model} socket {index + 1}"
                for index, child in enumerate(children)
            ]
        else:
            assert [socket.index for socket in found.sockets] == [None]
            names = [info["alias"] or model]
        assert [socket.name for socket in found.sockets] == names
        meter = _meter(dump)
        assert {socket.has_power_monitoring for socket in found.sockets} == {meter is not None}

        outlets = [device.outlet(socket.index) for socket in found.sockets]
        for outlet in outlets:
            await outlet.connect()
        try:
            for position, outlet in enumerate(outlets):
                before = fake.relays
                state = await outlet.update()
                assert state.is_on is before[position]
                if meter is None:
                    assert (state.power_w, state.energy_kwh) == (None, None)
                else:
                    assert (state.power_w, state.energy_kwh) == pytest.approx(meter)
                switched = await (outlet.turn_off() if state.is_on else outlet.turn_on())
                assert switched.is_on is not state.is_on
                before[position] = not before[position]
                assert fake.relays == before
        finally:
            for outlet in outlets:
                await outlet.close()


@pytest.mark.parametrize("name", OTHERS)
async def test_iot_bulbs_and_dimmers_are_not_outlets(name: str) -> None:
    """A bulb or dimmer answers, but is refused with a clear reason rather than driven as an outlet."""
    async with serving(XorServer(DumpedKasa(IOT[name]))) as port:
        with pytest.raises(OutletNotFoundError, match="not a plug or"):
            await KasaDevice(HOST, port=port, timeout=5).probe()


def _smart_info(dump: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = dump["get_device_info"]
    return info


def _scheme(dump: dict[str, Any]) -> dict[str, Any]:
    """How the dumped device said, in discovery, that it is to be reached."""
    discovery = dump.get("discovery_result", {})
    scheme: dict[str, Any] = discovery.get("result", discovery).get("mgt_encrypt_schm", {})
    return scheme


def _smart_is_outlet(dump: dict[str, Any]) -> bool:
    """A plug (dimmable ones too), strip or wall switch by its own account; not a bulb, hub or lone dimmer."""
    kind = _smart_info(dump)["type"]
    components = {component["id"] for component in dump["component_nego"]["component_list"]}
    lone_dimmer = "brightness" in components and "child_device" not in components
    return kind.endswith("PLUG") or (kind.endswith("SWITCH") and not lone_dimmer)


SMART = {path.stem: load(path) for path in kasa_dumps("smart")}
SMART_OUTLETS = sorted(name for name, dump in SMART.items() if _smart_is_outlet(dump))
SMART_OTHERS = sorted(
    name
    for name, dump in SMART.items()
    if not _smart_is_outlet(dump) and not _scheme(dump).get("is_support_https")  # robot vacuums: HTTPS only
)


def _nickname(info: dict[str, Any]) -> str:
    return base64.b64decode(info.get("nickname", "")).decode()


def _smart_meter(dump: dict[str, Any], child: str | None) -> tuple[float, float | None] | None:
    """Watts and this month's kWh as the dumped meter states them; None without a meter."""
    data = dump if child is None else dump.get("child_devices", {}).get(child, {})
    if child is None:
        components = dump["component_nego"]["component_list"]
    else:
        listed = dump["get_child_device_component_list"]["child_component_list"]
        components = next(entry for entry in listed if entry["device_id"] == child)["component_list"]
    if "energy_monitoring" not in {component["id"] for component in components}:
        return None
    usage = data.get("get_energy_usage", {})
    if "get_emeter_data" in data:  # the meter's own reading, in mW, where the device has one
        watts = data["get_emeter_data"]["power_mw"] / 1000
    elif "current_power" in usage:
        watts = usage["current_power"] / 1000
    else:
        watts = data["get_current_power"]["current_power"]
    month = usage.get("month_energy")
    return float(watts), None if month is None else month / 1000


def _transport(dump: dict[str, Any]) -> tuple[str, int | None]:
    """The encryption the dumped device announced in discovery, and its login version."""
    scheme = _scheme(dump)
    return scheme.get("encrypt_type", "KLAP"), scheme.get("lv")


def _smart_device(dump: dict[str, Any]) -> tuple[DumpedSmartKasa, KlapServer | AesServer, dict[str, Any]]:
    """The fake device, served over the transport the real one speaks, and the connection the flow would keep."""
    fake = DumpedSmartKasa(dump)
    family = DeviceFamily(_smart_info(dump)["type"])
    encryption, login_version = _transport(dump)
    if encryption == "AES":
        server: KlapServer | AesServer = AesServer(fake, USER, PASSWORD, login_version=login_version or 1)
        params = DeviceConnectionParameters(family, DeviceEncryptionType.Aes, login_version=login_version)
    else:
        server = KlapServer(fake, USER, PASSWORD, version=2)
        params = DeviceConnectionParameters(family, DeviceEncryptionType.Klap, login_version=2)
    return fake, server, params.to_dict()


@pytest.mark.parametrize("name", SMART_OUTLETS)
async def test_smart_outlet(name: str) -> None:
    """The same for Tapo and newer Kasa devices: SMART over KLAP v2 or AES, as the device did, with a TP-Link login."""
    dump = SMART[name]
    info = _smart_info(dump)
    fake, server, connection = _smart_device(dump)
    async with serving(server) as port:
        device = KasaDevice(
            HOST, port=port, username=USER, password=PASSWORD, connection=connection, timeout=5
        )
        found = await device.probe()
        assert found.device.id == "kasa:" + info["mac"].replace(":", "").replace("-", "").lower()
        assert found.device.model == info["model"]
        alias = _nickname(info) or info["model"]
        children = fake.children
        if children:
            assert [socket.index for socket in found.sockets] == list(range(len(children)))
            names = [
                _nickname(child) or f"{alias} socket {index + 1}" for index, child in enumerate(children)
            ]
            meters = [_smart_meter(dump, child["device_id"]) for child in children]
        else:
            assert [socket.index for socket in found.sockets] == [None]
            names = [alias]
            meters = [_smart_meter(dump, None)]
        assert [socket.name for socket in found.sockets] == names
        assert [socket.has_power_monitoring for socket in found.sockets] == [
            meter is not None for meter in meters
        ]

        outlets = [device.outlet(socket.index) for socket in found.sockets]
        for outlet in outlets:
            await outlet.connect()
        try:
            for position, outlet in enumerate(outlets):
                before = fake.relays
                state = await outlet.update()
                assert state.is_on is before[position]
                meter = meters[position]
                if meter is None:
                    assert (state.power_w, state.energy_kwh) == (None, None)
                else:
                    assert (state.power_w, state.energy_kwh) == pytest.approx(meter)
                switched = await (outlet.turn_off() if state.is_on else outlet.turn_on())
                assert switched.is_on is not state.is_on
                before[position] = not before[position]
                assert fake.relays == before
        finally:
            for outlet in outlets:
                await outlet.close()


@pytest.mark.parametrize("name", SMART_OTHERS)
async def test_smart_bulbs_hubs_and_dimmers_are_not_outlets(name: str) -> None:
    """Tapo bulbs, hubs, chimes and dimmers answer, but are refused rather than driven as outlets."""
    _fake, server, connection = _smart_device(SMART[name])
    async with serving(server) as port:
        device = KasaDevice(
            HOST, port=port, username=USER, password=PASSWORD, connection=connection, timeout=5
        )
        with pytest.raises(OutletNotFoundError):
            await device.probe()


async def test_a_failing_meter_leaves_the_relay_usable() -> None:
    """When a plug's meter stops answering, its relay is still read and switched; power is then unknown."""
    fake, server, connection = _smart_device(SMART["P110(UK)_1.0_1.3.0"])
    async with serving(server) as port:
        device = KasaDevice(
            HOST, port=port, username=USER, password=PASSWORD, connection=connection, timeout=5
        )
        outlet = device.outlet()
        await outlet.connect()
        try:
            fake.failing = {"get_energy_usage", "get_current_power", "get_emeter_data"}
            state = await outlet.update()
            assert (state.is_on, state.power_w, state.energy_kwh) == (fake.relays[0], None, None)
            assert (await outlet.turn_on()).is_on
            assert fake.relays == [True]
        finally:
            await outlet.close()


@pytest.mark.parametrize(
    "name", ["P110(UK)_1.0_1.3.0", "P304M(UK)_1.0_1.0.3", "EP25(US)_2.6_1.0.2", "P100(US)_1.0.0_1.3.7"]
)
async def test_adding_a_smart_device_finds_its_protocol(name: str) -> None:
    """As the config flow does, without a stored connection: the protocols the device does not speak fail."""
    dump = SMART[name]
    _fake, server, connection = _smart_device(dump)
    async with serving(server) as port:
        found = await KasaDevice(HOST, port=port, username=USER, password=PASSWORD, timeout=5).probe()
    assert found.connection["encryption_type"] == connection["encryption_type"]
    assert found.connection.get("login_version") == 2
    assert found.connection["device_family"].startswith("SMART.")
    assert found.device.model == _smart_info(dump)["model"]
