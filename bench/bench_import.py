"""What importing the integration costs a Home Assistant process: time and resident memory, libraries on demand.

Each case runs in a fresh interpreter that has already imported what HA itself loads before a custom integration
(its core, config entries, the integration's HA dependencies and the entity components its platforms join), then
imports everything HA imports of the integration for a controller: the package, its config flow and its platforms.

- "on demand": a tank with PCA9685, GPIO, DS18B20 and EZO hardware and the embedded readings store, as it is now;
- "all at once": the same plus the outlet drivers and the PostgreSQL store, which every tank imported before the
  driver libraries loaded on demand (and which a tank with such outlets or store still loads, in the executor).

Best of several runs each (the least disturbed by the rest of the machine), with byte code cached as in an installed
HA. The collector is settled before the clock starts, as HA's own start-up has it by the time it imports a custom
integration (importing homeassistant.bootstrap alone runs a full collection): otherwise a fresh interpreter's first
full collection of HA's heap (about 65 ms here) falls on the first ~14,000 objects anything allocates after HA's imports.
Collections the integration's own allocations trigger still count, and the time they took is shown beside.
Linux only (reads /proc).
Run: scripts/run python bench/bench_import.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
PACKAGE = "custom_components.bellas_reef"
HEAVY = ("kasa", "aioshelly", "pyvesync", "psycopg", "psycopg_pool")
# HA's core, the integration's dependencies and the entity components its platforms join, all loaded by HA
# before it imports the integration.
HOME_ASSISTANT = (
    "homeassistant.core",
    "homeassistant.config_entries",
    "homeassistant.helpers.config_validation",
    "homeassistant.helpers.entity_platform",
    "homeassistant.helpers.update_coordinator",
    "homeassistant.components.http",
    "homeassistant.components.websocket_api",
    "homeassistant.components.panel_custom",
    "homeassistant.components.binary_sensor",
    "homeassistant.components.button",
    "homeassistant.components.diagnostics",
    "homeassistant.components.light",
    "homeassistant.components.sensor",
    "homeassistant.components.switch",
    "homeassistant.components.system_health",
)
# The logbook platform is left out: HA imports it only with its own logbook, which brings the recorder (~1 s).
INTEGRATION = (
    PACKAGE,
    f"{PACKAGE}.config_flow",
    f"{PACKAGE}.binary_sensor",
    f"{PACKAGE}.button",
    f"{PACKAGE}.diagnostics",
    f"{PACKAGE}.light",
    f"{PACKAGE}.sensor",
    f"{PACKAGE}.switch",
    f"{PACKAGE}.system_health",
)
ON_DEMAND = (
    f"{PACKAGE}.outlets.kasa",
    f"{PACKAGE}.outlets.shelly",
    f"{PACKAGE}.outlets.vesync",
    f"{PACKAGE}.history.postgres",
)

PROBE = """
import gc, importlib, json, sys, time

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

# Each collection's start counts minus and its stop plus, so the sum is the time spent collecting.
collecting = []
def timed(phase, info):
    collecting.append(time.perf_counter() * (1 if phase == "stop" else -1))

for name in {home_assistant!r}:
    importlib.import_module(name)
gc.collect()
gc.callbacks.append(timed)
before = rss_mb()
began = time.perf_counter()
for name in {modules!r}:
    importlib.import_module(name)
took = time.perf_counter() - began
gc.callbacks.remove(timed)
print(json.dumps({{
    "ms": took * 1e3,
    "gc_ms": sum(collecting) * 1e3,
    "mb": rss_mb() - before,
    "loaded": sorted(name for name in {heavy!r} if name in sys.modules),
}}))
"""


def measure(modules: tuple[str, ...], pycache: str) -> dict[str, float | list[str]]:
    """Fastest of RUNS fresh interpreters importing ``modules`` after HA: ms (and of it GC), MB of RSS, libraries.

    Byte code is cached (in ``pycache``, outside the checkout) as in an installed HA, after one warm-up run.
    """
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = pycache
    best: dict[str, float | list[str]] | None = None
    for run in range(RUNS + 1):
        script = PROBE.format(home_assistant=HOME_ASSISTANT, modules=modules, heavy=HEAVY)
        output = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", script],
            capture_output=True,
            check=True,
            cwd=ROOT,
            env=environment,
            text=True,
        ).stdout
        if run == 0:
            continue
        result = json.loads(output.splitlines()[-1])
        if best is None or result["ms"] < best["ms"]:
            best = result
    assert best is not None
    return best


def main() -> None:
    cases = (
        ("on demand (PWM, GPIO, 1-wire, EZO, embedded store)", INTEGRATION),
        ("all at once (as before: every driver library)", INTEGRATION + ON_DEMAND),
    )
    with tempfile.TemporaryDirectory() as pycache:
        results = [(name, measure(modules, pycache)) for name, modules in cases]
    print(f"{'importing the integration':<52} {'ms':>7} {'of it GC':>8} {'MB RSS':>8}  libraries loaded")
    for name, result in results:
        loaded = ", ".join(result["loaded"]) or "none"  # type: ignore[arg-type]
        print(f"{name:<52} {result['ms']:>7.0f} {result['gc_ms']:>8.0f} {result['mb']:>8.1f}  {loaded}")
    (_, lazy), (_, eager) = results
    print(
        f"\non demand saves {eager['ms'] - lazy['ms']:.0f} ms and {eager['mb'] - lazy['mb']:.1f} MB"  # type: ignore[operator]
        f" ({eager['ms'] / lazy['ms']:.1f}x faster); goal: at most 100 ms and 10 MB"  # type: ignore[operator]
    )


if __name__ == "__main__":
    main()
