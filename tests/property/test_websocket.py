"""Generated WebSocket commands: an answer for each, with a proper code, a translation, and nothing changed."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.bellas_reef.const import DOMAIN

from .hostile import EXCEPTIONS, HOSTILE, maybe, numbers, run_examples


def _is_json(message: dict[str, Any]) -> bool:
    """What a client can send at all: JSON has no NaN or infinity, and text must encode as UTF-8."""
    try:
        json.dumps(message, allow_nan=False).encode()
    except ValueError:
        return False
    return True


ENTITIES = st.one_of(
    st.sampled_from(
        ["sensor.water_temperature", "sensor.ph", "light.white", "light.nothing", "sensor.outside"]
    ),
    HOSTILE,
)
DATETIMES = st.one_of(st.datetimes().map(str), st.datetimes().map(lambda d: d.isoformat()), HOSTILE)
COMMANDS: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.tuples(
        st.fixed_dictionaries(
            {"type": st.just(f"{DOMAIN}/readings"), "entity_id": ENTITIES, "start": DATETIMES}
        ),
        maybe({"end": DATETIMES, "buckets": numbers(1, 2000)}),
    ).map(lambda parts: parts[0] | parts[1]),
    st.tuples(
        st.fixed_dictionaries({"type": st.just(f"{DOMAIN}/preview"), "entity_id": ENTITIES}),
        maybe({"date": st.one_of(st.dates().map(str), HOSTILE), "step_minutes": numbers(1, 1440)}),
    ).map(lambda parts: parts[0] | parts[1]),
    # A message missing what the command needs, or with a field it does not have.
    st.fixed_dictionaries({"type": st.just(f"{DOMAIN}/subscribe_outputs")}, optional={"entry_id": HOSTILE}),
    st.fixed_dictionaries({"type": st.just(f"{DOMAIN}/readings")}, optional={"start": DATETIMES}),
    st.fixed_dictionaries({"type": st.just(f"{DOMAIN}/preview"), "entity_id": ENTITIES, "colour": HOSTILE}),
).filter(_is_json)


async def test_generated_commands(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """invalid_format only for a malformed message; a refused value is translated; never a crash of ours."""
    hass.states.async_set("sensor.outside", "3")
    client = await hass_ws_client(hass)
    plans = {sid: ch.plan.to_dict() for sid, ch in init_integration.runtime_data.lighting.channels.items()}

    async def send(message: dict[str, Any]) -> None:
        await client.send_json_auto_id(message)
        reply = await client.receive_json()
        while reply["type"] != "result":  # events of an output subscription an earlier example opened
            reply = await client.receive_json()
        if reply["success"]:
            return
        error = reply["error"]
        assert error["code"] in ("invalid_format", "service_validation_error", "not_found"), (message, error)
        if error["code"] != "invalid_format":
            assert error["translation_key"] in EXCEPTIONS, error
            assert error["translation_domain"] == DOMAIN
            assert len(error["message"]) < 400, error

    await run_examples(hass, COMMANDS, send)
    assert {
        sid: ch.plan.to_dict() for sid, ch in init_integration.runtime_data.lighting.channels.items()
    } == plans
