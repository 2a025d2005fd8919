"""DS18B20 probes over a fake /sys/bus/w1/devices tree."""

from pathlib import Path

import pytest

from custom_components.bellas_reef.hardware.errors import DeviceMissingError, ProbeReadError
from custom_components.bellas_reef.hardware.probes import DS18B20, Probe, list_ds18b20

SENSOR = "28-0316a2795aff"
GOOD = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n"


def put(root: Path, device_id: str, text: str) -> None:
    folder = root / device_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "w1_slave").write_text(text, encoding="ascii")


def test_reads_degrees(tmp_path: Path) -> None:
    put(tmp_path, SENSOR, GOOD)
    probe: Probe = DS18B20(SENSOR, tmp_path)
    assert probe.read() == 23.125


def test_reads_below_zero(tmp_path: Path) -> None:
    put(tmp_path, SENSOR, "5e ff 4b 46 7f ff 0c 10 1c : crc=1c YES\n5e ff 4b 46 7f ff 0c 10 1c t=-10125\n")
    assert DS18B20(SENSOR, tmp_path).read() == -10.125


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("72 01 4b 46 7f ff 0e 10 57 : crc=58 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", "CRC"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n", "CRC"),
        ("", "CRC"),
        ("50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n", "power-on value"),
        ("00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n", "empty scratchpad"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57\n", "no temperature"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=\n", "no temperature"),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=2x\n", "no temperature"),
    ],
)
def test_bad_readings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    put(tmp_path, SENSOR, text)
    with pytest.raises(ProbeReadError, match=message):
        DS18B20(SENSOR, tmp_path).read()


def test_a_missing_sensor_is_a_missing_device(tmp_path: Path) -> None:
    with pytest.raises(DeviceMissingError, match="not on the 1-wire bus"):
        DS18B20(SENSOR, tmp_path).read()


def test_an_unreadable_file_is_a_read_error(tmp_path: Path) -> None:
    (tmp_path / SENSOR / "w1_slave").mkdir(parents=True)
    with pytest.raises(ProbeReadError, match="could not be read"):
        DS18B20(SENSOR, tmp_path).read()


def test_garbage_bytes_are_a_read_error(tmp_path: Path) -> None:
    (tmp_path / SENSOR).mkdir()
    (tmp_path / SENSOR / "w1_slave").write_bytes(b"\xff\xfe")
    with pytest.raises(ProbeReadError, match="could not be read"):
        DS18B20(SENSOR, tmp_path).read()


def test_ids_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a DS18B20 id"):
        DS18B20("10-000802b4b0b6", tmp_path)
    with pytest.raises(ValueError, match="not a DS18B20 id"):
        DS18B20("28-../../etc", tmp_path)


def test_lists_only_ds18b20_sensors(tmp_path: Path) -> None:
    for device_id in ("28-0316a2795aff", "w1_bus_master1", "10-000802b4b0b6", "28-01131b7f5ef1"):
        put(tmp_path, device_id, GOOD)
    assert list_ds18b20(tmp_path) == ["28-01131b7f5ef1", "28-0316a2795aff"]
    assert list_ds18b20(tmp_path / "absent") == []
