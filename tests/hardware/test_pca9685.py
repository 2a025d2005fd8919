"""The batched PCA9685 board driver, on the simulated chip through Adafruit's driver."""

import random

import pytest

from custom_components.bellas_reef.hardware.errors import DeviceMissingError, HardwareError
from custom_components.bellas_reef.hardware.pca9685 import (
    MODE1,
    MODE1_AI,
    MODE1_SLEEP,
    PRE_SCALE,
    PCA9685Board,
    decode_duty,
    encode_duty,
    frequency_for,
    output_register,
    prescale_for,
)
from custom_components.bellas_reef.hardware.pwm import PwmBoard
from custom_components.bellas_reef.hardware.simulated import BusStats, SimulatedI2CBus, SimulatedPCA9685

ADDRESS = 0x40


@pytest.fixture
def board(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> PCA9685Board:
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    board.read()
    bus.reset_stats()
    return board


def outputs(chip: SimulatedPCA9685) -> dict[int, int]:
    return {output: chip.output_duty(output) for output in range(16)}


def test_is_a_pwm_board(board: PCA9685Board) -> None:
    pwm: PwmBoard = board
    assert pwm.max_duty == 4096
    assert repr(board) == "PCA9685 at 0x40"


def test_nothing_is_sent_before_first_use(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    board = PCA9685Board(bus, ADDRESS, 200.0)
    assert bus.stats == BusStats()
    assert board.frequency == pytest.approx(frequency_for(prescale_for(200.0)))
    assert board.read() == dict.fromkeys(range(16), 0)
    assert chip.register(PRE_SCALE) == prescale_for(200.0)
    assert chip.register(MODE1) == MODE1_AI


def test_a_tick_of_16_changes_is_one_transaction(
    bus: SimulatedI2CBus, chip: SimulatedPCA9685, board: PCA9685Board
) -> None:
    targets = {output: 100 + 200 * output for output in range(16)}
    board.write(targets)
    assert bus.stats == BusStats(transactions=1, bytes_written=1 + 16 * 4)
    assert outputs(chip) == targets
    bus.reset_stats()
    board.write(targets)
    assert bus.stats == BusStats()


def test_runs_of_neighbours_share_a_transaction(
    bus: SimulatedI2CBus, chip: SimulatedPCA9685, board: PCA9685Board
) -> None:
    board.write({2: 10, 3: 11, 4: 12, 9: 13, 15: 14, 14: 15})
    assert bus.stats == BusStats(transactions=3, bytes_written=(1 + 12) + (1 + 4) + (1 + 8))
    assert outputs(chip) == {**dict.fromkeys(range(16), 0), 2: 10, 3: 11, 4: 12, 9: 13, 14: 15, 15: 14}


def test_unchanged_outputs_are_not_rewritten(
    bus: SimulatedI2CBus, chip: SimulatedPCA9685, board: PCA9685Board
) -> None:
    board.write({0: 5, 1: 6, 2: 7})
    bus.reset_stats()
    board.write({0: 5, 1: 60, 2: 7})
    assert bus.stats == BusStats(transactions=1, bytes_written=5)
    assert chip.output_duty(1) == 60


def test_one_value_everywhere_is_one_all_led_write(
    bus: SimulatedI2CBus, chip: SimulatedPCA9685, board: PCA9685Board
) -> None:
    board.write({0: 300, 7: 300})
    assert bus.stats.transactions == 2
    bus.reset_stats()
    board.write(dict.fromkeys(range(16), 4096))
    assert bus.stats == BusStats(transactions=1, bytes_written=5)
    assert set(outputs(chip).values()) == {4096}
    bus.reset_stats()
    board.write({0: 0, 7: 0})
    board.write({output: 0 for output in range(1, 16) if output != 7})
    assert bus.stats == BusStats(transactions=3, bytes_written=5 + 5 + 5)
    assert set(outputs(chip).values()) == {0}


def test_ends_use_the_full_on_and_full_off_bits(chip: SimulatedPCA9685, board: PCA9685Board) -> None:
    board.write({0: 4096, 1: 0, 2: 1, 3: 4095})
    registers = [
        [chip.register(output_register(output) + offset) for offset in range(4)] for output in range(4)
    ]
    assert registers == [[0, 0x10, 0, 0], [0, 0, 0, 0x10], [0, 0, 1, 0], [0, 0, 0xFF, 0x0F]]
    assert board.read() == {**dict.fromkeys(range(16), 0), 0: 4096, 2: 1, 3: 4095}


def test_encoding_round_trips() -> None:
    for duty in range(4097):
        assert decode_duty(*encode_duty(duty)) == duty
    assert decode_duty(4000, 100) == 196


def test_arguments_are_checked(bus: SimulatedI2CBus, board: PCA9685Board) -> None:
    with pytest.raises(ValueError, match="0x40-0x7F"):
        PCA9685Board(bus, 0x3F)
    with pytest.raises(ValueError, match="24-1526 Hz"):
        PCA9685Board(bus, ADDRESS, 2000.0)
    with pytest.raises(ValueError, match="24-1526 Hz"):
        PCA9685Board(bus, ADDRESS, 20.0)
    with pytest.raises(ValueError, match="output must be 0-15"):
        board.write({16: 0})
    with pytest.raises(ValueError, match="duty must be 0-4096"):
        board.write({0: 4097})
    with pytest.raises(ValueError, match="duty must be 0-4096"):
        board.write({0: -1})


def test_a_running_chip_keeps_its_outputs_on_restart(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    PCA9685Board(bus, ADDRESS, 1000.0).write({0: 1000, 5: 4096})
    chip_writes: list[bytes] = []
    original_write = chip.write

    def spy(data: bytes) -> None:
        chip_writes.append(data)
        original_write(data)

    chip.write = spy  # type: ignore[method-assign]
    restarted = PCA9685Board(bus, ADDRESS, 1000.0)
    assert restarted.read()[0] == 1000
    assert not any(
        data[:1] == bytes([MODE1]) and data[1] & MODE1_SLEEP for data in chip_writes if len(data) > 1
    )
    bus.reset_stats()
    restarted.write({0: 1000, 5: 4096})
    assert bus.stats == BusStats()


def test_a_new_frequency_restarts_the_outputs(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    PCA9685Board(bus, ADDRESS, 1000.0).write({0: 1000})
    PCA9685Board(bus, ADDRESS, 300.0).read()
    assert chip.frequency == pytest.approx(300, rel=0.02)
    assert chip.output_duty(0) == 1000


def test_converges_on_a_bus_failing_one_transaction_in_ten() -> None:
    bus = SimulatedI2CBus(failure_rate=0.1, seed=20261122)
    chip = SimulatedPCA9685()
    bus.attach(ADDRESS, chip)
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    ramp = random.Random(5)
    failures = 0
    targets: dict[int, int] = {}
    for _ in range(200):
        targets = {output: ramp.randrange(4097) for output in ramp.sample(range(16), 6)}
        try:
            board.write(targets)
        except HardwareError:
            failures += 1
    final = {output: ramp.randrange(4097) for output in range(16)}
    for _ in range(20):
        try:
            board.write(final)
        except HardwareError:
            failures += 1
    assert failures > 10
    assert outputs(chip) == final
    assert chip.register(PRE_SCALE) == prescale_for(1000.0)
    bus.failure_rate = 0.0
    assert board.read() == final


def test_a_failed_tick_is_resent_even_if_not_repeated(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    board.write({0: 10})
    bus.failure_rate = 1.0
    with pytest.raises(HardwareError, match="broke off") as caught:
        board.write({1: 20})
    assert not isinstance(caught.value, DeviceMissingError)
    bus.failure_rate = 0.0
    board.write({2: 30})
    assert [chip.output_duty(output) for output in range(3)] == [10, 20, 30]


def test_a_device_that_vanishes_and_returns_powered_down(
    bus: SimulatedI2CBus, chip: SimulatedPCA9685
) -> None:
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    board.write({0: 10, 3: 4096})
    bus.vanish(ADDRESS)
    with pytest.raises(DeviceMissingError, match="0x40"):
        board.write({0: 20})
    with pytest.raises(DeviceMissingError):
        board.read()
    bus.reappear(ADDRESS)
    board.write({1: 30})
    assert chip.register(PRE_SCALE) == prescale_for(1000.0)
    assert not chip.sleeping
    assert [chip.output_duty(output) for output in range(4)] == [20, 30, 0, 4096]


def test_a_device_that_returns_still_powered(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    board.write({0: 10})
    bus.vanish(ADDRESS)
    with pytest.raises(DeviceMissingError):
        board.write({0: 20})
    bus.reappear(ADDRESS, power_cycled=False)
    bus.reset_stats()
    board.write({0: 20})
    assert bus.stats == BusStats(transactions=3, bytes_written=1 + 1 + 5, bytes_read=2)
    assert chip.output_duty(0) == 20


def test_a_board_missing_at_start_comes_up_later(bus: SimulatedI2CBus) -> None:
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    with pytest.raises(DeviceMissingError, match="does not answer"):
        board.write({0: 100})
    chip = SimulatedPCA9685()
    bus.attach(ADDRESS, chip)
    board.write({1: 200})
    assert [chip.output_duty(output) for output in range(2)] == [100, 200]


def test_a_closed_board_refuses_work(board: PCA9685Board) -> None:
    board.close()
    with pytest.raises(HardwareError, match="closed"):
        board.write({0: 1})
    with pytest.raises(HardwareError, match="closed"):
        board.read()


def test_a_stopped_chip_is_restarted(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    board = PCA9685Board(bus, ADDRESS, 1000.0)
    board.write({0: 500})
    bus.failure_rate = 1.0
    with pytest.raises(HardwareError):
        board.write({1: 20})
    bus.failure_rate = 0.0
    bus.writeto(ADDRESS, bytes([MODE1, MODE1_AI | MODE1_SLEEP]))
    bus.writeto(ADDRESS, bytes([MODE1, MODE1_AI]))
    assert chip.output_duty(0) == 0
    board.write({})
    assert [chip.output_duty(output) for output in range(2)] == [500, 20]
