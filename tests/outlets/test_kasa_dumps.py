"""The Kasa driver against real plugs and strips: python-kasa's published device dumps, served on 127.0.0.1.

Every legacy-protocol (IOT) dump of a plug, strip or wall switch is served by a fake device that answers only
from the dump; python-kasa parses the real firmware's answers and the driver must read each socket's state,
power and energy as the dump states them, and switch exactly the socket it is asked to. Bulbs and dimmers are
refused as not being outlets.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.bellas_reef.outlets import OutletNotFoundError, base
from custom_components.bellas_reef.outlets.kasa import KasaDevice

from .dumps import kasa_dumps, load
from .fake_kasa import DumpedKasa, XorServer
from .helpers import serving

HOST = "127.0.0.1"


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
