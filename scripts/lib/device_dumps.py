"""Unpacks the device dumps python-kasa publishes with its source into the environment, for the outlet tests.

python-kasa's source distribution carries JSON dumps of real plugs and strips (tests/fixtures/iot, smart,
smartcam); the tests serve them from fake devices so the driver reads what real firmware answers. They are
fetched once per installed version with pip (from whatever index pip is configured with), so the tests need no
network. GPL-3.0 data of the python-kasa project: kept beside its LICENSE, never committed here.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path, PurePosixPath
import shutil
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "python-kasa"


def dumps_dir(version: str) -> Path:
    """Where the dumps of one python-kasa version live; the tests look here too."""
    return Path(sys.prefix, "share", "device-dumps", f"{PACKAGE}-{version}")


def _wanted(name: str) -> PurePosixPath | None:
    """The path to keep a member of the source archive under, or None to leave it out."""
    parts = PurePosixPath(name).parts[1:]  # drop the archive's top folder
    if parts == ("LICENSE",):
        return PurePosixPath("LICENSE")
    if parts[:2] == ("tests", "fixtures") and parts[-1].endswith(".json"):
        return PurePosixPath(*parts[2:])
    return None


def main() -> None:
    """Download and unpack the dumps unless this version's are there already."""
    version = importlib.metadata.version(PACKAGE)
    target = dumps_dir(version)
    if (target / "LICENSE").is_file():
        return
    with tempfile.TemporaryDirectory() as download:
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*pip, "-d", download, f"{PACKAGE}=={version}"], check=True)  # noqa: S603 - fixed arguments
        (sdist,) = Path(download).glob("*.tar.gz")
        staging = target.with_name(f"{target.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(sdist) as archive:
            for member in archive.getmembers():
                keep = _wanted(member.name)
                source = archive.extractfile(member) if member.isfile() and keep else None
                if source is None or keep is None:
                    continue
                path = staging.joinpath(*keep.parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(source.read())
        if not (staging / "LICENSE").is_file() or not any(staging.glob("iot/*.json")):
            raise SystemExit(f"{sdist.name} holds no device dumps")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    print(f"device dumps of {PACKAGE} {version} in {target}")


if __name__ == "__main__":
    main()
