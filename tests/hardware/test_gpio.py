"""GpioPwmOutput on gpiozero's mock pin factory with PWM-capable mock pins."""

from collections.abc import Iterator

from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPin, MockPWMPin
import pytest

from custom_components.bellas_reef.hardware import gpio
from custom_components.bellas_reef.hardware.errors import HardwareError
from custom_components.bellas_reef.hardware.gpio import GpioPwmOutput
from custom_components.bellas_reef.hardware.pwm import PwmBoard


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    previous = Device.pin_factory
    factory = MockFactory(pin_class=MockPWMPin)
    Device.pin_factory = factory
    yield factory
    for owner in ("", "reef", "other"):
        gpio.release_parked(owner)
    factory.reset()
    Device.pin_factory = previous


def test_drives_the_pin(factory: MockFactory) -> None:
    output: PwmBoard = GpioPwmOutput(18, frequency=500.0)
    assert output.max_duty == 10_000
    output.write({0: 2500})
    pin = factory.pin(18)
    assert pin.state == pytest.approx(0.25)
    assert pin.frequency == 500.0
    assert output.read() == {0: 2500}
    output.write({0: 10_000})
    assert pin.state == 1.0
    output.write({0: 0})
    assert pin.state == 0.0
    output.close()
    output.close()
    gpio.release_parked("")
    assert pin.frequency is None


def test_unchanged_duty_is_not_rewritten(factory: MockFactory) -> None:
    output = GpioPwmOutput(12)
    output.write({0: 4000})
    pin = factory.pin(12)
    pin.clear_states()
    output.write({0: 4000})
    output.write({})
    assert [state for _, state in pin.states] == [pytest.approx(0.4)]
    output.write({0: 4001})
    assert pin.state == pytest.approx(0.4001)


def test_the_pin_is_claimed_on_first_use_and_parked_on_close(factory: MockFactory) -> None:
    first = GpioPwmOutput(13)
    second = GpioPwmOutput(13)
    assert repr(first) == "GPIO13 (auto)"
    assert first.read() == {0: 0}
    with pytest.raises(HardwareError, match=r"GPIO13 \(auto\) failed: .*in use"):
        second.write({0: 1})
    first.close()
    second.write({0: 1})
    assert factory.pin(13).state == pytest.approx(0.0001)
    second.close()


def test_a_reload_takes_the_pin_back_without_a_blink(factory: MockFactory) -> None:
    """Every rule edit reloads the controller: the light must stay exactly where it was meanwhile."""
    before = GpioPwmOutput(18, frequency=800.0, owner="reef")
    before.write({0: 5000})
    pin = factory.pin(18)
    pin.clear_states()
    before.close()
    assert pin.state == pytest.approx(0.5)
    gpio.release_parked("other")
    assert pin.frequency == 800.0
    after = GpioPwmOutput(18, frequency=1000.0, owner="reef")
    assert after.read() == {0: 5000}
    assert [state for _, state in pin.states if state != pytest.approx(0.5)] == []
    assert pin.frequency == 1000.0
    after.close()


def test_pins_nobody_took_back_are_released(factory: MockFactory) -> None:
    """A channel removed between two setups: its pin goes dark and free once the controller is set up again."""
    removed = GpioPwmOutput(19, owner="reef")
    removed.write({0: 10_000})
    removed.close()
    pin = factory.pin(19)
    assert pin.state == 1.0
    gpio.release_parked("reef")
    assert pin.frequency is None
    assert GpioPwmOutput(19, owner="reef").read() == {0: 0}


def test_a_pin_that_cannot_be_released_is_reported(factory: MockFactory) -> None:
    output = GpioPwmOutput(20, owner="reef")
    output.write({0: 1})
    output.close()
    device = gpio._parked[(output.pin_factory, 20)][1]
    close = device.close
    device.close = lambda: (_ for _ in ()).throw(RuntimeError("stuck"))
    with pytest.raises(HardwareError, match="stuck"):
        gpio.release_parked("reef")
    # The pin comes loose after all: released for real, so nothing fails later when it is collected.
    device.close = close
    device.close()


def test_a_pin_without_pwm_is_a_hardware_error(factory: MockFactory) -> None:
    factory.pin_class = MockPin
    with pytest.raises(HardwareError, match="GPIO5"):
        GpioPwmOutput(5).write({0: 1})


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="BCM pin must be 0-27"):
        GpioPwmOutput(28)
    with pytest.raises(ValueError, match="unknown pin factory 'pigpio'"):
        GpioPwmOutput(18, pin_factory="pigpio")
    with pytest.raises(ValueError, match="above 0 Hz"):
        GpioPwmOutput(18, frequency=0)
    output = GpioPwmOutput(18)
    with pytest.raises(ValueError, match="one output, 0"):
        output.write({1: 0})
    with pytest.raises(ValueError, match="duty must be 0-10000"):
        output.write({0: 10_001})


def test_a_named_factory_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(gpio.PIN_FACTORIES, "lgpio", ("gpiozero.pins.mock", "MockFactory"))
    monkeypatch.setattr(gpio, "_factories", {})
    monkeypatch.setenv("GPIOZERO_MOCK_PIN_CLASS", "mockpwmpin")
    first = GpioPwmOutput(20, pin_factory="lgpio")
    second = GpioPwmOutput(21, pin_factory="lgpio")
    first.write({0: 5000})
    second.write({0: 2500})
    factory = gpio._factories["lgpio"]
    assert isinstance(factory, MockFactory)
    assert factory.pin(20).state == pytest.approx(0.5)
    assert factory.pin(21).state == pytest.approx(0.25)
    first.close()
    second.close()


def test_a_missing_pin_library_is_a_hardware_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(gpio.PIN_FACTORIES, "rpigpio", ("bellas_reef_no_such_module", "Factory"))
    monkeypatch.setattr(gpio, "_factories", {})
    with pytest.raises(HardwareError, match="bellas_reef_no_such_module"):
        GpioPwmOutput(18, pin_factory="rpigpio").write({0: 1})
