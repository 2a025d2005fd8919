"""Where the device dumps published by the vendor libraries' own projects are found.

python-kasa's dumps come with its source distribution, which scripts/setup unpacks into the environment
(scripts/lib/device_dumps.py); the Shelly and VeSync projects publish theirs only in their repositories, so a
small selection is kept under tests/outlets/dumps/ with its source and licence noted there.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
import sys
from typing import Any

COMMITTED = Path(__file__).parent / "dumps"


def kasa_dumps(kind: str) -> list[Path]:
    """python-kasa's dumps of one protocol kind (`iot`, `smart`), sorted; fails loudly when setup has not run."""
    version = importlib.metadata.version("python-kasa")
    root = Path(sys.prefix, "share", "device-dumps", f"python-kasa-{version}")
    if not (root / "LICENSE").is_file():
        raise FileNotFoundError(f"python-kasa {version}'s device dumps are not in {root}: run scripts/setup")
    return sorted((root / kind).glob("*.json"))


def committed_dumps(folder: str) -> list[Path]:
    """The dumps kept in this repository under dumps/<folder>, sorted."""
    found = sorted((COMMITTED / folder).glob("*.json"))
    if not found:
        raise FileNotFoundError(f"no dumps in {COMMITTED / folder}")
    return found


def load(path: Path) -> dict[str, Any]:
    """One dump as JSON."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
