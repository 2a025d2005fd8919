"""The Reef panel in a real browser against the real server: what it draws, what it saves, what it refuses.

Every check reads what the page shows (the SVG it drew, the text of its cells) and what the server then holds
(over REST), never the panel's own variables.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
import re
from typing import Any

import pytest

from scripts.demo.bootstrap import LAYERS, PROGRAMS, RUNNING_OUTLETS, Client

from .browser import Page, close, devtools_port, launch, login_url, open_page
from .server import REPO, Server, wait_for_entities
from .websocket import Connection

PANEL_PATH = "/reef"
SCREENSHOTS = REPO / "docs" / "screenshots"
WIDTH, HEIGHT = 1280, 960
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
WAIT_SECONDS = 30.0
BOOT_SECONDS = 45.0
EDITED = "light.white"
SCHEDULE = {
    "program": "schedule",
    "interpolation": "linear",
    "points": [
        {"time": "08:00", "level": 0},
        {"time": "11:00", "level": 60},
        {"time": "18:00", "level": 60},
        {"time": "20:00", "level": 0},
    ],
}

# Finds elements through every shadow root: the panel lives several shadow roots deep inside HA's frontend.
DEEP = """
const deepAll = (selector, root = document) => {
  const found = [...root.querySelectorAll(selector)];
  for (const element of root.querySelectorAll("*")) {
    if (element.shadowRoot) found.push(...deepAll(selector, element.shadowRoot));
  }
  return found;
};
const deep = (selector) => deepAll(selector)[0] || null;
const chartOf = (owner) => {
  const host = deep(owner);
  const chart = host && host.shadowRoot.querySelector("reef-day-chart");
  const svg = chart && chart.shadowRoot && chart.shadowRoot.querySelector("svg");
  if (!svg) return null;
  const plot = svg.querySelector("rect.plot");
  const box = svg.getBoundingClientRect();
  return {
    box: {left: box.left, top: box.top},
    plot: ["x", "y", "width", "height"].reduce((all, key) => ({...all, [key]: +plot.getAttribute(key)}), {}),
    curves: Object.fromEntries([...svg.querySelectorAll("path.curve")].map((p) => [p.dataset.series, p.getAttribute("d")])),
    handles: [...svg.querySelectorAll("circle.handle")].map((handle) => {
      const rect = handle.getBoundingClientRect();
      return {x: rect.left + rect.width / 2, y: rect.top + rect.height / 2, text: handle.getAttribute("aria-valuetext")};
    }),
  };
};
"""


def script(body: str) -> str:
    """A page expression with the DEEP helpers in scope."""
    return f"(() => {{ {DEEP}\n{body} }})()"


async def wait_for(page: Page, body: str, ready: Callable[[Any], bool] = bool) -> Any:
    """Evaluate `body` until its value is ready; fail with the last value when it never is."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        value = await page.evaluate(script(body))
        if ready(value):
            return value
        assert asyncio.get_running_loop().time() < deadline, f"never ready: {value}"
        await asyncio.sleep(0.2)


def drawn(chart: dict[str, Any], series: str) -> list[tuple[float, float]]:
    """A curve as it is drawn: its path's points turned back into (minute of the day, percent) by the plot."""
    plot = chart["plot"]
    return [
        (
            (float(x) - plot["x"]) / plot["width"] * 1440,
            (plot["y"] + plot["height"] - float(y)) / plot["height"] * 100,
        )
        for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", chart["curves"][series])
    ]


def page_point(chart: dict[str, Any], minute: float, level: float) -> tuple[float, float]:
    """Where on the page a time of day and a level are on the chart."""
    plot, box = chart["plot"], chart["box"]
    return (
        box["left"] + plot["x"] + minute / 1440 * plot["width"],
        box["top"] + plot["y"] + (1 - level / 100) * plot["height"],
    )


async def mouse(page: Page, kind: str, x: float, y: float, buttons: int = 0) -> None:
    """One mouse event, as a person's hand makes it."""
    pressed = kind in ("mousePressed", "mouseReleased")
    await page.send(
        "Input.dispatchMouseEvent",
        type=kind,
        x=x,
        y=y,
        button="left" if pressed or buttons else "none",
        buttons=buttons,
        clickCount=1 if pressed else 0,
    )


async def click_at(page: Page, x: float, y: float) -> None:
    """Press and release the mouse at a point."""
    await mouse(page, "mouseMoved", x, y)
    await mouse(page, "mousePressed", x, y, 1)
    await mouse(page, "mouseReleased", x, y)


async def drag(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """Press at `start`, move in steps to `end`, release there."""
    await mouse(page, "mouseMoved", *start)
    await mouse(page, "mousePressed", *start, 1)
    for step in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * step / steps
        y = start[1] + (end[1] - start[1]) * step / steps
        await mouse(page, "mouseMoved", x, y, 1)
        await asyncio.sleep(0.02)
    await mouse(page, "mouseReleased", *end)


async def press(page: Page, owner: str, selector: str) -> None:
    """Click a control of the panel (a button, a checkbox) by its selector inside `owner`'s shadow root."""
    found = await page.evaluate(
        script(
            f"const host = deep({owner!r}); const target = host && host.shadowRoot.querySelector({selector!r});"
            "if (!target) return false; target.click(); return true;"
        )
    )
    assert found, f"{selector} is not in {owner}"


async def service(client: Client, name: str, **data: Any) -> None:
    """Call one of the integration's services over REST."""
    await client.call("POST", f"/api/services/bellas_reef/{name}", data)


async def saved_plan(client: Client, server: Server, name: str) -> dict[str, Any]:
    """A channel's plan as the server holds it, read back over REST (the controller's diagnostics)."""
    diagnostics = await client.call("GET", f"/api/diagnostics/config_entry/{server.entry_id}")
    channel = next(channel for channel in diagnostics["data"]["channels"] if channel["name"] == name)
    plan: dict[str, Any] = channel["plan"]
    return plan


async def preview(client: Client, entity_id: str) -> list[dict[str, Any]]:
    """Today's curve of a channel from the preview service, five minutes a point as the panel draws it."""
    reply = await client.call(
        "POST",
        "/api/services/bellas_reef/preview?return_response",
        {"entity_id": entity_id, "step_minutes": 5},
    )
    points: list[dict[str, Any]] = reply["service_response"][entity_id]["points"]
    return points


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[int]:
    """A headless Chromium; yields its DevTools port."""
    profile = tmp_path / "profile"
    profile.mkdir()
    process = launch(profile, WIDTH, HEIGHT)
    try:
        yield devtools_port(profile, process)
    finally:
        close(process)


type OpenPanel = Callable[..., Awaitable[Page]]


@pytest.fixture
async def panel(client: Client, browser: int) -> AsyncIterator[OpenPanel]:
    """Opens the panel, logged in as the demo's owner, once its tank view has drawn every channel's day."""
    async with open_page(client.session, browser) as page:

        async def open_panel(*, dark: bool = False, phone: bool = False) -> Page:
            media = [{"name": "prefers-reduced-motion", "value": "reduce"}]
            media.append({"name": "prefers-color-scheme", "value": "dark" if dark else "light"})
            await page.send("Emulation.setEmulatedMedia", features=media)
            await page.send(
                "Emulation.setDeviceMetricsOverride",
                width=PHONE_WIDTH if phone else WIDTH,
                height=PHONE_HEIGHT if phone else HEIGHT,
                deviceScaleFactor=2 if phone else 1,
                mobile=phone,
            )
            await page.send("Page.navigate", url=await login_url(client, PANEL_PATH))
            channels = len(await tank_channels(client))
            await wait_for(
                page,
                'const chart = chartOf("reef-tank-view"); return chart && Object.keys(chart.curves).length;',
                lambda count: count == channels,
            )
            return page

        yield open_panel


async def tank_channels(client: Client) -> list[str]:
    """The demo tank's lights."""
    return [
        state["entity_id"]
        for state in await client.call("GET", "/api/states")
        if state["entity_id"].startswith("light.") and "role" in state["attributes"]
    ]


@pytest.fixture
async def white_on_a_schedule(client: Client, home_assistant: Server) -> AsyncIterator[None]:
    """The white channel on a known schedule with no layers; its demo plan comes back afterwards."""
    before = await saved_plan(client, home_assistant, "White")
    await service(client, "set_program", entity_id=EDITED, **SCHEDULE)
    await service(client, "set_layers", entity_id=EDITED)
    yield
    await restore(client, EDITED, before)


async def restore(client: Client, entity_id: str, plan: dict[str, Any]) -> None:
    """Put back a program and layers saved before a test, through the services."""
    from custom_components.bellas_reef.panel import layers_to_service, program_to_service

    await service(client, "set_program", entity_id=entity_id, **program_to_service(plan["program"]))
    await service(client, "set_layers", entity_id=entity_id, **layers_to_service(plan["layers"]))


async def open_editor(page: Page, entity_id: str) -> dict[str, Any]:
    """Edit a channel from the tank view; the editor's chart once it shows the unsaved plan."""
    await press(page, "reef-tank-view", f'tr[data-entity="{entity_id}"] button.edit')
    chart: dict[str, Any] = await wait_for(
        page,
        'return chartOf("reef-program-editor");',
        lambda chart: bool(chart and chart["curves"]),
    )
    return chart


async def test_the_demo_starts_with_real_programs_and_raises_no_repair(
    client: Client, websocket: Connection
) -> None:
    for entity_id, program in PROGRAMS.items():
        attributes = (await client.call("GET", f"/api/states/{entity_id}"))["attributes"]
        assert attributes["program"] == program["program"], entity_id
        expected_layers = {key.split("_")[0] for key in LAYERS.get(entity_id, {})}
        assert set(attributes["layers"]) == expected_layers, entity_id
    for entity_id, program in PROGRAMS.items():
        if program["program"] != "daylight":
            continue
        reply = await client.call(
            "POST",
            "/api/services/bellas_reef/preview?return_response",
            {"entity_id": entity_id, "date": "2030-06-21", "step_minutes": 10},
        )
        levels = [point["level"] for point in reply["service_response"][entity_id]["points"]]
        assert 0 < max(levels) < 100, entity_id
        assert levels[0] == levels[-1] == 0, "dark at midnight in June"
    # Each outlet comes on after its boot delay (the skimmer's is 20 s), counted from the controller's last setup.
    deadline = asyncio.get_running_loop().time() + BOOT_SECONDS
    while (states := [(await client.call("GET", f"/api/states/{e}"))["state"] for e in RUNNING_OUTLETS]) != [
        "on"
    ] * len(RUNNING_OUTLETS):
        assert asyncio.get_running_loop().time() < deadline, dict(zip(RUNNING_OUTLETS, states, strict=True))
        await asyncio.sleep(0.5)

    issues = (await websocket.command("repairs/list_issues"))["issues"]
    # Home Assistant's notice that a Core (virtualenv) installation is deprecated is about how this machine runs
    # it, not about the demo's configuration.
    assert [
        (issue["domain"], issue["issue_id"])
        for issue in issues
        if issue["domain"] != "bellas_reef" and issue["issue_id"] != "deprecated_method"
    ] == []


async def test_the_tank_view_draws_each_channels_day_as_the_preview_service_gives_it(
    client: Client, panel: OpenPanel
) -> None:
    page = await panel()
    chart = await page.evaluate(script('return chartOf("reef-tank-view");'))

    assert set(chart["curves"]) == set(await tank_channels(client))
    for entity_id in chart["curves"]:
        expected = await preview(client, entity_id)
        points = drawn(chart, entity_id)
        assert len(points) == len(expected) == 288, entity_id
        start = datetime.fromisoformat(expected[0]["time"])
        for (minute, level), want in zip(points, expected, strict=True):
            want_minute = (datetime.fromisoformat(want["time"]) - start).total_seconds() / 60
            assert minute == pytest.approx(want_minute, abs=0.05), entity_id
            assert level == pytest.approx(want["level"], abs=0.05), (entity_id, want)


@pytest.mark.usefixtures("white_on_a_schedule")
async def test_a_plan_changed_elsewhere_is_redrawn(client: Client, panel: OpenPanel) -> None:
    page = await panel()
    await service(client, "set_program", entity_id=EDITED, program="static", level=33)
    await wait_for(
        page,
        'return chartOf("reef-tank-view");',
        lambda chart: all(abs(level - 33) < 0.05 for _, level in drawn(chart, EDITED)),
    )


@pytest.mark.usefixtures("white_on_a_schedule")
async def test_dragging_a_point_and_saving_changes_the_program_and_its_copies(
    client: Client, home_assistant: Server, panel: OpenPanel
) -> None:
    page = await panel()
    chart = await open_editor(page, EDITED)
    assert [handle["text"] for handle in chart["handles"]] == [
        "08:00, 0 %",
        "11:00, 60 %",
        "18:00, 60 %",
        "20:00, 0 %",
    ]

    second = chart["handles"][1]
    await drag(page, (second["x"], second["y"]), page_point(chart, 12 * 60 + 30, 45))
    # The curve follows the edit before anything is saved: the preview of the unsaved plan passes 12:30 at 45 %.
    chart = await wait_for(
        page,
        'return chartOf("reef-program-editor");',
        lambda chart: any(
            abs(minute - 750) < 0.1 and abs(level - 45) < 0.1 for minute, level in drawn(chart, EDITED)
        ),
    )
    assert chart["handles"][1]["text"] == "12:30, 45 %"
    assert (await saved_plan(client, home_assistant, "White"))["program"]["points"][1] == {
        "time": "11:00",
        "level": 0.6,
    }, "nothing is applied before Save"

    blue_before = await saved_plan(client, home_assistant, "Blue")
    await press(page, "reef-program-editor", 'input.copy[value="light.blue"]')
    try:
        await press(page, "reef-program-editor", "button.save")
        await wait_for(page, 'return !!deep("reef-tank-view");')

        program = (await saved_plan(client, home_assistant, "White"))["program"]
        assert program["points"] == [
            {"time": "08:00", "level": 0.0},
            {"time": "12:30", "level": 0.45},
            {"time": "18:00", "level": 0.6},
            {"time": "20:00", "level": 0.0},
        ]
        assert (await saved_plan(client, home_assistant, "Blue"))["program"] == program, "copied on Save"
    finally:
        await restore(client, "light.blue", blue_before)


@pytest.mark.usefixtures("white_on_a_schedule")
async def test_a_point_is_added_by_a_click_and_removed_by_its_key(
    client: Client, home_assistant: Server, panel: OpenPanel
) -> None:
    page = await panel()
    chart = await open_editor(page, EDITED)

    await click_at(page, *page_point(chart, 14 * 60, 35))
    chart = await wait_for(page, 'return chartOf("reef-program-editor");', lambda c: len(c["handles"]) == 5)
    assert chart["handles"][2]["text"] == "14:00, 35 %"
    await press(page, "reef-program-editor", "button.save")
    await wait_for(page, 'return !!deep("reef-tank-view");')
    points = (await saved_plan(client, home_assistant, "White"))["program"]["points"]
    assert {"time": "14:00", "level": 0.35} in points
    assert len(points) == 5

    chart = await open_editor(page, EDITED)
    added = chart["handles"][2]
    await click_at(page, added["x"], added["y"])
    await page.send(
        "Input.dispatchKeyEvent", type="keyDown", key="Delete", code="Delete", windowsVirtualKeyCode=46
    )
    await page.send(
        "Input.dispatchKeyEvent", type="keyUp", key="Delete", code="Delete", windowsVirtualKeyCode=46
    )
    chart = await wait_for(page, 'return chartOf("reef-program-editor");', lambda c: len(c["handles"]) == 4)
    assert "14:00, 35 %" not in [handle["text"] for handle in chart["handles"]]
    await press(page, "reef-program-editor", "button.save")
    await wait_for(page, 'return !!deep("reef-tank-view");')
    points = (await saved_plan(client, home_assistant, "White"))["program"]["points"]
    assert [point["time"] for point in points] == ["08:00", "11:00", "18:00", "20:00"]


@pytest.mark.usefixtures("white_on_a_schedule")
async def test_daylight_by_its_fields_previews_live_and_cancel_leaves_the_channel(
    client: Client, home_assistant: Server, panel: OpenPanel
) -> None:
    before = await saved_plan(client, home_assistant, "White")
    page = await panel()
    await open_editor(page, EDITED)
    await page.evaluate(
        script(
            'const root = deep("reef-program-editor").shadowRoot;'
            'const program = root.querySelector("select.program");'
            'program.value = "daylight"; program.dispatchEvent(new Event("change"));'
        )
    )
    await wait_for(page, 'return !!deep("reef-program-editor").shadowRoot.querySelector("input[name=peak]");')
    await page.evaluate(
        script(
            'const peak = deep("reef-program-editor").shadowRoot.querySelector("input[name=peak]");'
            'peak.value = "42"; peak.dispatchEvent(new Event("input"));'
        )
    )
    # The curve is the day this unsaved daylight program would give: the sun's, peaking at 42 %.
    await wait_for(
        page,
        'return chartOf("reef-program-editor");',
        lambda chart: abs(max(level for _, level in drawn(chart, EDITED)) - 42) < 0.5,
    )
    await press(page, "reef-program-editor", "button.cancel")
    await wait_for(page, 'return !!deep("reef-tank-view");')
    assert await saved_plan(client, home_assistant, "White") == before


@pytest.mark.usefixtures("white_on_a_schedule")
async def test_a_bad_value_shows_the_services_error_and_changes_nothing(
    client: Client, home_assistant: Server, panel: OpenPanel
) -> None:
    before = await saved_plan(client, home_assistant, "White")
    page = await panel()
    await open_editor(page, EDITED)

    typed = await page.evaluate(
        script(
            'const editor = deep("reef-program-editor");'
            'const input = editor.shadowRoot.querySelectorAll("table.points input.level")[1];'
            'input.value = "150"; input.dispatchEvent(new Event("input", {bubbles: true})); return true;'
        )
    )
    assert typed
    shown = await wait_for(
        page,
        'const error = deep("reef-program-editor").shadowRoot.querySelector(".error"); return error && error.textContent;',
    )
    bad = {**SCHEDULE, "points": [*SCHEDULE["points"]]}
    bad["points"][1] = {"time": "11:00", "level": 150}
    headers = {"Authorization": f"Bearer {client.token}"}
    async with client.session.post(
        f"{client.base}/api/services/bellas_reef/set_program",
        json={"entity_id": EDITED, **bad},
        headers=headers,
    ) as response:
        assert response.status == 400
        refused = (await response.json())["message"]
    assert "150" in shown
    assert shown.strip() in refused or refused in shown, (shown, refused)

    await press(page, "reef-program-editor", "button.save")
    await wait_for(
        page,
        'return deep("reef-program-editor").shadowRoot.querySelector(".error").textContent;',
        lambda text: "150" in text,
    )
    assert await saved_plan(client, home_assistant, "White") == before


async def test_live_levels_move_while_a_storm_runs(
    client: Client, home_assistant: Server, panel: OpenPanel
) -> None:
    channel = "light.uv"
    before = await saved_plan(client, home_assistant, "UV")
    await service(client, "set_program", entity_id=channel, program="static", level=60)
    await service(
        client, "start_effect", entity_id=channel, effect="storm", strength=100, duration=60, seed=7
    )
    try:
        page = await panel()
        seen = set()
        for _ in range(24):
            text = await page.evaluate(
                script(
                    f'const cell = deep("td.live[data-entity=\\"{channel}\\"]"); return cell && cell.textContent;'
                )
            )
            seen.add(text)
            await asyncio.sleep(0.25)
        assert len(seen) >= 3, seen

        await press(page, "reef-tank-view", "button.stop-effects")
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        while (await client.call("GET", f"/api/states/{channel}"))["attributes"].get("effect") != "off":
            assert asyncio.get_running_loop().time() < deadline, "the storm never stopped"
            await asyncio.sleep(0.2)
    finally:
        await service(client, "stop_effect", entity_id=channel)
        await restore(client, channel, before)


async def test_add_a_board_creates_a_channel_per_row_through_the_channel_flow(
    client: Client, home_assistant: Server, websocket: Connection, panel: OpenPanel
) -> None:
    before = {sub["subentry_id"] for sub in await subentries(websocket, home_assistant)}
    page = await panel()
    await press(page, "reef-tank-view", "button.add-board")
    await wait_for(
        page,
        'return !!(deep("reef-add-board") && deep("reef-add-board").shadowRoot.querySelector("table tbody tr"));',
    )
    filled = await page.evaluate(
        script(
            'const root = deep("reef-add-board").shadowRoot;'
            'const set = (element, value) => { element.value = value; element.dispatchEvent(new Event("change")); };'
            'set(root.querySelector("select[name=driver]"), "simulated");'
            'set(root.querySelector("input[name=address]"), "65");'
            'const rows = [...root.querySelectorAll("tbody tr")];'
            "rows.slice(2).forEach((row) => { const box = row.querySelector('input[type=checkbox]');"
            "  if (box.checked) box.click(); });"
            'const second = rows[1].querySelectorAll("input[type=number]");'
            'set(second[0], "50"); set(second[1], "40");'
            "return rows.length;"
        )
    )
    assert filled == 16, "a new board offers all its outputs"
    await press(page, "reef-add-board", "button.primary")
    status = await wait_for(
        page,
        'return [...deep("reef-add-board").shadowRoot.querySelectorAll(".status li")].map((li) => li.textContent);',
        lambda lines: len(lines) == 2,
    )
    try:
        assert status[0] == "Board 41h 1: added"
        assert status[1] == "Board 41h 2: The minimum output must be below the maximum output."
        added = [
            sub for sub in await subentries(websocket, home_assistant) if sub["subentry_id"] not in before
        ]
        assert [(sub["title"], sub["subentry_type"]) for sub in added] == [("Board 41h 1", "channel")]
        await wait_for_entities(client, {"light.board_41h_1"})
    finally:
        for sub in await subentries(websocket, home_assistant):
            if sub["subentry_id"] not in before:
                await websocket.command(
                    "config_entries/subentries/delete",
                    entry_id=home_assistant.entry_id,
                    subentry_id=sub["subentry_id"],
                )
        await wait_for_entities(client, set(home_assistant.lights))


async def subentries(websocket: Connection, server: Server) -> list[dict[str, Any]]:
    """The demo controller's subentries."""
    found: list[dict[str, Any]] = await websocket.command(
        "config_entries/subentries/list", entry_id=server.entry_id
    )
    return found


async def test_an_outlet_program_is_saved_from_the_panel(client: Client, panel: OpenPanel) -> None:
    outlet = "switch.wave_maker"
    page = await panel()
    await press(page, "reef-tank-view", f'tr[data-entity="{outlet}"] button')
    await wait_for(
        page,
        'return !!(deep("reef-outlet-editor") && deep("reef-outlet-editor").shadowRoot.querySelector("h2"));',
    )
    await page.evaluate(
        script(
            'const root = deep("reef-outlet-editor").shadowRoot;'
            '[...root.querySelectorAll("button")].find((b) => b.textContent.trim() === "Add a window").click();'
        )
    )
    await wait_for(
        page, 'return deep("reef-outlet-editor").shadowRoot.querySelectorAll("input[type=time]").length;'
    )
    await page.evaluate(
        script(
            'const root = deep("reef-outlet-editor").shadowRoot;'
            'const set = (element, value) => { element.value = value; element.dispatchEvent(new Event("change")); };'
            'const [on, off] = root.querySelectorAll("input[type=time]"); set(on, "09:00"); set(off, "21:00");'
            'const [cycleOn, cycleOff] = root.querySelectorAll("input[type=number]");'
            'cycleOn.value = "20"; cycleOn.dispatchEvent(new Event("input"));'
            'cycleOff.value = "40"; cycleOff.dispatchEvent(new Event("input"));'
        )
    )
    try:
        await press(page, "reef-outlet-editor", "button.primary")
        outcome = await wait_for(
            page,
            'if (deep("reef-tank-view")) return "saved";'
            'const error = deep("reef-outlet-editor").shadowRoot.querySelector(".error");'
            "return error && error.textContent;",
        )
        assert outcome == "saved"
        program = (await client.call("GET", f"/api/states/{outlet}"))["attributes"]["program"]
        assert program == {
            "windows": [{"on": "09:00:00", "off": "21:00:00"}],
            "cycle_on_seconds": 20,
            "cycle_off_seconds": 40,
        }
    finally:
        await client.call("POST", "/api/services/bellas_reef/set_outlet_program", {"entity_id": outlet})


@pytest.mark.usefixtures("white_on_a_schedule")
async def test_screenshots_at_phone_width_and_in_dark_theme(
    client: Client, home_assistant: Server, panel: OpenPanel
) -> None:
    # The tank as its programs run it, without the overrides other tests left behind.
    await service(client, "resume", entity_id=list(home_assistant.lights))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, dark, phone in (("panel", False, False), ("panel-phone-dark", True, True)):
        page = await panel(dark=dark, phone=phone)
        await asyncio.sleep(1.0)
        (SCREENSHOTS / f"{name}.png").write_bytes(await page.screenshot())
    page = await panel(dark=True, phone=False)
    await open_editor(page, EDITED)
    await asyncio.sleep(1.0)
    (SCREENSHOTS / "editor-dark.png").write_bytes(await page.screenshot())
    page = await panel(dark=True, phone=True)
    await open_editor(page, EDITED)
    await asyncio.sleep(1.0)
    (SCREENSHOTS / "editor-phone-dark.png").write_bytes(await page.screenshot())
