"""The simulated outlet: switching, power by role, energy over time, and the failures it can act out."""

from __future__ import annotations

import pytest

from custom_components.bellas_reef.outlets import (
    Outlet,
    OutletConnectionError,
    OutletDevice,
    OutletNotConfirmedError,
    OutletRole,
    OutletState,
    SimulatedOutlet,
    base,
)
from custom_components.bellas_reef.outlets.simulated import ROLE_WATTS


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_is_an_outlet_with_an_identity_of_its_own() -> None:
    outlet: Outlet = SimulatedOutlet("heater-1", "Display heater", role=OutletRole.HEATER)
    assert outlet.unique_id == "simulated:heater-1"
    assert outlet.name == "Display heater"
    assert outlet.model == "Simulated outlet"
    assert outlet.device == OutletDevice(
        id="simulated:heater-1", name="Display heater", manufacturer="Bella's Reef", model="Simulated outlet"
    )


async def test_it_switches_and_draws_its_roles_power() -> None:
    outlet = SimulatedOutlet("pump", "Return pump", role=OutletRole.RETURN_PUMP, clock=Clock())
    await outlet.connect()
    assert outlet.has_power_monitoring
    assert await outlet.update() == OutletState(is_on=False, power_w=0.0, energy_kwh=0.0)
    on = await outlet.turn_on()
    assert on.is_on
    assert on.power_w == ROLE_WATTS[OutletRole.RETURN_PUMP]
    assert not (await outlet.turn_off()).is_on
    await outlet.close()


async def test_energy_counts_only_while_on() -> None:
    clock = Clock()
    outlet = SimulatedOutlet("heater", "Heater", watts=300.0, is_on=True, clock=clock)
    clock.now += 1800
    assert (await outlet.update()).energy_kwh == pytest.approx(0.15)
    await outlet.turn_off()
    clock.now += 3600
    assert (await outlet.update()).energy_kwh == pytest.approx(0.15)
    await outlet.turn_on()
    clock.now += 360
    assert (await outlet.update()).energy_kwh == pytest.approx(0.18)


async def test_without_a_wattage_it_reports_no_power() -> None:
    outlet = SimulatedOutlet("spare", "Spare", role=OutletRole.OTHER)
    assert not outlet.has_power_monitoring
    assert await outlet.turn_on() == OutletState(is_on=True)


async def test_a_button_press_shows_in_the_next_update() -> None:
    outlet = SimulatedOutlet("skimmer", "Skimmer", role=OutletRole.SKIMMER)
    outlet.press_button()
    assert (await outlet.update()).is_on


async def test_an_unavailable_outlet_fails_like_an_unreachable_device() -> None:
    outlet = SimulatedOutlet("ato", "ATO", role=OutletRole.ATO)
    outlet.available = False
    with pytest.raises(OutletConnectionError, match="ATO is unavailable"):
        await outlet.connect()
    with pytest.raises(OutletConnectionError):
        await outlet.update()
    with pytest.raises(OutletConnectionError):
        await outlet.turn_on()
    outlet.available = True
    assert not (await outlet.update()).is_on


async def test_a_stuck_relay_is_not_confirmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)
    outlet = SimulatedOutlet("light", "Refugium light", role=OutletRole.LIGHT)
    outlet.stuck = True
    with pytest.raises(OutletNotConfirmedError, match="Refugium light still reports off"):
        await outlet.turn_on()
    assert not (await outlet.update()).is_on
