"""Hypothesis profiles for the property tests.

`scripts/test` runs the quick profile, the same examples every run so the suite stays reproducible for everyone;
`BELLAS_REEF_HYPOTHESIS=long` runs many more, freshly random each time, for hunting locally.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "quick",
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("BELLAS_REEF_HYPOTHESIS", "quick"))
