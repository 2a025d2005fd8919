"""The demo dashboard in a real browser, logged in to the real server: every card renders, and a screenshot."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from homeassistant.util.yaml import load_yaml_dict
import pytest

from scripts.demo.bootstrap import Client

from .browser import Page, close, devtools_port, launch, login_url, open_page
from .server import DEMO_CONFIG, REPO

DASHBOARD = DEMO_CONFIG / "dashboards" / "reef.yaml"
DASHBOARD_PATH = "/reef-tank/tank"
SCREENSHOT = REPO / "docs" / "screenshots" / "dashboard.png"
WIDTH, HEIGHT = 1600, 1000
RENDER_SECONDS = 30.0
# The tank as it could look in the afternoon (violet stays below the automation test's threshold).
SCENE = {
    "light.royal_blue": 85,
    "light.blue": 70,
    "light.white": 45,
    "light.violet": 40,
    "light.uv": 30,
    "light.moonlight": 0,
}
CARD_ELEMENTS = {
    "tile": "hui-tile-card",
    "gauge": "hui-gauge-card",
    "history-graph": "hui-history-graph-card",
    "entities": "hui-entities-card",
    "heading": "hui-heading-card",
}
# What the page shows, looking into every shadow root: how many of each element, whether each chart is drawn,
# and the text of each tile card.
PROBE = """
(() => {
  const within = (root) => {
    const found = [];
    for (const element of root.querySelectorAll("*")) {
      found.push(element);
      if (element.shadowRoot) found.push(...within(element.shadowRoot));
    }
    return found;
  };
  const text = (node) =>
    node.nodeType === Node.TEXT_NODE
      ? node.textContent
      : [...(node.shadowRoot ? [node.shadowRoot] : []), ...node.childNodes].map(text).join(" ");
  const all = within(document);
  const counts = {};
  for (const element of all) counts[element.localName] = (counts[element.localName] || 0) + 1;
  const charts = all.filter((element) => element.localName === "ha-chart-base");
  const drawn = charts.filter((chart) =>
    within(chart.shadowRoot || chart).some(
      (element) => ["canvas", "svg"].includes(element.localName) && element.getBoundingClientRect().width > 100
    )
  );
  const tiles = all
    .filter((element) => element.localName === "hui-tile-card")
    .map((tile) => text(tile).replace(/\\s+/g, " ").trim());
  return {counts, charts: charts.length, drawn: drawn.length, tiles, path: location.pathname};
})()
"""


def tile_entities() -> list[str]:
    """The entities the dashboard shows on tile cards."""
    view = load_yaml_dict(DASHBOARD)["views"][0]
    return [
        card["entity"] for section in view["sections"] for card in section["cards"] if card["type"] == "tile"
    ]


def expected_cards() -> dict[str, int]:
    """How many cards of each element the dashboard file asks for."""
    view = load_yaml_dict(DASHBOARD)["views"][0]
    counts: dict[str, int] = {}
    for section in view["sections"]:
        for card in section["cards"]:
            element = CARD_ELEMENTS[card["type"]]
            counts[element] = counts.get(element, 0) + 1
    return counts


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[int]:
    """A headless Chromium; yields its DevTools port."""
    profile = tmp_path / "profile"
    profile.mkdir()
    process = launch(profile, WIDTH, HEIGHT)
    try:
        yield devtools_port(profile, process)
    finally:
        close(process)


async def test_dashboard_renders_every_card(client: Client, chromium: int) -> None:
    for entity_id, level in SCENE.items():
        await client.call(
            "POST", "/api/services/bellas_reef/override", {"entity_id": entity_id, "level": level}
        )
    expected = expected_cards()

    async with open_page(client.session, chromium) as page:
        await page.send(
            "Emulation.setEmulatedMedia", features=[{"name": "prefers-reduced-motion", "value": "reduce"}]
        )
        await page.send("Page.navigate", url=await login_url(client, DASHBOARD_PATH))
        seen = await rendered(page, expected)
        height = await page.evaluate("document.documentElement.scrollHeight")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        screenshot = await settled_screenshot(page)

    assert seen["path"] == DASHBOARD_PATH
    for element, count in expected.items():
        assert seen["counts"].get(element) == count, element
    for entity_id in tile_entities():
        attributes = (await client.call("GET", f"/api/states/{entity_id}"))["attributes"]
        assert any(tile_shows(tile, entity_id, attributes) for tile in seen["tiles"]), (
            entity_id,
            seen["tiles"],
        )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(screenshot)


def tile_shows(tile: str, entity_id: str, attributes: dict[str, Any]) -> bool:
    """Whether a tile's text is the entity's: a channel with the scene's level, a probe with its unit, an outlet."""
    name = attributes["friendly_name"]
    if entity_id.startswith("switch."):
        return tile in (f"{name} On", f"{name} Off")
    if entity_id not in SCENE:
        return tile.startswith(name) and tile.endswith(attributes["unit_of_measurement"])
    level = SCENE[entity_id]
    return tile.startswith(f"{name} {level}%" if level else f"{name} Off")


def ready(seen: dict[str, Any], expected: dict[str, int]) -> bool:
    """Every card is there, no card warns (a missing entity), no dialog covers it, every chart is drawn."""
    counts = seen["counts"]
    return (
        all(counts.get(element, 0) >= count for element, count in expected.items())
        and not counts.get("hui-warning")
        and not counts.get("dialog")
        and seen["charts"] >= expected["hui-history-graph-card"]
        and seen["drawn"] == seen["charts"]
    )


async def rendered(page: Page, expected: dict[str, int]) -> dict[str, Any]:
    """What the page shows once the dashboard is complete."""
    deadline = asyncio.get_running_loop().time() + RENDER_SECONDS
    while True:
        seen: dict[str, Any] = await page.evaluate(PROBE)
        if ready(seen, expected):
            return seen
        assert asyncio.get_running_loop().time() < deadline, f"the dashboard never finished rendering: {seen}"
        await asyncio.sleep(0.25)


async def settled_screenshot(page: Page) -> bytes:
    """A screenshot equal to the one before it, so no chart or card is caught half drawn."""
    deadline = asyncio.get_running_loop().time() + RENDER_SECONDS
    previous = b""
    while (screenshot := await page.screenshot()) != previous:
        assert asyncio.get_running_loop().time() < deadline, "the dashboard never stopped changing"
        previous = screenshot
        await asyncio.sleep(0.5)
    return screenshot
