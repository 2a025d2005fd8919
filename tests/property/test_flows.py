"""Generated answers to every flow step: a form error on a field, a schema error, or a saved entry; never a crash.

On any refusal the controller's data, options and subentries stay as they were.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from hypothesis import strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.bellas_reef.const import DOMAIN, SUBENTRY_CHANNEL, SUBENTRY_OUTLET, SUBENTRY_PROBE
from custom_components.bellas_reef.flows.fields import valid_host

from .hostile import HOSTILE, STRINGS, maybe, numbers, run_examples

NAMES = st.one_of(
    st.sampled_from(["Royal blue", "  ", "!!!", "x" * 101, "Reef\x00", "Bleu \ud800", "Sump"]),
    st.text(max_size=30),
    HOSTILE,
)
LOCATIONS = st.one_of(
    st.fixed_dictionaries({"latitude": numbers(-90, 90), "longitude": numbers(-180, 180)}),
    HOSTILE,
)
# Hosts that are not hosts: a real name would be looked up, which the tests do not allow (the regression tests
# reach a fake device on 127.0.0.1 instead).
HOSTS = st.one_of(
    st.sampled_from(["", " ", "../../etc", "a" * 64 + ".local", "plug\x00", "-plug", "plug_1"]),
    st.text(max_size=20),
    HOSTILE,
).filter(lambda host: not (isinstance(host, str) and valid_host(host.strip())))


def _with(
    required: dict[str, st.SearchStrategy[Any]], fields: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """The `required` answers always (without them every answer is a schema error), then any of `fields`."""
    return st.tuples(st.fixed_dictionaries(required), maybe(fields)).map(lambda parts: parts[0] | parts[1])


STEPS: dict[str, tuple[str, str, st.SearchStrategy[dict[str, Any]]]] = {
    "channel": (
        SUBENTRY_CHANNEL,
        "simulated",
        _with(
            {"name": NAMES},
            {
                "address": numbers(0x40, 0x7F),
                "output": numbers(0, 15),
                "role": st.one_of(st.sampled_from(["white", "royal_blue", "purple"]), HOSTILE),
                "curve": st.one_of(st.sampled_from(["cie1931", "linear"]), HOSTILE),
                "min_output": numbers(0, 99),
                "max_output": numbers(1, 100),
                "override_minutes": numbers(1, 1440),
            },
        ),
    ),
    "pca9685": (SUBENTRY_CHANNEL, "pca9685", maybe({"bus": numbers(0, 99)})),
    "probe": (
        SUBENTRY_PROBE,
        "simulated",
        _with({"name": NAMES}, {"kind": st.one_of(st.sampled_from(["temperature", "ph", "orp"]), HOSTILE)}),
    ),
    "ezo": (
        SUBENTRY_PROBE,
        "ezo_ph",
        _with({"name": NAMES}, {"bus": numbers(0, 99), "address": numbers(1, 0x7F)}),
    ),
    "outlet": (
        SUBENTRY_OUTLET,
        "simulated",
        _with(
            {"name": NAMES},
            {
                "role": st.one_of(st.sampled_from(["heater", "skimmer", "sump"]), HOSTILE),
                "boot_delay": numbers(0, 600),
                "watts": numbers(0, 5000),
            },
        ),
    ),
    "kasa": (
        SUBENTRY_OUTLET,
        "kasa",
        _with({"host": HOSTS}, {"port": numbers(1, 65535), "username": NAMES, "password": NAMES}),
    ),
    "shelly": (SUBENTRY_OUTLET, "shelly", _with({"host": HOSTS}, {"port": numbers(1, 65535)})),
}


def _translated(section: dict[str, Any], errors: dict[str, str]) -> None:
    for field, key in errors.items():
        assert key in section["error"], (field, key)


def _snapshot(entry: ConfigEntry) -> Any:
    return dict(entry.data), dict(entry.options), {s: dict(sub.data) for s, sub in entry.subentries.items()}


async def _answer(
    hass: HomeAssistant,
    entry: ConfigEntry,
    configure: Callable[[dict[str, Any]], Awaitable[Any]],
    answers: dict[str, Any],
    section: dict[str, Any],
) -> Any:
    """One step's answer: refused on a field or by the schema (changing nothing), or accepted."""
    before = _snapshot(entry)
    try:
        result = await configure(answers)
    except InvalidData:
        assert _snapshot(entry) == before
        return None
    if result["type"] is FlowResultType.FORM and result.get("errors"):
        _translated(section, result["errors"])
        assert _snapshot(entry) == before, answers
    await hass.async_block_till_done()
    return result


@pytest.mark.parametrize("step", sorted(STEPS))
async def test_generated_subentry_answers(
    hass: HomeAssistant, init_integration: MockConfigEntry, step: str
) -> None:
    """Each subentry step refuses what it cannot use on its field; a saved subentry is one the tank can run."""
    kind, step_id, strategy = STEPS[step]
    section = STRINGS["config_subentries"][kind]

    async def submit(answers: dict[str, Any]) -> None:
        result = await hass.config_entries.subentries.async_init(
            (init_integration.entry_id, kind), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": step_id}
        )
        flow_id = result["flow_id"]
        await _answer(
            hass,
            init_integration,
            lambda data: hass.config_entries.subentries.async_configure(flow_id, data),
            answers,
            section,
        )
        for flow in hass.config_entries.subentries.async_progress():
            hass.config_entries.subentries.async_abort(flow["flow_id"])

    await run_examples(hass, strategy, submit)
    # Everything the door let in is something the controller can run.
    assert init_integration.state is ConfigEntryState.LOADED


async def test_generated_controller_answers(hass: HomeAssistant) -> None:
    """New controllers: refused on a field (nothing created), or created and set up."""
    section = STRINGS["config"]
    strategy = maybe(
        {
            "name": NAMES,
            "location": LOCATIONS,
            "store": st.one_of(st.sampled_from(["embedded", "postgresql"]), HOSTILE),
            "db_url": st.one_of(
                st.sampled_from(["postgresql://reef@127.0.0.1:1/reef", "mysql://x", "x" * 3000, "\x00"]),
                HOSTILE,
            ),
            "retention_days": numbers(1, 3650),
        }
    )

    async def submit(answers: dict[str, Any]) -> None:
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        try:
            result = await hass.config_entries.flow.async_configure(result["flow_id"], answers)
        except InvalidData:
            assert not hass.config_entries.async_entries(DOMAIN)
            return
        if result["type"] is FlowResultType.FORM:
            _translated(section, result["errors"])
            assert not hass.config_entries.async_entries(DOMAIN)
            hass.config_entries.flow.async_abort(result["flow_id"])
            return
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
        await hass.async_block_till_done()
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()

    await run_examples(hass, strategy, submit)


async def test_generated_options_answers(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Settings and a rule's name, condition and limits: refused on a field or saved, never a crash."""
    section = STRINGS["options"]
    probe = next(s for s, sub in init_integration.subentries.items() if sub.subentry_type == SUBENTRY_PROBE)
    strategy = st.tuples(
        maybe(
            {
                "safety_mode_lights": numbers(0, 100),
                "failsafe_minutes": numbers(1, 1440),
                "safety_mode_outlets": st.one_of(
                    st.lists(st.sampled_from(["heater", "sump"]), max_size=2), HOSTILE
                ),
            }
        ),
        maybe(
            {"name": NAMES, "condition": st.one_of(st.sampled_from(["above", "outside", "stale"]), HOSTILE)}
        ),
        maybe(
            {
                "limit": numbers(-100000, 100000),
                "low": numbers(-100000, 100000),
                "high": numbers(-100000, 100000),
                "minutes": numbers(-100000, 100000),
                "hysteresis": numbers(0, 100000),
                "lights_off": st.one_of(st.booleans(), HOSTILE),
                "derate_span": numbers(0.001, 100000),
                "derate_floor": numbers(0, 100),
            }
        ),
    )

    async def submit(parts: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
        settings, rule, details = parts
        result = await hass.config_entries.options.async_init(init_integration.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "settings"}
        )
        await _answer(
            hass,
            init_integration,
            lambda data: hass.config_entries.options.async_configure(result["flow_id"], data),
            settings,
            section,
        )
        result = await hass.config_entries.options.async_init(init_integration.entry_id)
        flow_id = result["flow_id"]
        result = await hass.config_entries.options.async_configure(flow_id, {"next_step_id": "add_rule"})
        step = await _answer(
            hass,
            init_integration,
            lambda data: hass.config_entries.options.async_configure(flow_id, data),
            {"probe": probe, **rule},
            section,
        )
        if step is not None and step.get("step_id") == "rule_details":
            await _answer(
                hass,
                init_integration,
                lambda data: hass.config_entries.options.async_configure(flow_id, data),
                details,
                section,
            )
        for flow in hass.config_entries.options.async_progress():
            hass.config_entries.options.async_abort(flow["flow_id"])

    await run_examples(hass, strategy, submit)
