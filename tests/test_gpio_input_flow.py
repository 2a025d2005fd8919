"""The GPIO input flow: add and edit a switch on a pin, and every pin it must refuse, with nothing changed."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER, ConfigSubentry, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import probatio as vol
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN

from .conftest import channel_subentry
from .test_gpio_inputs import input_subentry

LEAK = {
    "name": "Sump leak",
    "kind": "leak",
    "pin": 17,
    "pin_factory": "auto",
    "pull_up": True,
    "on_when": "closed",
    "bounce_ms": 50,
}
COMMON = {"role": "white", "curve": "cie1931", "min_output": 0, "max_output": 100, "override_minutes": 60}


def _gpio_output(kind: str, title: str, pin: int) -> ConfigSubentryData:
    """A doser's or DC pump's PWM on a GPIO pin, as their flows store it (only what tells its pin matters here)."""
    return ConfigSubentryData(
        data={"pump": "gpio", "pin": pin, "pin_factory": "auto", "frequency": 1000.0},
        subentry_type=kind,
        title=title,
        unique_id=f"{kind}:gpio:{pin}",
    )


@pytest.fixture
def tank(hass: HomeAssistant) -> MockConfigEntry:
    """A controller (not set up: the flows only read its subentries) with something on several pins."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Reef",
        unique_id="reef",
        minor_version=2,
        data={"name": "Reef", "latitude": 52.0, "longitude": 5.0},
        subentries_data=[
            channel_subentry("UV", driver="gpio", pin=18, pin_factory="auto", frequency=1000.0),
            _gpio_output("doser", "Alkalinity", 13),
            _gpio_output("pump", "Wave maker", 12),
            input_subentry("Lid", 22, kind="lid"),
        ],
    )
    entry.add_to_hass(hass)
    return entry


def _unchanged(entry: MockConfigEntry) -> Any:
    return {sid: (sub.title, dict(sub.data)) for sid, sub in entry.subentries.items()}


async def _form(hass: HomeAssistant, entry: MockConfigEntry, kind: str, step: str) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert step in result["menu_options"]
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {"next_step_id": step})
    return dict(result)


async def _answer(hass: HomeAssistant, flow: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    return dict(await hass.config_entries.subentries.async_configure(flow["flow_id"], answers))


async def test_add_a_leak_switch(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """The form's defaults are the usual wiring: pull-up on, on while the contact is closed, 50 ms bounce."""
    flow = await _form(hass, tank, "input", "gpio")
    assert flow["type"] is FlowResultType.FORM
    schema = flow["data_schema"].schema
    defaults = {str(key): key.default() for key in schema if key.default is not vol.UNDEFINED}
    assert defaults == {
        "kind": "leak",
        "pin": 17,
        "pin_factory": "auto",
        "pull_up": True,
        "on_when": "closed",
        "bounce_ms": 50,
    }
    result = await _answer(hass, flow, LEAK | {"bounce_ms": 20.0, "pin": 27.0})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Sump leak"
    assert result["data"] == {
        "driver": "gpio",
        "kind": "leak",
        "pin": 27,
        "pin_factory": "auto",
        "pull_up": True,
        "on_when": "closed",
        "bounce_ms": 20,
    }
    added = next(sub for sub in tank.subentries.values() if sub.title == "Sump leak")
    assert added.unique_id == "input:gpio:27"


@pytest.mark.parametrize(
    ("pin", "error"),
    [
        (18, "pin_in_use"),
        (13, "pin_in_use"),
        (12, "pin_in_use"),
        (22, "pin_in_use"),
        (2, "pin_is_i2c"),
        (3, "pin_is_i2c"),
    ],
)
async def test_a_pin_in_use_or_on_the_i2c_bus_is_refused(
    hass: HomeAssistant, tank: MockConfigEntry, pin: int, error: str
) -> None:
    """A light channel's, doser's, pump's or input's pin, and the I2C pins of a tank with a board on bus 1."""
    board = channel_subentry("Blue", output=1, driver="pca9685", bus=1, frequency=1000.0)
    hass.config_entries.async_add_subentry(
        tank,
        ConfigSubentry(
            data=MappingProxyType(board["data"]),
            subentry_type=board["subentry_type"],
            title=board["title"],
            unique_id=board["unique_id"],
        ),
    )
    before = _unchanged(tank)
    flow = await _form(hass, tank, "input", "gpio")
    result = await _answer(hass, flow, LEAK | {"pin": pin})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"pin": error}
    assert _unchanged(tank) == before


async def test_the_i2c_pins_are_free_without_an_i2c_board(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """GPIO 2 is an ordinary pin on a tank whose boards are not on I2C bus 1."""
    flow = await _form(hass, tank, "input", "gpio")
    result = await _answer(hass, flow, LEAK | {"pin": 2})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"pin": float("nan")}, {"pin": "field_not_a_number"}),
        ({"pin": 17.5}, {"pin": "field_not_whole"}),
        ({"bounce_ms": float("nan")}, {"bounce_ms": "field_not_a_number"}),
        ({"name": " - "}, {"name": "name_required"}),
        ({"name": "Sump\x00leak"}, {"name": "field_not_text"}),
    ],
)
async def test_bad_answers_are_refused_on_their_field(
    hass: HomeAssistant, tank: MockConfigEntry, answers: dict[str, Any], errors: dict[str, str]
) -> None:
    """Refused at the door, translated, and nothing saved."""
    before = _unchanged(tank)
    flow = await _form(hass, tank, "input", "gpio")
    result = await _answer(hass, flow, LEAK | answers)
    assert result["errors"] == errors
    assert _unchanged(tank) == before


@pytest.mark.parametrize(
    "answers", [{"pin": 28}, {"pin": -1}, {"bounce_ms": 5001}, {"kind": "flood"}, {"on_when": "wet"}]
)
async def test_values_outside_the_fields_are_schema_errors(
    hass: HomeAssistant, tank: MockConfigEntry, answers: dict[str, Any]
) -> None:
    """A pin past 27, a negative pin, a bounce time of over 5 s, an unknown kind: the form's own limits."""
    before = _unchanged(tank)
    flow = await _form(hass, tank, "input", "gpio")
    with pytest.raises(InvalidData):
        await _answer(hass, flow, LEAK | answers)
    assert _unchanged(tank) == before


async def test_simulated_pins_are_their_own(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """A simulated switch may sit on a number a real pin uses, not on another simulated switch's, nor ask a library."""
    flow = await _form(hass, tank, "input", "simulated")
    assert "pin_factory" not in {str(key) for key in flow["data_schema"].schema}
    answers = {key: value for key, value in LEAK.items() if key != "pin_factory"}
    result = await _answer(hass, flow, answers | {"pin": 22})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["driver"] == "simulated"
    flow = await _form(hass, tank, "input", "simulated")
    result = await _answer(hass, flow, answers | {"name": "Sump level", "pin": 22})
    assert result["errors"] == {"pin": "pin_in_use"}


async def test_reconfigure_keeps_its_own_pin_and_refuses_others(
    hass: HomeAssistant, tank: MockConfigEntry
) -> None:
    """The form starts from what is saved; another's pin is refused; a rename and a free pin are saved."""
    lid = next(sid for sid, sub in tank.subentries.items() if sub.title == "Lid")
    result = await hass.config_entries.subentries.async_init(
        (tank.entry_id, "input"), context={"source": SOURCE_RECONFIGURE, "subentry_id": lid}
    )
    assert result["step_id"] == "reconfigure"
    suggested = {
        str(key): (key.description or {}).get("suggested_value") for key in result["data_schema"].schema
    }
    assert suggested["name"] == "Lid"
    assert suggested["pin"] == 22
    before = _unchanged(tank)
    changed = await _answer(hass, dict(result), LEAK | {"name": "Lid", "kind": "lid", "pin": 18})
    assert changed["errors"] == {"pin": "pin_in_use"}
    assert _unchanged(tank) == before
    changed = await _answer(
        hass, dict(result), LEAK | {"name": "Canopy lid", "kind": "lid", "pin": 22, "on_when": "open"}
    )
    assert changed["type"] is FlowResultType.ABORT
    assert changed["reason"] == "reconfigure_successful"
    assert tank.subentries[lid].title == "Canopy lid"
    assert tank.subentries[lid].data["on_when"] == "open"
    assert tank.subentries[lid].data["pin"] == 22


async def test_outputs_refuse_an_inputs_pin(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """A light channel, doser or DC pump cannot drive the pin a switch is read on."""
    before = _unchanged(tank)
    flow = await _form(hass, tank, "channel", "gpio")
    result = await _answer(
        hass, flow, {"name": "Violet", "pin": 22, "pin_factory": "auto", "frequency": 1000, **COMMON}
    )
    assert result["errors"] == {"pin": "pin_is_input"}
    for kind in ("doser", "pump"):
        flow = await _form(hass, tank, kind, "gpio")
        answers = {"pin": 22, "pin_factory": "auto", "frequency": 1000} | (
            {"duty": 100} if kind == "doser" else {}
        )
        result = await _answer(hass, flow, answers)
        assert result["errors"] == {"pin": "pin_is_input"}
    assert _unchanged(tank) == before


async def test_outputs_refuse_each_others_pins(hass: HomeAssistant, tank: MockConfigEntry) -> None:
    """One pin drives one thing: a channel, doser or DC pump cannot take a pin another of them drives."""
    before = _unchanged(tank)
    flow = await _form(hass, tank, "channel", "gpio")
    for pin in (13, 12):
        flow = await _answer(
            hass, flow, {"name": "Violet", "pin": pin, "pin_factory": "auto", "frequency": 1000, **COMMON}
        )
        assert flow["errors"] == {"pin": "pin_in_use"}, pin
    for kind, pins in (("doser", (12, 18)), ("pump", (13, 18))):
        flow = await _form(hass, tank, kind, "gpio")
        for pin in pins:
            answers = {"pin": pin, "pin_factory": "auto", "frequency": 1000} | (
                {"duty": 100} if kind == "doser" else {}
            )
            flow = await _answer(hass, flow, answers)
            assert flow["errors"] == {"pin": "output_in_use"}, (kind, pin)
    assert _unchanged(tank) == before
