"""Flows refuse bad answers on the field they belong to, before any step uses them (never a crash, never saved).

Each case is a defect found by sending hostile answers to a running controller's flows: NaN through number
selectors, a latitude of 999, fractions in whole-number fields, control characters, huge texts, hosts that are
not hosts, blank names.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import socket
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_CHANNEL, SUBENTRY_OUTLET, SUBENTRY_PROBE
from custom_components.bellas_reef.flows.fields import valid_host

from .outlets.fake_kasa import FakeKasa, XorServer
from .outlets.helpers import serving

CONTROLLER = {
    "name": "Reef tank",
    "location": {"latitude": 52.37, "longitude": 4.89},
    "store": "embedded",
    "retention_days": 30,
}
CHANNEL = {
    "name": "Royal blue",
    "address": 0x41,
    "output": 3,
    "role": "royal_blue",
    "curve": "cie1931",
    "min_output": 0,
    "max_output": 100,
    "override_minutes": 60,
}
OUTLET = {"name": "Return pump", "role": "return_pump", "boot_delay": 0}
HUGE = "x" * 10_000


def _unchanged(entry: MockConfigEntry) -> Any:
    return dict(entry.data), dict(entry.options), sorted(entry.subentries)


async def _controller_form(hass: HomeAssistant, answers: dict[str, Any]) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], CONTROLLER | answers)
    return dict(result)


@pytest.mark.parametrize(
    ("answers", "errors", "placeholders"),
    [
        ({"retention_days": float("nan")}, {"retention_days": "field_not_a_number"}, {}),
        ({"retention_days": 30.5}, {"retention_days": "field_not_whole"}, {}),
        ({"location": {"latitude": 999, "longitude": 4.89}}, {"location": "field_bad_location"}, {}),
        ({"location": {"latitude": float("nan"), "longitude": 4.89}}, {"location": "field_bad_location"}, {}),
        ({"name": "   "}, {"name": "name_required"}, {}),
        ({"name": "Reef\x00tank"}, {"name": "field_not_text"}, {}),
        ({"name": HUGE}, {"name": "field_too_long"}, {"maximum": "100"}),
        (
            {"store": "postgresql", "db_url": "postgresql://" + HUGE},
            {"db_url": "field_too_long"},
            {"maximum": "2048"},
        ),
    ],
)
async def test_controller_form_refuses_on_the_field(
    hass: HomeAssistant, answers: dict[str, Any], errors: dict[str, str], placeholders: dict[str, str]
) -> None:
    """The form comes back with the error on the field, and no controller is created."""
    result = await _controller_form(hass, answers)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert placeholders.items() <= result["description_placeholders"].items()
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_database_url_the_driver_cannot_encode(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host label longer than DNS allows raised UnicodeError from the resolver; now the URL is refused."""

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        host.encode("idna")  # what the system resolver does first; a 64-character label fails here
        raise socket.gaierror(socket.EAI_NONAME, "unknown host")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    result = await _controller_form(
        hass, {"store": "postgresql", "db_url": f"postgresql://reef@{'a' * 64}.example/reef"}
    )
    assert result["errors"] == {"db_url": "invalid_db_url"}


async def test_settings_numbers_are_finite_and_whole(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """NaN and fractions pass HA's number selectors; the settings form refuses them on their field."""
    before = dict(init_integration.options)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"safety_mode_lights": 50, "failsafe_minutes": float("nan")}
    )
    assert result["errors"] == {"failsafe_minutes": "field_not_a_number"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"safety_mode_lights": 50, "failsafe_minutes": 5.5}
    )
    assert result["errors"] == {"failsafe_minutes": "field_not_whole"}
    assert init_integration.options == before


async def test_reconfigure_and_reauth_refuse_on_the_field(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Moving a tank to latitude 999 broke its whole setup; a NUL in a password reached the cloud library."""
    before = _unchanged(init_integration)
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], CONTROLLER | {"location": {"latitude": 999, "longitude": 0}}
    )
    assert result["errors"] == {"location": "field_bad_location"}
    hass.config_entries.async_update_entry(
        init_integration,
        data={**init_integration.data, "vesync": {"username": "k@reef.example", "password": "x"}},
    )
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_REAUTH, "entry_id": init_integration.entry_id},
        data=init_integration.data,
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"password": "co\x00ral"})
    assert result["errors"] == {"password": "field_not_text"}
    assert result["description_placeholders"]["username"] == "k@reef.example"
    assert _unchanged(init_integration)[2] == before[2]


async def _subentry_step(hass: HomeAssistant, entry: MockConfigEntry, kind: str, step: str) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, kind), context={"source": SOURCE_USER}
    )
    return dict(
        await hass.config_entries.subentries.async_configure(result["flow_id"], {"next_step_id": step})
    )


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        # NaN passed the number selectors and crashed int() or broke the whole controller at setup.
        ({"min_output": float("nan")}, {"min_output": "field_not_a_number"}),
        ({"max_output": float("nan")}, {"max_output": "field_not_a_number"}),
        ({"output": float("nan")}, {"output": "field_not_a_number"}),
        ({"output": 1.5}, {"output": "field_not_whole"}),
        ({"name": " . "}, {"name": "name_required"}),
        ({"name": "Royal\tblue"}, {"name": "field_not_text"}),
        ({"name": "Royal \ud800"}, {"name": "field_not_text"}),
        ({"name": HUGE}, {"name": "field_too_long"}),
        ({"min_output": 60, "max_output": 40}, {"min_output": "min_not_below_max"}),
    ],
)
async def test_channel_form_refuses_on_the_field(
    hass: HomeAssistant, init_integration: MockConfigEntry, answers: dict[str, Any], errors: dict[str, str]
) -> None:
    """A bad channel is refused at the door, so it can never put the controller in setup_error."""
    before = _unchanged(init_integration)
    result = await _subentry_step(hass, init_integration, SUBENTRY_CHANNEL, "simulated")
    result = dict(await hass.config_entries.subentries.async_configure(result["flow_id"], CHANNEL | answers))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert result["description_placeholders"]["driver"] == "simulated"
    assert _unchanged(init_integration) == before


async def test_channel_choices_are_plain_values(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A wrong role is a schema error listing the roles' values, never enum reprs like <ChannelRole.BLUE: ...>."""
    result = await _subentry_step(hass, init_integration, SUBENTRY_CHANNEL, "simulated")
    with pytest.raises(InvalidData) as caught:
        await hass.config_entries.subentries.async_configure(result["flow_id"], CHANNEL | {"role": "purple"})
    assert "<" not in str(caught.value.schema_errors)
    options = result["data_schema"].schema["role"].config["options"]
    assert all(type(option) is str for option in options)


async def test_bus_and_probe_numbers(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The PCA9685 bus and an EZO circuit's address crashed int() on NaN; the bus is now never scanned."""
    result = await _subentry_step(hass, init_integration, SUBENTRY_CHANNEL, "pca9685")
    result = dict(
        await hass.config_entries.subentries.async_configure(result["flow_id"], {"bus": float("nan")})
    )
    assert result["errors"] == {"bus": "field_not_a_number"}
    result = await _subentry_step(hass, init_integration, SUBENTRY_PROBE, "ezo_ph")
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"name": "pH", "bus": 1, "address": float("nan")}
        )
    )
    assert result["errors"] == {"address": "field_not_a_number"}


@pytest.mark.parametrize(
    ("host", "error"),
    [
        ("", "invalid_host"),
        ("   ", "invalid_host"),
        ("../../etc", "invalid_host"),
        ("plug\x00.local", "field_not_text"),
        (f"{'a' * 64}.local", "invalid_host"),
        ("-plug.local", "invalid_host"),
        (HUGE, "field_too_long"),
    ],
)
@pytest.mark.parametrize("driver", ["kasa", "shelly"])
async def test_outlet_host_is_a_host(
    hass: HomeAssistant, init_integration: MockConfigEntry, driver: str, host: str, error: str
) -> None:
    """Hosts that crashed the vendor libraries (KeyError, UnicodeError, ValueError) are refused on the field."""
    result = await _subentry_step(hass, init_integration, SUBENTRY_OUTLET, driver)
    result = dict(await hass.config_entries.subentries.async_configure(result["flow_id"], {"host": host}))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"host": error}


def test_hosts() -> None:
    """IP addresses and DNS names pass; what getaddrinfo or IDNA would choke on does not."""
    for host in ("192.168.1.20", "fe80::1", "plug.local", "plug.local.", "a" * 63, "shelly-plug-1"):
        assert valid_host(host), host
    for host in ("", ".", "a..b", "a" * 64, "x_y", "a b", "-a", "a-", ".".join(["a" * 50] * 6)):
        assert not valid_host(host), host


async def test_outlet_names_and_numbers(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Blank names collided on one unique id; NaN boot delays broke the controller; neither is saved now."""
    before = _unchanged(init_integration)
    result = await _subentry_step(hass, init_integration, SUBENTRY_OUTLET, "simulated")
    for answers, errors in (
        ({"name": "  "}, {"name": "name_required"}),
        ({"name": "!!!"}, {"name": "name_required"}),
        ({"boot_delay": float("nan")}, {"boot_delay": "field_not_a_number"}),
        ({"watts": float("nan")}, {"watts": "field_not_a_number"}),
        ({"name": HUGE}, {"name": "field_too_long"}),
    ):
        result = dict(
            await hass.config_entries.subentries.async_configure(result["flow_id"], OUTLET | answers)
        )
        assert result["errors"] == errors
    assert _unchanged(init_integration) == before
    result = await _subentry_step(hass, init_integration, SUBENTRY_OUTLET, "ha_switch")
    hass.states.async_set("switch.skimmer", "on")
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], OUTLET | {"entity_id": "switch.skimmer", "name": ""}
        )
    )
    assert result["errors"] == {"name": "name_required"}
    result = await _subentry_step(hass, init_integration, SUBENTRY_OUTLET, "vesync")
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"username": "keeper\x00@reef.example", "password": "coral"}
        )
    )
    assert result["errors"] == {"username": "field_not_text"}
    result = await _subentry_step(hass, init_integration, SUBENTRY_OUTLET, "simulated")
    result = dict(await hass.config_entries.subentries.async_configure(result["flow_id"], OUTLET))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    subentry_id = next(s for s, sub in init_integration.subentries.items() if sub.title == "Return pump")
    result = dict(
        await hass.config_entries.subentries.async_init(
            (init_integration.entry_id, SUBENTRY_OUTLET),
            context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
        )
    )
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], OUTLET | {"boot_delay": float("nan")}
        )
    )
    assert result["errors"] == {"boot_delay": "field_not_a_number"}
    assert init_integration.subentries[subentry_id].data["boot_delay"] == 0


@pytest.fixture
async def kasa_plug(socket_enabled: None) -> AsyncIterator[int]:
    """A fake Kasa strip on 127.0.0.1."""
    async with serving(XorServer(FakeKasa())) as port:
        yield port


async def test_picked_socket_needs_a_name(
    hass: HomeAssistant, init_integration: MockConfigEntry, kasa_plug: int
) -> None:
    """After the device is found, its socket form refuses a blank name and keeps the answers given."""
    result = await _subentry_step(hass, init_integration, SUBENTRY_OUTLET, "kasa")
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"host": "127.0.0.1", "port": kasa_plug}
        )
    )
    assert result["step_id"] == "kasa_socket"
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"socket": "1", "name": " ", "role": "heater", "boot_delay": 0}
        )
    )
    assert result["errors"] == {"name": "name_required"}
    result = dict(
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"socket": "1", "name": "Heater", "role": "heater", "boot_delay": 0}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_rule_editor_refuses_on_the_field(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A rule's name and limits are checked before the rule is built; nothing is saved on a refusal."""
    probe = next(s for s, sub in init_integration.subentries.items() if sub.subentry_type == SUBENTRY_PROBE)
    before = dict(init_integration.options)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "add_rule"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "\x07", "probe": probe, "condition": "above"}
    )
    assert result["errors"] == {"name": "field_not_text"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Too warm", "probe": probe, "condition": "above"}
    )
    assert result["step_id"] == "rule_details"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"limit": float("nan"), "lights_off": True, "notify": True, "safety_mode": False}
    )
    assert result["errors"] == {"limit": "field_not_a_number"}
    assert init_integration.options == before
