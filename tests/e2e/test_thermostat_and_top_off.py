"""A water thermostat and an auto top-off added to the demo tank over REST, and driven as any client would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from scripts.demo.bootstrap import Client

from .server import Server, wait_for_entities

OPTIONS = "/api/config/config_entries/options/flow"
SUBENTRIES = "/api/config/config_entries/subentries/flow"
FLOAT = "binary_sensor.sump_float"
PUMP = "switch.top_off"
WAIT_SECONDS = 30.0


async def options(client: Client, entry_id: str, *steps: dict[str, Any]) -> dict[str, Any]:
    """Run the controller's options flow through `steps`; the form of the last step shown is returned if any."""
    result = await client.call("POST", OPTIONS, {"handler": entry_id})
    for step in steps:
        result = await client.call("POST", f"{OPTIONS}/{result['flow_id']}", step)
    return dict(result)


async def until(client: Client, entity_id: str, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The entity's state once `wanted` holds for it; a failure naming the last state after WAIT_SECONDS."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        found: dict[str, Any] = await client.call("GET", f"/api/states/{entity_id}")
        if wanted(found):
            return found
        assert asyncio.get_running_loop().time() < deadline, f"{entity_id} stayed {found}"
        await asyncio.sleep(0.2)


def is_(state: str) -> Callable[[dict[str, Any]], bool]:
    return lambda found: found["state"] == state


async def test_a_thermostat_switches_the_heater(client: Client, home_assistant: Server) -> None:
    """Added in the options, the climate entity heats to a target above the water and stops when turned off."""
    form = await options(client, home_assistant.entry_id, {"next_step_id": "thermostat"})
    probe = form["data_schema"][1]["selector"]["select"]["options"][0]["value"]
    result = await options(
        client,
        home_assistant.entry_id,
        {"next_step_id": "thermostat"},
        {
            "enabled": True,
            "probe": probe,
            "hysteresis": 0.2,
            "min_on": 0,
            "min_off": 0,
            "watch_minutes": 30,
            "watch_rise": 0.3,
            "stuck_safety_mode": False,
        },
    )
    assert result["type"] == "create_entry", result
    climate = "climate.demo_reef_water_thermostat"
    await wait_for_entities(client, {climate, "switch.heater"})

    await client.call(
        "POST",
        "/api/services/climate/set_temperature",
        {"entity_id": climate, "temperature": 34, "hvac_mode": "heat"},
    )
    heater = await until(client, "switch.heater", is_("on"))
    assert heater["attributes"]["held_by"] == "thermostat"
    assert (await until(client, climate, lambda s: s["attributes"]["hvac_action"] == "heating"))[
        "state"
    ] == "heat"

    await client.call(
        "POST", "/api/services/climate/set_hvac_mode", {"entity_id": climate, "hvac_mode": "off"}
    )
    await until(client, "switch.heater", is_("off"))


async def test_a_top_off_fills_to_the_float_locks_out_and_resets(
    client: Client, home_assistant: Server
) -> None:
    """A top-off pump and a float added over REST: it fills while the float is low, locks out, and resets."""
    await client.call("POST", f"/api/states/{FLOAT}", {"state": "off"})
    result = await client.call("POST", SUBENTRIES, {"handler": [home_assistant.entry_id, "outlet"]})
    for step in ({"next_step_id": "simulated"}, {"name": "Top-off", "role": "ato", "boot_delay": 0}):
        result = await client.call("POST", f"{SUBENTRIES}/{result['flow_id']}", step)
    assert result["type"] == "create_entry", result
    await wait_for_entities(client, {PUMP})
    ato = {
        "enabled": True,
        "level_sensor": FLOAT,
        "low_when": "on",
        "empty_when": "on",
        "debounce": 0,
        "max_fill": 5,
        "max_fills_per_day": 50,
        "max_run_per_day": 10,
    }
    result = await options(client, home_assistant.entry_id, {"next_step_id": "ato"}, ato)
    assert result["type"] == "create_entry", result
    enabled = "switch.demo_reef_auto_top_off"
    await wait_for_entities(client, {enabled, "sensor.demo_reef_top_off_status"})

    await client.call("POST", f"/api/states/{FLOAT}", {"state": "on"})
    pump = await until(client, PUMP, is_("on"))
    assert pump["attributes"]["held_by"] == "ato"
    await client.call("POST", f"/api/states/{FLOAT}", {"state": "off"})
    await until(client, PUMP, is_("off"))
    assert (await until(client, "sensor.demo_reef_top_off_fills_today", is_("1")))["state"] == "1"

    # The float stays low past the longest fill: the top-off locks itself out and leaves the pump off.
    await client.call("POST", f"/api/states/{FLOAT}", {"state": "on"})
    await until(client, PUMP, is_("on"))
    await until(client, "binary_sensor.demo_reef_top_off_locked_out", is_("on"))
    await until(client, PUMP, is_("off"))
    assert (await client.call("GET", "/api/states/sensor.demo_reef_top_off_status"))["state"] == "locked_out"

    await client.call("POST", f"/api/states/{FLOAT}", {"state": "off"})
    await client.call(
        "POST", "/api/services/button/press", {"entity_id": "button.demo_reef_reset_top_off_lockout"}
    )
    await until(client, "binary_sensor.demo_reef_top_off_locked_out", is_("off"))
    await until(client, "sensor.demo_reef_top_off_status", is_("full"))
