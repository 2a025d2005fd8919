"""The pieces every outlet driver shares: MACs, bounded calls, read-back confirmation, shared reads."""

from __future__ import annotations

import asyncio

import pytest

from custom_components.bellas_reef.outlets import base
from custom_components.bellas_reef.outlets.base import (
    CONFIRM_READS,
    OutletConnectionError,
    OutletNotConfirmedError,
    OutletState,
    RefreshGate,
    SharedDevice,
    compact_mac,
    confirm,
    deadline,
    format_mac,
    measured,
)


@pytest.mark.parametrize("printed", ["C0:06:C3:12:34:56", "c006c3123456", "C0-06-C3-12-34-56"])
def test_macs_normalize_whatever_the_device_prints(printed: str) -> None:
    assert compact_mac(printed) == "c006c3123456"
    assert format_mac(printed) == "c0:06:c3:12:34:56"


@pytest.mark.parametrize("printed", ["", "c0:06:c3", "not a mac at all"])
def test_a_mac_needs_twelve_hex_digits(printed: str) -> None:
    with pytest.raises(ValueError, match="not a MAC"):
        compact_mac(printed)


def test_measured_keeps_numbers_only() -> None:
    assert measured(12) == 12.0
    assert isinstance(measured(12), float)
    assert measured(0.5) == 0.5
    assert measured(None) is None
    assert measured(True) is None
    assert measured("12") is None


async def test_deadline_turns_a_slow_call_into_a_connection_error() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(OutletConnectionError, match=r"slow plug did not answer within 0\.05 s"):
        async with deadline(0.05, "slow plug"):
            await asyncio.sleep(10)
    assert loop.time() - started < 1


async def test_deadline_lets_a_prompt_call_through() -> None:
    async with deadline(1, "prompt plug"):
        await asyncio.sleep(0)


@pytest.fixture
def quick_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)


@pytest.mark.usefixtures("quick_confirm")
async def test_confirm_reads_until_the_device_reports_the_new_state() -> None:
    states = iter([OutletState(is_on=False), OutletState(is_on=True, power_w=5.0)])
    reads = 0

    async def read() -> OutletState:
        nonlocal reads
        reads += 1
        return next(states)

    assert await confirm(read, True, "plug") == OutletState(is_on=True, power_w=5.0)
    assert reads == 2


@pytest.mark.usefixtures("quick_confirm")
async def test_confirm_gives_up_when_the_device_never_reports_it() -> None:
    reads = 0

    async def read() -> OutletState:
        nonlocal reads
        reads += 1
        return OutletState(is_on=True)

    with pytest.raises(OutletNotConfirmedError, match="plug still reports on"):
        await confirm(read, False, "plug")
    assert reads == CONFIRM_READS


async def test_polls_arriving_together_share_one_read() -> None:
    gate = RefreshGate()
    release = asyncio.Event()
    reads = 0

    async def read() -> None:
        nonlocal reads
        reads += 1
        await release.wait()

    polls = [asyncio.create_task(gate.refresh(read, fresh=False)) for _ in range(6)]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*polls)
    assert reads == 1


async def test_a_fresh_read_never_reuses_one_that_started_before_it() -> None:
    gate = RefreshGate()
    release = asyncio.Event()
    reads = 0

    async def read() -> None:
        nonlocal reads
        reads += 1
        await release.wait()

    poll = asyncio.create_task(gate.refresh(read, fresh=False))
    await asyncio.sleep(0)
    confirmation = asyncio.create_task(gate.refresh(read, fresh=True))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(poll, confirmation)
    assert reads == 2


async def test_after_a_failed_read_the_next_caller_reads_again() -> None:
    gate = RefreshGate()
    outcomes = [OSError("unplugged"), None]

    async def read() -> None:
        if (outcome := outcomes.pop(0)) is not None:
            raise outcome

    with pytest.raises(OSError, match="unplugged"):
        await gate.refresh(read, fresh=False)
    await gate.refresh(read, fresh=False)
    assert outcomes == []


class _Counting(SharedDevice):
    def __init__(self) -> None:
        super().__init__()
        self.opened = 0
        self.shut = 0

    async def _open(self) -> None:
        self.opened += 1

    async def _shut(self) -> None:
        self.shut += 1


async def test_a_shared_device_opens_once_and_closes_after_its_last_user() -> None:
    device = _Counting()
    first, second = object(), object()
    await device.attach(first)
    await device.attach(second)
    await device.connect()
    assert device.opened == 1
    await device.detach(first)
    assert device.shut == 0
    await device.detach(second)
    assert device.shut == 1
    await device.close()
    assert device.shut == 1
    await device.attach(first)
    assert device.opened == 2
    await device.close()
    assert device.shut == 2


def test_device_key_tells_devices_apart() -> None:
    """Port and MAC make two devices at one address distinct; how the address and MAC are spelled does not."""
    key = base.device_key
    assert key("127.0.0.1", 9999, "54:AF:97:00:00:01") != key("127.0.0.1", 10000, "54:AF:97:00:00:01")
    assert key("127.0.0.1", 9999, "54:AF:97:00:00:01") != key("127.0.0.1", 9999, "54:AF:97:00:00:02")
    assert key("Plug.local ", 9999, "54-af-97-00-00-01") == key("plug.local", 9999, "54af97000001")
    assert key("127.0.0.1", None, None) == ("127.0.0.1", None, None)
