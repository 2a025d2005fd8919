"""The simulated bus and PCA9685, checked through Adafruit's driver and raw register traffic."""

import errno

from adafruit_pca9685 import PCA9685
import pytest

from custom_components.bellas_reef.hardware.pca9685 import (
    ALL_LED_OFF_H,
    ALL_LED_ON_L,
    LED15_OFF_H,
    MODE1,
    MODE1_AI,
    MODE1_EXTCLK,
    MODE1_RESTART,
    MODE1_SLEEP,
    MODE2,
    MODE2_INVRT,
    MODE2_OCH,
    PRE_SCALE,
    TEST_MODE,
    output_register,
)
from custom_components.bellas_reef.hardware.simulated import (
    BusStats,
    SimulatedI2CBus,
    SimulatedPCA9685,
    simulated_pca9685_board,
)

ADDRESS = 0x40


def write(bus: SimulatedI2CBus, *data: int) -> None:
    bus.writeto(ADDRESS, bytes(data))


def read(bus: SimulatedI2CBus, register: int, count: int) -> bytes:
    buffer = bytearray(count)
    bus.writeto_then_readfrom(ADDRESS, bytes([register]), buffer)
    return bytes(buffer)


def test_power_on_state(chip: SimulatedPCA9685) -> None:
    assert chip.register(MODE1) == 0x11
    assert chip.register(MODE2) == 0x04
    assert [chip.register(register) for register in range(0x02, 0x06)] == [0xE2, 0xE4, 0xE8, 0xE0]
    assert chip.register(PRE_SCALE) == 0x1E
    assert chip.sleeping
    for output in range(16):
        first = output_register(output)
        assert [chip.register(first + offset) for offset in range(4)] == [0, 0, 0, 0x10]
        assert chip.output_duty(output) == 0


def test_adafruit_driver_sets_the_chip_up(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    pca = PCA9685(bus, address=ADDRESS)
    assert not chip.sleeping
    pca.frequency = 1000
    assert chip.register(PRE_SCALE) == 5
    assert chip.frequency == pytest.approx(1017.25, abs=0.01)
    assert chip.register(MODE1) == MODE1_AI
    assert pca.frequency == pytest.approx(chip.frequency)


def test_adafruit_channels_read_back(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    pca = PCA9685(bus, address=ADDRESS)
    pca.frequency = 500
    pca.channels[3].duty_cycle = 0x8000
    assert chip.output_duty(3) == 2048
    assert [chip.register(output_register(3) + offset) for offset in range(4)] == [0, 0, 0x00, 0x08]
    assert pca.channels[3].duty_cycle == 0x8000
    pca.channels[4].duty_cycle = 0xFFFF
    assert chip.register(output_register(4) + 1) == 0x10
    assert chip.output_duty(4) == 4096
    assert pca.channels[4].duty_cycle == 0xFFFF
    pca.channels[4].duty_cycle = 0
    assert chip.register(output_register(4) + 3) == 0x10
    assert chip.output_duty(4) == 0
    assert pca.channels[4].duty_cycle == 0


def test_prescale_is_written_only_while_asleep(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    write(bus, MODE1, 0x00)
    write(bus, PRE_SCALE, 100)
    assert chip.register(PRE_SCALE) == 0x1E
    write(bus, MODE1, MODE1_SLEEP)
    write(bus, PRE_SCALE, 100)
    assert chip.register(PRE_SCALE) == 100
    write(bus, PRE_SCALE, 1)
    assert chip.register(PRE_SCALE) == 3


def turn_on_output_0(bus: SimulatedI2CBus) -> None:
    write(bus, MODE1, MODE1_AI)
    write(bus, output_register(0), 0, 0, 0x00, 0x04)


def test_sleep_with_active_outputs_needs_a_restart(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    turn_on_output_0(bus)
    assert chip.output_duty(0) == 1024
    write(bus, MODE1, MODE1_AI | MODE1_SLEEP)
    assert chip.register(MODE1) & MODE1_RESTART
    assert chip.output_duty(0) == 0
    write(bus, MODE1, MODE1_AI | MODE1_SLEEP | MODE1_RESTART)
    assert chip.register(MODE1) & MODE1_RESTART
    write(bus, MODE1, MODE1_AI)
    assert chip.register(MODE1) == MODE1_AI | MODE1_RESTART
    assert chip.output_duty(0) == 0
    write(bus, MODE1, MODE1_AI | MODE1_RESTART)
    assert chip.register(MODE1) == MODE1_AI
    assert chip.output_duty(0) == 1024


def test_sleep_with_outputs_off_needs_no_restart(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    write(bus, MODE1, MODE1_SLEEP)
    write(bus, MODE1, 0)
    assert chip.register(MODE1) == 0


def test_pwm_write_clears_restart_at_stop(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    turn_on_output_0(bus)
    write(bus, MODE1, MODE1_AI | MODE1_SLEEP)
    write(bus, MODE1, MODE1_AI)
    write(bus, output_register(0) + 2, 0x00)
    assert chip.register(MODE1) == MODE1_AI
    assert chip.output_duty(0) == 1024


def test_with_och_only_a_whole_output_clears_restart(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    turn_on_output_0(bus)
    write(bus, MODE2, MODE2_OCH)
    write(bus, MODE1, MODE1_AI | MODE1_SLEEP)
    write(bus, MODE1, MODE1_AI)
    write(bus, output_register(0) + 2, 0x00, 0x08)
    assert chip.register(MODE1) & MODE1_RESTART
    write(bus, output_register(0), 0, 0, 0x00, 0x08)
    assert not chip.register(MODE1) & MODE1_RESTART
    assert chip.output_duty(0) == 2048


def test_auto_increment_rolls_over_to_mode1(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    write(bus, MODE1, MODE1_AI)
    write(bus, LED15_OFF_H, 0x10, MODE1_AI | MODE1_SLEEP)
    assert chip.register(MODE1) == MODE1_AI | MODE1_SLEEP
    write(bus, PRE_SCALE, 50, MODE1_AI)
    assert chip.register(PRE_SCALE) == 50
    assert chip.register(MODE1) == MODE1_AI
    write(bus, TEST_MODE, 0, MODE1_AI | MODE1_SLEEP)
    assert chip.sleeping
    assert read(bus, output_register(15) + 2, 3) == bytes([0, 0x10, MODE1_AI | MODE1_SLEEP])


def test_without_auto_increment_bytes_go_to_one_register(
    bus: SimulatedI2CBus, chip: SimulatedPCA9685
) -> None:
    write(bus, MODE1, 0)
    write(bus, output_register(2) + 2, 0x11, 0x22, 0x33)
    assert chip.register(output_register(2) + 2) == 0x33
    assert chip.register(output_register(2) + 3) == 0x10
    assert read(bus, output_register(2) + 2, 3) == bytes([0x33] * 3)


def test_all_led_registers_load_every_output(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    write(bus, MODE1, MODE1_AI)
    write(bus, ALL_LED_ON_L, 0x00, 0x01, 0x00, 0x03)
    assert {chip.output_duty(output) for output in range(16)} == {512}
    assert read(bus, ALL_LED_ON_L, 4) == bytes(4)
    write(bus, ALL_LED_OFF_H, 0x10)
    assert {chip.output_duty(output) for output in range(16)} == {0}


def test_full_off_wins_over_full_on(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    write(bus, MODE1, MODE1_AI)
    write(bus, output_register(5), 0, 0x10, 0, 0x10)
    assert chip.output_duty(5) == 0
    write(bus, output_register(5), 0x00, 0x01, 0x00, 0x01)
    assert chip.output_duty(5) == 0
    write(bus, output_register(5), 0x00, 0x0F, 0x00, 0x01)
    assert chip.output_duty(5) == 512


def test_invert_and_extclk(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    write(bus, MODE1, MODE1_EXTCLK | MODE1_SLEEP)
    write(bus, MODE1, 0)
    assert chip.register(MODE1) == MODE1_EXTCLK
    write(bus, MODE2, 0xFF)
    assert chip.register(MODE2) == 0x1F
    write(bus, MODE2, MODE2_INVRT)
    assert chip.output_duty(0) == 4096
    chip.power_on_reset()
    assert chip.register(MODE1) == 0x11


def test_reserved_registers_are_not_acknowledged(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    with pytest.raises(OSError, match="reserved") as caught:
        write(bus, 0x46, 0)
    assert caught.value.errno == errno.EIO


def test_bus_counts_transactions_and_bytes(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    assert bus.stats == BusStats()
    write(bus, MODE1, MODE1_AI)
    assert read(bus, MODE1, 2) == bytes([MODE1_AI, 0x04])
    buffer = bytearray(3)
    bus.readfrom_into(ADDRESS, buffer, start=1)
    assert buffer == bytearray([0, 0xE2, 0xE4])  # the pointer carried on to SUBADR1
    assert bus.stats == BusStats(transactions=3, bytes_written=3, bytes_read=4)
    bus.reset_stats()
    assert bus.stats == BusStats()


def test_missing_and_vanished_devices_do_not_acknowledge(
    bus: SimulatedI2CBus, chip: SimulatedPCA9685
) -> None:
    with pytest.raises(OSError, match="0x41") as caught:
        bus.writeto(0x41, b"")
    assert caught.value.errno == errno.EREMOTEIO
    write(bus, MODE1, MODE1_AI)
    bus.vanish(ADDRESS)
    assert bus.scan() == []
    assert ADDRESS in bus
    with pytest.raises(OSError, match="acknowledgement"):
        read(bus, MODE1, 1)
    bus.reappear(ADDRESS, power_cycled=False)
    assert chip.register(MODE1) == MODE1_AI
    bus.vanish(ADDRESS)
    bus.reappear(ADDRESS)
    assert chip.register(MODE1) == 0x11
    assert bus.scan() == [ADDRESS]
    assert bus.stats.failures == 2


def test_attach_and_vanish_check_addresses(bus: SimulatedI2CBus) -> None:
    with pytest.raises(ValueError, match="7-bit"):
        bus.attach(0x80, SimulatedPCA9685())
    with pytest.raises(ValueError, match="no chip"):
        bus.vanish(0x40)
    bus.attach(0x7F, SimulatedPCA9685())
    assert bus.scan() == []
    assert bus.device(0x7F) is not None


def test_failures_are_seeded() -> None:
    def run(seed: int) -> list[int]:
        bus = SimulatedI2CBus(failure_rate=0.5, seed=seed)
        bus.attach(ADDRESS, SimulatedPCA9685())
        outcomes = []
        for _ in range(40):
            try:
                bus.writeto(ADDRESS, bytes([MODE1, 0]))
            except OSError as err:
                outcomes.append(err.errno or -1)
            else:
                outcomes.append(0)
        assert bus.stats.failures == outcomes.count(errno.EIO)
        return outcomes

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert set(run(7)) == {0, errno.EIO}
    assert 5 < run(7).count(errno.EIO) < 35


def test_a_broken_write_reaches_the_chip_in_part() -> None:
    bus = SimulatedI2CBus(failure_rate=1.0, seed=3)
    chip = SimulatedPCA9685()
    bus.attach(ADDRESS, chip)
    chip.write(bytes([MODE1, MODE1_AI]))
    seen = set()
    for _ in range(30):
        chip.write(bytes([output_register(0), 0, 0, 0, 0x10]))
        with pytest.raises(OSError, match="broke off"):
            bus.writeto(ADDRESS, bytes([output_register(0), 1, 0, 2, 0]))
        seen.add(tuple(chip.register(output_register(0) + offset) for offset in range(4)))
    assert (1, 0, 2, 0) not in seen
    assert len(seen) > 1


def test_the_bus_lock_is_exclusive(bus: SimulatedI2CBus) -> None:
    assert bus.try_lock()
    assert not bus.try_lock()
    bus.unlock()
    assert bus.try_lock()
    bus.unlock()


def test_demo_board_runs_on_its_own_bus() -> None:
    board = simulated_pca9685_board(500.0)
    board.write({0: 4096})
    assert board.read()[0] == 4096
    assert board.frequency == pytest.approx(500, rel=0.02)


def test_demo_boards_share_a_bus(bus: SimulatedI2CBus, chip: SimulatedPCA9685) -> None:
    first = simulated_pca9685_board(bus=bus)
    second = simulated_pca9685_board(bus=bus, address=0x41)
    first.write({1: 100})
    second.write({1: 200})
    assert chip.output_duty(1) == 100
    assert bus.scan() == [0x40, 0x41]


def test_a_failed_read_changes_nothing() -> None:
    bus = SimulatedI2CBus(failure_rate=1.0)
    chip = SimulatedPCA9685()
    bus.attach(ADDRESS, chip)
    with pytest.raises(OSError, match="broke off"):
        bus.readfrom_into(ADDRESS, bytearray(2))
    assert chip.register(MODE1) == 0x11
    assert bus.stats == BusStats(transactions=1, bytes_read=2, failures=1)
