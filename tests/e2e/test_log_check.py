"""The check the session ends with finds what it must in a Home Assistant log, and only that."""

from __future__ import annotations

from .server import integration_problems

QUIET = """\
2026-01-31 12:00:00.100 WARNING (SyncWorker_0) [homeassistant.loader] We found a custom integration bellas_reef which has not been tested by Home Assistant. This component might cause stability problems
2026-01-31 12:00:00.200 INFO (MainThread) [custom_components.bellas_reef] Board 0x40 on bus 1 is back
2026-01-31 12:00:00.300 WARNING (MainThread) [custom_components.bellas_reef.coordinator] Probe pH failed 3 times; unavailable
2026-01-31 12:00:00.400 ERROR (MainThread) [homeassistant.components.radio_browser] Setup of config entry 'Radio Browser' for radio_browser integration cancelled
Traceback (most recent call last):
  File "/venv/homeassistant/components/radio_browser/__init__.py", line 27, in async_setup_entry
asyncio.exceptions.CancelledError: Home Assistant is stopping
"""
OUR_ERROR = """\
2026-01-31 12:00:01.000 ERROR (MainThread) [custom_components.bellas_reef.readings] The store failed
"""
TRACEBACK_THROUGH_US = """\
2026-01-31 12:00:02.000 ERROR (MainThread) [homeassistant.core] Error doing job: Task exception was never retrieved
Traceback (most recent call last):
  File "/config/custom_components/bellas_reef/light.py", line 120, in async_turn_on
ZeroDivisionError: division by zero
"""
COMPLAINT_ABOUT_US = """\
2026-01-31 12:00:03.000 WARNING (SyncWorker_6) [homeassistant.helpers.service] Unable to parse services.yaml for the bellas_reef integration: not a valid value
"""


def test_a_quiet_log_has_no_problems() -> None:
    assert integration_problems(QUIET) == []


def test_each_kind_of_problem_is_found() -> None:
    log = QUIET + OUR_ERROR + QUIET + TRACEBACK_THROUGH_US + COMPLAINT_ABOUT_US

    assert integration_problems(log) == [
        OUR_ERROR.rstrip("\n"),
        TRACEBACK_THROUGH_US.rstrip("\n"),
        COMPLAINT_ABOUT_US.rstrip("\n"),
    ]
