"""Puts the demo's HTTP settings (loopback only, on one port) where Home Assistant keeps them, before its first start.

Home Assistant stores its HTTP settings itself; settings in configuration.yaml are imported once and leave a
deprecation repair behind. The demo starts with them already stored, as the settings page would have saved them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys

from homeassistant.components.http.config import (
    HTTP_STORAGE_SCHEMA,
    STORAGE_KEY,
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)
from homeassistant.util import dt as dt_util

HOST = "127.0.0.1"
PORT = 8123


def write_http_settings(config_dir: Path, port: int = PORT) -> None:
    """Store loopback-only HTTP settings on `port` in a configuration folder Home Assistant has not started in."""
    settings = HTTP_STORAGE_SCHEMA({"server_host": [HOST], "server_port": port})
    stored = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION,
        "key": STORAGE_KEY,
        "data": {
            "stable": {
                **settings,
                "created_at": dt_util.utcnow().isoformat(),
                "error": None,
                "error_message": None,
            },
            "pending": None,
            "yaml_migration_done": True,
        },
    }
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / STORAGE_KEY).write_text(json.dumps(stored, indent=2))


def main() -> int:
    """Write the settings into the folder given, unless Home Assistant already keeps some there."""
    parser = argparse.ArgumentParser()
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    if not (args.config_dir / ".storage" / STORAGE_KEY).exists():
        write_http_settings(args.config_dir, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
