"""GPIO inputs in Home Assistant: float, leak and lid switches on gpiozero's own mock pins.

gpiozero's `MockFactory` is the outermost edge: the integration's real `Button` code claims, reads and releases
the pins, and the tests drive them high and low as a switch would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import logging
import threading
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from gpiozero import Button, Device
from gpiozero.pins.mock import MockFactory, MockPin
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.bellas_reef.const import DOMAIN
from custom_components.bellas_reef.coordinator import inputs as input_coordinator
from custom_components.bellas_reef.models import ReefConfigEntry
from custom_components.bellas_reef.outlets import base
from custom_components.bellas_reef.outlets.simulated import SimulatedOutlet
from custom_components.bellas_reef.safety import leak_rule, rules_to_list

from .conftest import advance
from .test_outlets import outlet_subentry

LEAK = "binary_sensor.sump_leak"


class FaultyPin(MockPin):
    """A mock pin that can fail (`failing`: reads, and the first close) or hang (`hanging` not set) when read."""

    failing: Exception | None = None
    hanging: threading.Event | None = None
    close_failed = False

    def close(self) -> None:
        if self.failing is not None and not self.close_failed:
            self.close_failed = True
            raise self.failing
        super().close()

    def _get_state(self) -> bool:
        if self.hanging is not None:
            self.hanging.wait()
        if self.failing is not None:
            raise self.failing
        return bool(super()._get_state())


@pytest.fixture
def mock_pins() -> Iterator[MockFactory]:
    """gpiozero's mock pin factory as the default one (pin library `auto`)."""
    factory = MockFactory(pin_class=FaultyPin)
    Device.pin_factory = factory
    yield factory
    factory.reset()
    Device.pin_factory = None


def input_subentry(title: str, pin: int, **overrides: Any) -> ConfigSubentryData:
    """A GPIO input as the flow stores it."""
    data = {
        "driver": "gpio",
        "kind": "leak",
        "pin": pin,
        "pin_factory": "auto",
        "pull_up": True,
        "on_when": "closed",
        "bounce_ms": 50,
        **overrides,
    }
    return ConfigSubentryData(
        data=data, subentry_type="input", title=title, unique_id=f"input:{data['driver']}:{pin}"
    )


async def _tank(hass: HomeAssistant, *subentries: ConfigSubentryData, **extra: Any) -> ReefConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        minor_version=2,
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=list(subentries),
        **extra,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def test_a_leak_switch_follows_its_pin_at_once(hass: HomeAssistant, mock_pins: MockFactory) -> None:
    """Contact closed (pin pulled to ground) is wet; each edge reaches the entity without waiting for a poll."""
    entry = await _tank(hass, input_subentry("Sump leak", 17))
    state = hass.states.get(LEAK)
    assert state is not None
    assert (state.state, state.attributes["device_class"]) == ("off", "moisture")
    pin = mock_pins.pin(17)
    assert pin.pull == "up"
    pin.drive_low()
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "on"
    pin.drive_high()
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "off"

    entity = er.async_get(hass).async_get(LEAK)
    assert entity is not None
    assert entity.translation_key == "input_leak"
    device = dr.async_get(hass).async_get(entity.device_id or "")
    assert device is not None
    assert (device.name, device.model) == ("Sump leak", "Raspberry Pi GPIO input")
    assert entity.config_subentry_id == next(iter(entry.subentries))


async def test_edges_from_gpiozero_threads_reach_the_event_loop(
    hass: HomeAssistant, mock_pins: MockFactory
) -> None:
    """gpiozero calls back on a thread of its own: the change is handed to the event loop, not written there."""
    await _tank(hass, input_subentry("Sump leak", 17))
    pin = mock_pins.pin(17)
    await hass.async_add_executor_job(pin.drive_low)
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "on"


@pytest.mark.parametrize(
    ("kind", "device_class", "icon_key"),
    [
        ("lid", "opening", "input_lid"),
        ("water_level", None, "input_water_level"),
        ("other", None, "input_other"),
    ],
)
async def test_pull_down_on_when_open_and_kinds(
    hass: HomeAssistant, mock_pins: MockFactory, kind: str, device_class: str | None, icon_key: str
) -> None:
    """A switch to 3.3 V with a pull-down, on while its contact is open (a lid's reed switch apart)."""
    await _tank(hass, input_subentry("Lid", 22, kind=kind, pull_up=False, on_when="open", bounce_ms=0))
    pin = mock_pins.pin(22)
    assert pin.pull == "down"
    state = hass.states.get("binary_sensor.lid")
    assert state is not None
    assert state.state == "on", "a pulled-down pin at rest is an open contact"
    assert state.attributes.get("device_class") == device_class
    assert er.async_get(hass).async_get("binary_sensor.lid").translation_key == icon_key  # type: ignore[union-attr]
    pin.drive_high()
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor.lid") == "off"


async def test_the_poll_catches_an_edge_the_pin_library_lost(
    hass: HomeAssistant, mock_pins: MockFactory, freezer: FrozenDateTimeFactory
) -> None:
    """Without an edge callback the state still follows the pin within one poll."""
    await _tank(hass, input_subentry("Sump leak", 17))
    pin = mock_pins.pin(17)
    pin.when_changed = None
    pin.drive_low()
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "off"
    await advance(hass, freezer, 5)
    assert _state(hass, LEAK) == "on"


@pytest.mark.parametrize("error", [OSError(5, "Input/output error"), RuntimeError("lgpio: bad handle")])
async def test_a_failing_pin_goes_unavailable_logs_once_and_recovers(
    hass: HomeAssistant,
    mock_pins: MockFactory,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    """Any exception takes only this input down at once, one warning; it is opened again after a backoff."""
    await _tank(hass, input_subentry("Sump leak", 17), input_subentry("Lid", 22, kind="lid"))
    pin = mock_pins.pin(17)
    assert isinstance(pin, FaultyPin)
    pin.failing = error
    await advance(hass, freezer, 5)
    assert _state(hass, LEAK) == "unavailable"
    assert _state(hass, "binary_sensor.lid") == "off"
    await advance(hass, freezer, 60, steps=12)
    assert caplog.text.count("Sump leak is unavailable") == 1

    pin.failing = None
    await advance(hass, freezer, 120, steps=24)
    assert _state(hass, LEAK) == "off"
    assert caplog.text.count("Sump leak is available again") == 1
    pin.drive_low()
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "on", "the pin opened again reports its edges"


async def test_a_pin_another_program_holds_is_retried_until_it_is_free(
    hass: HomeAssistant, mock_pins: MockFactory, freezer: FrozenDateTimeFactory
) -> None:
    """Opening fails while the pin is claimed elsewhere; the input comes up by itself once it is let go."""
    other = Button(17, pin_factory=mock_pins)
    entry = await _tank(hass, input_subentry("Sump leak", 17))
    assert _state(hass, LEAK) == "unavailable"
    other.close()
    await advance(hass, freezer, 30, steps=6)
    assert _state(hass, LEAK) == "off"
    issues = ir.async_get(hass).issues
    assert not [key for key in issues if key[1].startswith(f"device_missing_{entry.entry_id}")]


async def test_a_hung_pin_is_given_up_on_and_recovers(
    hass: HomeAssistant, mock_pins: MockFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that never returns is bounded like any device call; the pin is let go once the call returns.

    Real time: a device call's bound runs on the event loop's clock, which a frozen clock would stop.
    """
    monkeypatch.setattr(input_coordinator, "DEVICE_TIMEOUT", 0.2)
    entry = await _tank(hass, input_subentry("Sump leak", 17))
    coordinator = entry.runtime_data.inputs
    pin = mock_pins.pin(17)
    assert isinstance(pin, FaultyPin)
    release = pin.hanging = threading.Event()
    await coordinator.async_refresh()
    assert _state(hass, LEAK) == "unavailable"
    item = coordinator.inputs[next(iter(entry.subentries))]
    pin.drive_low()
    await asyncio.sleep(0)
    assert item.closed is False, "an edge of a pin given up on is not believed"
    await asyncio.sleep(1.1)  # the first backoff
    await coordinator.async_refresh()
    assert _state(hass, LEAK) == "unavailable", "a call still hanging is not stacked on"
    pin.hanging = None
    release.set()
    await asyncio.sleep(2.1)  # the second backoff
    await coordinator.async_refresh()
    assert _state(hass, LEAK) == "off"
    pin.drive_low()
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "on"


async def test_unload_and_removal_free_the_pin(hass: HomeAssistant, mock_pins: MockFactory) -> None:
    """A reload opens the pin again; a removed input's pin can be claimed by something else."""
    entry = await _tank(hass, input_subentry("Sump leak", 17))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "off"
    hass.config_entries.async_remove_subentry(entry, next(iter(entry.subentries)))
    await hass.async_block_till_done()
    assert hass.states.get(LEAK) is None
    Button(17, pin_factory=mock_pins).close()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_simulated_switch_needs_no_pi(hass: HomeAssistant) -> None:
    """Simulated inputs rest open on mock pins of their own, which outlive a reload as the tank's hardware does."""
    entry = await _tank(hass, input_subentry("Sump leak", 5, driver="simulated"))
    assert _state(hass, LEAK) == "off"
    pins = entry.runtime_data.simulator.pins
    assert isinstance(pins, MockFactory)
    pins.pin(5).drive_low()
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "on"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.simulator.pins is pins
    pins.pin(5).drive_low()
    await hass.async_block_till_done()
    assert _state(hass, LEAK) == "on"
    entity = er.async_get(hass).async_get(LEAK)
    assert entity is not None
    device = dr.async_get(hass).async_get(entity.device_id or "")
    assert device is not None
    assert device.model == "Simulated GPIO input"


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ({"pin": 40}, "BCM pin must be 0-27, not 40"),
        ({"pin_factory": "wiringpi"}, "unknown pin factory 'wiringpi'"),
        ({"bounce_ms": -5}, "bounce time must be 0-5000 ms, not -5"),
        ({"kind": "flood"}, "'flood' is not a valid InputKind"),
    ],
)
async def test_an_input_stored_with_bad_data_is_left_out(
    hass: HomeAssistant, mock_pins: MockFactory, bad: dict[str, Any], why: str
) -> None:
    """Data no flow would store raises a repair issue naming why; the rest of the tank runs."""
    pin = bad.pop("pin", 17)
    entry = await _tank(hass, input_subentry("Sump leak", pin, **bad), input_subentry("Lid", 22, kind="lid"))
    assert hass.states.get(LEAK) is None
    assert _state(hass, "binary_sensor.lid") == "off"
    subentry_id = next(sid for sid, sub in entry.subentries.items() if sub.title == "Sump leak")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"subentry_broken_{entry.entry_id}_{subentry_id}")
    assert issue is not None
    assert (issue.translation_placeholders or {})["error"] == why


async def test_a_wet_leak_switch_stops_the_return_pump_within_a_tick(
    hass: HomeAssistant,
    mock_pins: MockFactory,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The leak rule on a GPIO input: the return pump goes off within one tick of the pin going wet, back on dry."""
    monkeypatch.setattr(base, "CONFIRM_INTERVAL", 0.001)
    entry = await _tank(
        hass,
        input_subentry("Sump leak", 17),
        outlet_subentry("Return pump", "return_pump"),
        options={
            "rules": rules_to_list([leak_rule("sump_leak", "Sump leak", LEAK)]),
            "defaults_applied": ["temperature"],
        },
    )
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: "switch.return_pump"}, blocking=True)
    await hass.async_block_till_done()
    outlet = next(iter(entry.runtime_data.outlets.outlets.values())).driver
    assert isinstance(outlet, SimulatedOutlet)
    assert outlet.is_on

    mock_pins.pin(17).drive_low()
    await advance(hass, freezer, 1)
    assert not outlet.is_on
    assert _state(hass, "binary_sensor.reef_sump_leak") == "on"
    mock_pins.pin(17).drive_high()
    await advance(hass, freezer, 1)
    assert outlet.is_on
    assert _state(hass, "binary_sensor.reef_sump_leak") == "off"


async def test_a_failing_pin_logs_its_name(
    hass: HomeAssistant,
    mock_pins: MockFactory,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The warning names the input and the pin, so the keeper knows which wire to check."""
    await _tank(hass, input_subentry("Sump leak", 17))
    pin = mock_pins.pin(17)
    assert isinstance(pin, FaultyPin)
    pin.failing = OSError(5, "Input/output error")
    with caplog.at_level(logging.WARNING):
        await advance(hass, freezer, 5)
    assert "Sump leak is unavailable: GPIO17 input (auto) failed: [Errno 5] Input/output error" in caplog.text


async def test_diagnostics_show_each_input(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, mock_pins: MockFactory
) -> None:
    """Each switch's kind, contact and health are in the diagnostics download."""
    entry = await _tank(hass, input_subentry("Sump leak", 17))
    mock_pins.pin(17).drive_low()
    await hass.async_block_till_done()
    report = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert report["inputs"] == [
        {"name": "Sump leak", "kind": "leak", "on": True, "available": True, "errors": 0}
    ]
