"""I2C traffic per lighting tick on one PCA9685: the batched board driver against Adafruit's per-channel API.

Both run the real Adafruit driver on the simulated chip, whose bus counts transactions and bytes. Bus time is
estimated from the wire format: START, address byte and STOP per transaction, nine clocks per data byte.
Run: scripts/run python bench/bench_i2c.py
"""

from pathlib import Path
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from custom_components.bellas_reef.hardware.simulated import SimulatedI2CBus

# Run as a plain script from the repository root: make the integration importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ADDRESS = 0x40
TICKS = 200
CLOCKS_PER_TRANSACTION = 2 + 9
CLOCKS_PER_BYTE = 9


def ramp(tick: int, channels: int) -> dict[int, int]:
    """Every channel moves every tick, as during a sunrise ramp."""
    return {channel: 1 + (tick * 7 + channel * 97) % 4094 for channel in range(channels)}


def fresh_bus() -> SimulatedI2CBus:
    from custom_components.bellas_reef.hardware.simulated import SimulatedI2CBus, SimulatedPCA9685

    bus = SimulatedI2CBus()
    bus.attach(ADDRESS, SimulatedPCA9685())
    return bus


def batched(channels: int) -> SimulatedI2CBus:
    from custom_components.bellas_reef.hardware.pca9685 import PCA9685Board

    bus = fresh_bus()
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    board.read()
    bus.reset_stats()
    for tick in range(TICKS):
        board.write(ramp(tick, channels))
    return bus


def per_channel(channels: int) -> SimulatedI2CBus:
    from adafruit_pca9685 import PCA9685

    bus = fresh_bus()
    pca = PCA9685(bus, address=ADDRESS)
    pca.frequency = 1000.0
    bus.reset_stats()
    for tick in range(TICKS):
        for channel, duty in ramp(tick, channels).items():
            pca.channels[channel].duty_cycle = duty << 4
    return bus


def per_tick(bus: SimulatedI2CBus) -> tuple[float, float, float]:
    stats = bus.stats
    transactions = stats.transactions / TICKS
    data = (stats.bytes_written + stats.bytes_read) / TICKS
    clocks = transactions * CLOCKS_PER_TRANSACTION + data * CLOCKS_PER_BYTE
    return transactions, data, clocks / 100_000 * 1000


def main() -> None:
    print(f"{TICKS} ticks, every listed channel changing each tick; bus time at 100 kHz")
    print(f"{'channels':>8} {'method':<24} {'transactions':>12} {'bytes':>7} {'bus ms':>7}")
    for channels in (16, 6):
        rows = {"batched (PCA9685Board)": batched(channels), "adafruit per channel": per_channel(channels)}
        results = {name: per_tick(bus) for name, bus in rows.items()}
        for name, (transactions, data, milliseconds) in results.items():
            print(f"{channels:>8} {name:<24} {transactions:>12.1f} {data:>7.1f} {milliseconds:>7.2f}")
        (fast_t, fast_b, fast_ms), (slow_t, slow_b, slow_ms) = results.values()
        print(
            f"{channels:>8} {'ratio (adafruit/batched)':<24} {slow_t / fast_t:>11.1f}x {slow_b / fast_b:>6.2f}x"
            f" {slow_ms / fast_ms:>6.2f}x"
        )


if __name__ == "__main__":
    main()
