"""The VeSync driver against pyvesync's published call/response records of real outlet models.

A fake cloud on 127.0.0.1 answers only requests that match a record's (tests/outlets/dumps/vesync, source in
its README): the plug's listing, its detail answer, and the exact read and switch calls pyvesync makes for
that model. The driver must read state, power and energy as recorded and switch the plug it is asked to.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
import pytest

from custom_components.bellas_reef.outlets import base
from custom_components.bellas_reef.outlets.vesync import VeSyncAccount

from .dumps import committed_dumps, load
from .fake_vesync import CloudAccount, RecordedCloud
from .helpers import serving

RECORDS = {path.stem: load(path) for path in committed_dumps("vesync")}


@pytest.fixture(autouse=True)
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


def _device_id(listing: dict[str, Any]) -> str:
    number = listing.get("subDeviceNo")
    return listing["cid"] if number is None else f"{listing['cid']}:{number}"


def test_the_records_cover_the_outlet_api_generations() -> None:
    """Each of the cloud's outlet APIs: the oldest /v1 plug, deviceDetail (V1), bypassV2, and a sub-socket."""
    urls = {call["url"] for record in RECORDS.values() for call in record["calls"].values()}
    assert any(url.startswith("/v1/") for url in urls)
    assert "/cloud/v1/deviceManaged/deviceDetail" in urls
    assert "/cloud/v2/deviceManaged/bypassV2" in urls
    assert any(record["listing"].get("subDeviceNo") for record in RECORDS.values())
    assert len(RECORDS) >= 6


@pytest.mark.parametrize("name", sorted(RECORDS))
async def test_recorded_outlet(name: str) -> None:
    """Listing, state, power and energy as recorded; switching sends the model's own calls and is read back."""
    record = RECORDS[name]
    cloud = RecordedCloud([record])
    account = CloudAccount()
    async with ClientSession() as session, serving(cloud):
        vesync = VeSyncAccount(account.email, account.password, session=session, base_url=cloud.base_url)
        listed = await vesync.list_outlets()
        expected = record["expected"]
        assert [(outlet.device_id, outlet.model) for outlet in listed] == [
            (_device_id(record["listing"]), record["listing"]["deviceType"])
        ]
        assert listed[0].has_power_monitoring is (expected["power_w"] is not None)

        outlet = vesync.outlet(listed[0].device_id)
        await outlet.connect()
        try:
            state = await outlet.update()
            assert state.is_on is expected["is_on"]
            assert (state.power_w, state.energy_kwh) == pytest.approx(
                (expected["power_w"], expected["energy_kwh"])
            )
            assert (await outlet.turn_off()).is_on is False
            assert not cloud.is_on(cloud.records[0])
            assert (await outlet.turn_on()).is_on is True
            assert cloud.is_on(cloud.records[0])
        finally:
            await outlet.close()
        assert cloud.unmatched == []
