"""The VeSync driver: pyvesync against a fake VeSync cloud on 127.0.0.1 (an ESW15-USA and a BSDOG01)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import ClientSession
import pytest

from custom_components.bellas_reef.outlets import (
    Outlet,
    OutletAuthError,
    OutletConnectionError,
    OutletDevice,
    OutletNotConfirmedError,
    OutletNotFoundError,
    OutletState,
    base,
)
from custom_components.bellas_reef.outlets.vesync import VeSyncAccount, VeSyncOutletInfo

from .fake_vesync import CloudAccount, VeSyncCloud
from .helpers import closed_port, serving

EMAIL = "reef@example.com"
PASSWORD = "brain-coral"
CHILLER = "0LZ3T0bCEI9iC2Y0HGp7"
STIRRER = "vsaq5d3b0b2a4a8e9c1f0e7d"
LIGHT = "vsfe12a0c93b7d4e0f8a6b21"


@pytest.fixture
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


@pytest.fixture
async def cloud() -> AsyncIterator[VeSyncCloud]:
    server = VeSyncCloud(CloudAccount())
    async with serving(server):
        yield server


@pytest.fixture
async def account(cloud: VeSyncCloud) -> AsyncIterator[VeSyncAccount]:
    account = VeSyncAccount(EMAIL, PASSWORD, base_url=cloud.base_url, timeout=2)
    yield account
    await account.close()


async def test_the_account_lists_its_outlets(account: VeSyncAccount) -> None:
    await account.login()
    assert sorted(await account.list_outlets(), key=lambda info: info.name) == [
        VeSyncOutletInfo(
            device_id=CHILLER,
            name="Chiller",
            model="ESW15-USA",
            unique_id=f"vesync:{CHILLER}",
            has_power_monitoring=True,
            online=True,
        ),
        VeSyncOutletInfo(
            device_id=STIRRER,
            name="Kalkwasser stirrer",
            model="BSDOG01",
            unique_id=f"vesync:{STIRRER}",
            has_power_monitoring=True,
            online=True,
        ),
        VeSyncOutletInfo(
            device_id=LIGHT,
            name="Sump light",
            model="ESW10-USA",
            unique_id=f"vesync:{LIGHT}",
            has_power_monitoring=False,
            online=True,
        ),
    ]


async def test_a_bypass_v1_outlet_switches_and_confirms(
    cloud: VeSyncCloud, account: VeSyncAccount, quick_confirm: None
) -> None:
    outlet: Outlet = account.outlet(CHILLER)
    assert outlet.unique_id == f"vesync:{CHILLER}"
    await outlet.connect()
    assert outlet.name == "Chiller"
    assert outlet.model == "ESW15-USA"
    assert outlet.has_power_monitoring
    assert outlet.device == OutletDevice(
        id=f"vesync:{CHILLER}",
        name="Chiller",
        manufacturer="Etekcity",
        model="ESW15-USA",
        mac="c4:dd:57:0a:1b:2c",
        firmware="1.0.4",
    )
    assert await outlet.update() == OutletState(is_on=False, power_w=0.0, energy_kwh=2.75)
    assert await outlet.turn_on() == OutletState(is_on=True, power_w=180.0, energy_kwh=2.75)
    assert cloud.account.plug(CHILLER).is_on
    assert not (await outlet.turn_off()).is_on
    assert not cloud.account.plug(CHILLER).is_on
    await outlet.close()


async def test_a_bypass_v2_plug_switches_and_confirms(
    cloud: VeSyncCloud, account: VeSyncAccount, quick_confirm: None
) -> None:
    outlet = account.outlet(STIRRER)
    await outlet.connect()
    assert outlet.device.mac is None
    assert await outlet.turn_off() == OutletState(is_on=False, power_w=0.0, energy_kwh=0.42)
    assert not cloud.account.plug(STIRRER).is_on
    assert await outlet.turn_on() == OutletState(is_on=True, power_w=6.5, energy_kwh=0.42)
    await outlet.close()


async def test_a_plug_without_a_meter_reports_no_power(
    cloud: VeSyncCloud, account: VeSyncAccount, quick_confirm: None
) -> None:
    outlet = account.outlet(LIGHT)
    await outlet.connect()
    assert not outlet.has_power_monitoring
    assert await outlet.update() == OutletState(is_on=False)
    assert await outlet.turn_on() == OutletState(is_on=True)
    assert cloud.account.plug(LIGHT).is_on
    await outlet.close()


async def test_outlets_share_one_login(cloud: VeSyncCloud, account: VeSyncAccount) -> None:
    chiller, stirrer = account.outlet(CHILLER), account.outlet(STIRRER)
    await asyncio.gather(chiller.connect(), stirrer.connect())
    states = await asyncio.gather(chiller.update(), stirrer.update())
    assert [state.is_on for state in states] == [False, True]
    assert cloud.logins == 1
    await chiller.close()
    assert (await stirrer.update()).is_on
    await stirrer.close()


async def test_a_button_press_shows_in_the_next_update(cloud: VeSyncCloud, account: VeSyncAccount) -> None:
    outlet = account.outlet(STIRRER)
    await outlet.connect()
    cloud.account.plug(STIRRER).press_button()
    assert not (await outlet.update()).is_on
    await outlet.close()


async def test_an_expired_token_is_renewed_without_failing(
    cloud: VeSyncCloud, account: VeSyncAccount
) -> None:
    outlet = account.outlet(CHILLER)
    await outlet.connect()
    cloud.expire_token()
    assert not (await outlet.update()).is_on
    assert cloud.logins == 2
    cloud.expire_token()
    assert len(await account.list_outlets()) == 3
    assert cloud.logins == 3
    await outlet.close()


async def test_a_token_the_cloud_keeps_refusing_is_a_connection_error(
    cloud: VeSyncCloud, account: VeSyncAccount
) -> None:
    outlet = account.outlet(CHILLER)
    await outlet.connect()
    cloud.refuse_tokens = True
    with pytest.raises(OutletConnectionError, match="refused a stale token to read Chiller"):
        await outlet.update()
    await outlet.close()


async def test_a_changed_password_surfaces_when_the_token_expires(
    cloud: VeSyncCloud, account: VeSyncAccount
) -> None:
    outlet = account.outlet(CHILLER)
    await outlet.connect()
    cloud.account.password = "changed"
    cloud.expire_token()
    with pytest.raises(OutletAuthError, match="rejected the account"):
        await outlet.update()
    await outlet.close()


async def test_a_wrong_password_is_rejected(cloud: VeSyncCloud) -> None:
    account = VeSyncAccount(EMAIL, "wrong", base_url=cloud.base_url, timeout=2)
    with pytest.raises(OutletAuthError, match=f"VeSync rejected the account {EMAIL}"):
        await account.login()


async def test_an_offline_plug_is_a_connection_error(cloud: VeSyncCloud, account: VeSyncAccount) -> None:
    outlet = account.outlet(STIRRER)
    await outlet.connect()
    cloud.account.plug(STIRRER).online = False
    with pytest.raises(OutletConnectionError, match="Kalkwasser stirrer: Device offline"):
        await outlet.update()
    with pytest.raises(OutletConnectionError, match="Kalkwasser stirrer: Device offline"):
        await outlet.turn_on()
    await outlet.close()


async def test_a_plug_the_cloud_marks_offline_is_a_connection_error(
    cloud: VeSyncCloud, account: VeSyncAccount
) -> None:
    chiller = cloud.account.plug(CHILLER)
    chiller.online = False
    assert [info.online for info in await account.list_outlets() if info.device_id == CHILLER] == [False]
    outlet = account.outlet(CHILLER)
    await outlet.connect()
    with pytest.raises(OutletConnectionError, match="VeSync reports Chiller offline"):
        await outlet.update()
    chiller.online = True
    assert not (await outlet.update()).is_on
    await outlet.close()


async def test_a_cloud_that_goes_away_is_a_connection_error() -> None:
    cloud = VeSyncCloud(CloudAccount())
    async with serving(cloud):
        account = VeSyncAccount(EMAIL, PASSWORD, base_url=cloud.base_url, timeout=2)
        outlet = account.outlet(CHILLER)
        await outlet.connect()
    with pytest.raises(OutletConnectionError, match="VeSync cloud failed to read Chiller"):
        await outlet.update()
    await outlet.close()


async def test_nothing_is_found_before_logging_in(account: VeSyncAccount) -> None:
    with pytest.raises(OutletConnectionError, match="is not logged in"):
        account.find(CHILLER)


async def test_a_garbled_cloud_reply_to_a_command_is_a_connection_error(
    cloud: VeSyncCloud, account: VeSyncAccount
) -> None:
    outlet = account.outlet(CHILLER)
    await outlet.connect()
    cloud.account.plug(CHILLER).garbled_commands = True
    with pytest.raises(OutletConnectionError, match="did not take the command for Chiller"):
        await outlet.turn_on()
    await outlet.close()


async def test_a_command_the_plug_ignores_is_not_confirmed(
    cloud: VeSyncCloud, account: VeSyncAccount, quick_confirm: None
) -> None:
    outlet = account.outlet(CHILLER)
    await outlet.connect()
    cloud.account.plug(CHILLER).ignore_commands = True
    with pytest.raises(OutletNotConfirmedError, match=f"VeSync {CHILLER} still reports off"):
        await outlet.turn_on()
    await outlet.close()


async def test_an_unknown_outlet_is_not_found(account: VeSyncAccount) -> None:
    outlet = account.outlet("no-such-cid")
    with pytest.raises(OutletNotFoundError, match="has no outlet no-such-cid"):
        await outlet.connect()
    with pytest.raises(OutletConnectionError, match="not connected"):
        await outlet.update()


async def test_a_silent_cloud_times_out(cloud: VeSyncCloud) -> None:
    cloud.stall = True
    account = VeSyncAccount(EMAIL, PASSWORD, base_url=cloud.base_url, timeout=0.3)
    with pytest.raises(OutletConnectionError, match=r"did not answer within 0\.3 s"):
        await account.login()


async def test_an_unreachable_cloud_is_a_connection_error() -> None:
    account = VeSyncAccount(EMAIL, PASSWORD, base_url=f"http://127.0.0.1:{closed_port()}", timeout=2)
    with pytest.raises(OutletConnectionError, match="failed to log in"):
        await account.login()


async def test_an_injected_session_is_left_open(cloud: VeSyncCloud) -> None:
    async with ClientSession() as session:
        account = VeSyncAccount(EMAIL, PASSWORD, session=session, base_url=cloud.base_url, timeout=2)
        assert len(await account.list_outlets()) == 3
        await account.close()
        assert not session.closed
