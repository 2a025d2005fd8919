"""The kernel's hardware PWM on a fake /sys/class/pwm tree: routing, export, duty, period and reloads."""

from __future__ import annotations

from pathlib import Path
import threading

import pytest

from custom_components.bellas_reef.hardware import sysfs_pwm
from custom_components.bellas_reef.hardware.errors import DeviceMissingError, HardwareError
from custom_components.bellas_reef.hardware.pwm import PwmBoard
from custom_components.bellas_reef.hardware.sysfs_pwm import SysfsPwmOutput, hardware_pwm_channel


def chip(root: Path, name: str, channels: int, *, exported: tuple[int, ...] = ()) -> Path:
    """A pwmchip folder as the kernel shows it, some channels already exported."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "npwm").write_text(f"{channels}\n")
    (folder / "export").write_text("")
    for channel in exported:
        export(folder, channel)
    return folder


def export(folder: Path, channel: int) -> None:
    """What the kernel does when a channel is exported: a folder with its attributes, disabled."""
    pwm = folder / f"pwm{channel}"
    pwm.mkdir()
    for name in ("period", "duty_cycle", "enable"):
        (pwm / name).write_text("0\n")


def test_pins_are_routed_to_their_channels(tmp_path: Path) -> None:
    assert hardware_pwm_channel(18, tmp_path) is None
    two = chip(tmp_path / "pi4", "pwmchip0", 2)
    assert hardware_pwm_channel(18, tmp_path / "pi4") == (two, 0)
    assert hardware_pwm_channel(13, tmp_path / "pi4") == (two, 1)
    assert hardware_pwm_channel(5, tmp_path / "pi4") is None
    four = chip(tmp_path / "pi5", "pwmchip2", 4)
    (tmp_path / "pi5" / "pwmchip9").mkdir()  # no npwm: not a usable chip
    assert hardware_pwm_channel(18, tmp_path / "pi5") == (four, 2)
    assert hardware_pwm_channel(19, tmp_path / "pi5") == (four, 3)


def test_drives_the_channel(tmp_path: Path) -> None:
    folder = chip(tmp_path, "pwmchip0", 2, exported=(0,))
    output: PwmBoard = SysfsPwmOutput(18, folder, 0, 1000.0)
    assert output.max_duty == 1_000_000
    assert output.read() == {0: 0}
    assert (folder / "pwm0" / "period").read_text() == "1000000"
    output.write({0: 250_000})
    assert (folder / "pwm0" / "duty_cycle").read_text() == "250000"
    assert (folder / "pwm0" / "enable").read_text() == "1"
    assert output.read() == {0: 250_000}
    # Moonlight far below 1 % still has its own steps.
    output.write({0: 37})
    assert (folder / "pwm0" / "duty_cycle").read_text() == "37"
    output.close()
    assert (folder / "pwm0" / "enable").read_text() == "1"
    assert "hardware PWM pwmchip0/pwm0" in repr(output)


@pytest.mark.parametrize(("before", "after"), [(1000.0, 2000.0), (2000.0, 500.0)])
def test_a_reload_keeps_the_level_even_at_a_new_frequency(
    tmp_path: Path, before: float, after: float
) -> None:
    folder = chip(tmp_path, "pwmchip0", 2, exported=(1,))
    SysfsPwmOutput(13, folder, 1, before).write({0: 400_000})
    again = SysfsPwmOutput(13, folder, 1, after)
    assert again.read() == {0: 400_000}
    period = int((folder / "pwm1" / "period").read_text())
    assert period == round(1e9 / after)
    assert int((folder / "pwm1" / "duty_cycle").read_text()) <= period


def test_a_channel_is_exported_on_first_use(tmp_path: Path) -> None:
    folder = chip(tmp_path, "pwmchip0", 2)
    kernel = threading.Timer(0.05, export, (folder, 0))
    kernel.start()
    output = SysfsPwmOutput(12, folder, 0, 1000.0)
    output.write({0: 500_000})
    kernel.join()
    assert (folder / "export").read_text() == "0"
    assert (folder / "pwm0" / "duty_cycle").read_text() == "500000"


def test_a_channel_that_never_appears_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sysfs_pwm, "_EXPORT_WAIT_SECONDS", 0.05)
    folder = chip(tmp_path, "pwmchip0", 2)
    with pytest.raises(DeviceMissingError, match="did not appear"):
        SysfsPwmOutput(12, folder, 0, 1000.0).write({0: 1})
    (folder / "export").unlink()
    (folder / "export").mkdir()
    with pytest.raises(DeviceMissingError, match="cannot be exported"):
        SysfsPwmOutput(12, folder, 0, 1000.0).write({0: 1})


def test_io_errors_are_hardware_errors(tmp_path: Path) -> None:
    folder = chip(tmp_path, "pwmchip0", 2, exported=(0,))
    output = SysfsPwmOutput(18, folder, 0, 1000.0)
    output.write({0: 1})
    (folder / "pwm0" / "duty_cycle").unlink()
    (folder / "pwm0" / "duty_cycle").mkdir()
    with pytest.raises(HardwareError, match="writing duty_cycle"):
        output.write({0: 2})
    with pytest.raises(HardwareError, match="reading duty_cycle"):
        output.read()


def test_arguments_are_checked(tmp_path: Path) -> None:
    folder = chip(tmp_path, "pwmchip0", 2, exported=(0,))
    with pytest.raises(ValueError, match="frequency"):
        SysfsPwmOutput(18, folder, 0, 0)
    output = SysfsPwmOutput(18, folder, 0, 1000.0)
    with pytest.raises(ValueError, match="one output"):
        output.write({1: 0})
    with pytest.raises(ValueError, match="duty"):
        output.write({0: 1_000_001})
