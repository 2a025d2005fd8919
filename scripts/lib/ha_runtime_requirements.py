"""Print the Python requirements Home Assistant would pip-install at run time for the demo and e2e servers.

A real `hass` installs the requirements of the integrations it sets up (its defaults, the ones onboarding adds,
and those in our configuration) on first start. Installing them up front makes a fresh environment behave like
a warm one, and lets the end-to-end tests run hass with --skip-pip.
"""

from __future__ import annotations

import json
from pathlib import Path
import sys

from homeassistant import bootstrap
import homeassistant.components

COMPONENTS = Path(homeassistant.components.__file__).parent
# Integrations onboarding sets up when it finishes (homeassistant/components/onboarding/views.py).
ONBOARDING = {"google_translate", "met", "radio_browser", "shopping_list"}


def configured_domains(configuration: Path) -> set[str]:
    """The top-level keys of a configuration.yaml (enough for ours: no includes, no packages)."""
    return {
        line.split(":", 1)[0].strip()
        for line in configuration.read_text().splitlines()
        if line and not line[0].isspace() and not line.startswith("#") and ":" in line
    }


def main() -> None:
    """Collect the requirements of every integration the servers load, dependencies included."""
    wanted = (
        set(bootstrap.DEFAULT_INTEGRATIONS)
        | set(bootstrap.CORE_INTEGRATIONS)
        | set(bootstrap.LOGGING_AND_HTTP_DEPS_INTEGRATIONS)
        | set(bootstrap.FRONTEND_INTEGRATIONS)
        | set(bootstrap.STAGE_1_INTEGRATIONS)
        | ONBOARDING
        | configured_domains(Path(sys.argv[1]))
    )
    seen: set[str] = set()
    requirements: set[str] = set()
    while wanted:
        domain = wanted.pop()
        manifest_path = COMPONENTS / domain / "manifest.json"
        if domain in seen or not manifest_path.exists():
            continue
        seen.add(domain)
        manifest = json.loads(manifest_path.read_text())
        requirements.update(manifest.get("requirements", []))
        # After-dependencies only order set-up; their requirements are installed only when they are loaded too.
        wanted.update(manifest.get("dependencies", []))
    print("\n".join(sorted(requirements)))


if __name__ == "__main__":
    main()
