"""Automations written in YAML (automations.yaml) react to the integration's entities in a real server.

Adding a case: write the automation into automations.yaml, then add a Case saying which service calls set it off
and what must follow (a state of one of our entities, or an event). A safety rule's event and problem sensor
drive automations in test_a_safety_rule_sets_off_automations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from scripts.demo.bootstrap import Client

from .server import Server
from .websocket import Connection


@dataclass(frozen=True, slots=True)
class Call:
    """A service call the test makes."""

    domain: str
    service: str
    entity_id: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Case:
    """One automation, what the test does to set it off, and what the automation must then do."""

    automation: str
    stimulus: tuple[Call, ...]
    # Either an attribute value one of our entities must reach...
    entity_id: str = ""
    attribute: str = ""
    value: Any = None
    # ...or an event the automation must fire, with at least this data.
    event_type: str = ""
    event_data: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        automation="automation.uv_joins_a_bright_violet",
        # UV starts dark; violet crosses brightness 127 from below, so the numeric_state trigger fires.
        stimulus=(
            Call("bellas_reef", "override", "light.uv", {"level": 0}),
            Call("light", "turn_off", "light.violet"),
            Call("light", "turn_on", "light.violet", {"brightness": 200}),
        ),
        entity_id="light.uv",
        attribute="brightness",
        value=round(0.30 * 255),
    ),
    Case(
        automation="automation.tell_when_the_violet_goes_dark",
        stimulus=(
            Call("light", "turn_on", "light.violet", {"brightness": 100}),
            Call("light", "turn_off", "light.violet"),
        ),
        event_type="bellas_reef_e2e_violet_dark",
        event_data={"entity_id": "light.violet", "was": 100},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.automation for case in CASES])
async def test_automation_acts(client: Client, websocket: Connection, case: Case) -> None:
    automation = await client.call("GET", f"/api/states/{case.automation}")
    assert automation["state"] == "on"
    if case.event_type:
        subscription = await websocket.subscribe("subscribe_events", event_type=case.event_type)
    else:
        subscription = await websocket.subscribe("subscribe_events", event_type="state_changed")

    for call in case.stimulus:
        await client.call(
            "POST", f"/api/services/{call.domain}/{call.service}", {"entity_id": call.entity_id, **call.data}
        )

    if case.event_type:
        event = await websocket.event(subscription, lambda _event: True)
        assert event["data"].items() >= case.event_data.items()
    else:
        await websocket.event(
            subscription,
            lambda event: (
                event["data"]["entity_id"] == case.entity_id
                and event["data"]["new_state"]["attributes"].get(case.attribute) == case.value
            ),
        )
    triggered = await client.call("GET", f"/api/states/{case.automation}")
    assert triggered["attributes"]["last_triggered"] != automation["attributes"]["last_triggered"]


async def test_a_safety_rule_sets_off_automations(
    client: Client, websocket: Connection, home_assistant: Server
) -> None:
    """A rule added through the options flow raises its problem sensor and its event, which drives automations.

    One automation passes any raised alert on as an event of its own, the other lights the moonlight for this rule.
    """
    alerts = await websocket.subscribe("subscribe_events", event_type="bellas_reef_e2e_alert_seen")
    subentries = await websocket.command("config_entries/subentries/list", entry_id=home_assistant.entry_id)
    thermometer = next(sub["subentry_id"] for sub in subentries if sub["title"] == "Water temperature")
    flows = "/api/config/config_entries/options/flow"
    details = {"hysteresis": 0, "lights_off": False, "notify": False, "safety_mode": False, "derate_floor": 0}
    rule = {"name": "Water warmer than 20", "probe": thermometer, "condition": "above"}

    async def options(*steps: dict[str, Any]) -> None:
        result = await client.call("POST", flows, {"handler": home_assistant.entry_id})
        for step in steps:
            result = await client.call("POST", f"{flows}/{result['flow_id']}", step)
        assert result["type"] == "create_entry", result

    # First a limit the water is below, so the rule's sensor exists and is off...
    await options({"next_step_id": "add_rule"}, rule, details | {"limit": 40})
    states = await websocket.subscribe("subscribe_events", event_type="state_changed")
    await websocket.event(
        states,
        lambda e: (
            e["data"]["entity_id"] == "binary_sensor.demo_reef_water_warmer_than_20"
            and (e["data"]["new_state"] or {}).get("state") == "off"
        ),
    )
    # ...then one it is above: the rule raises, and both automations act.
    await options(
        {"next_step_id": "edit_rule"}, {"rule": "water_warmer_than_20"}, rule, details | {"limit": 20}
    )
    event = await websocket.event(alerts, lambda _event: True)
    assert event["data"] == {"rule": "Water warmer than 20", "controller": "Demo reef"}
    moonlight = await client.call("GET", "/api/states/light.moonlight")
    if moonlight["attributes"].get("brightness") != round(0.05 * 255):
        await websocket.event(
            states,
            lambda e: (
                e["data"]["entity_id"] == "light.moonlight"
                and e["data"]["new_state"]["attributes"].get("brightness") == round(0.05 * 255)
            ),
        )
    rule = await client.call("GET", "/api/states/binary_sensor.demo_reef_water_warmer_than_20")
    assert rule["state"] == "on"
    assert rule["attributes"]["device_class"] == "problem"
