"""Generated input, plausible and hostile, and a bridge that lets hypothesis drive the running Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import json
from pathlib import Path
import re
import string
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from hypothesis import given, strategies as st

STRINGS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "custom_components/bellas_reef/strings.json").read_text()
)
EXCEPTIONS: dict[str, dict[str, str]] = STRINGS["exceptions"]

# Values a careless or hostile client sends where a number, a time or a name belongs.
HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["NaN", "nan", "inf", "-inf", "1e309", "", " ", "\x00", "../../etc", "24:00", "08:00:00.1"]
    ),
    st.sampled_from(["08:00+02:00", "9999-12-31", "0001-01-01", "0001-01-01T00:00:00", "x" * 10_000]),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(string.ascii_lowercase, max_size=5), st.integers(), max_size=3),
)


def times() -> st.SearchStrategy[str]:
    """Times of day, most of them well formed."""
    return st.one_of(
        st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 25), st.integers(0, 61)),
        st.builds(
            lambda h, m, s: f"{h:02d}:{m:02d}:{s:02d}",
            st.integers(0, 24),
            st.integers(0, 59),
            st.integers(0, 60),
        ),
        HOSTILE,
    )


def numbers(low: float, high: float) -> st.SearchStrategy[Any]:
    """Numbers around a field's range, and hostile values."""
    span = high - low
    return st.one_of(
        st.integers(int(low - span), int(high + span)),
        st.floats(low - span, high + span),
        st.sampled_from([low, high]),
        HOSTILE,
    )


def maybe(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of `fields`, each with a generated value."""
    return st.fixed_dictionaries({}, optional=fields)


def assert_translated(err: ServiceValidationError) -> None:
    """The error has a translation in strings.json, with every placeholder filled and none echoed at length."""
    assert err.translation_key in EXCEPTIONS, err.translation_key
    template = EXCEPTIONS[str(err.translation_key)]["message"]
    placeholders = err.translation_placeholders or {}
    missing = set(re.findall(r"\{(\w+)\}", template)) - set(placeholders)
    assert not missing, (err.translation_key, missing)
    assert all(len(value) <= 100 for value in placeholders.values()), placeholders
    assert str(err)


async def run_examples[T](
    hass: HomeAssistant, strategy: st.SearchStrategy[T], check: Callable[[T], Awaitable[None]]
) -> None:
    """Feed every generated example to `check` on Home Assistant's loop; hypothesis shrinks a failure."""
    loop = asyncio.get_running_loop()

    @given(strategy)
    def example(value: T) -> None:
        asyncio.run_coroutine_threadsafe(check(value), loop).result(timeout=60)

    await hass.async_add_executor_job(example)
