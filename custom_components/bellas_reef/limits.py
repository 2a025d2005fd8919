"""Settings checked against their limits, for the pure packages (no Home Assistant imports).

A setting a package cannot use raises that package's `SettingError` subclass, whose translation keys start with
its `prefix`: `<prefix>_not_a_number` and `<prefix>_out_of_range`.
"""

from __future__ import annotations

import math
from typing import ClassVar


class SettingError(ValueError):
    """A setting that cannot be used, with a translation key and placeholders for the keeper."""

    prefix: ClassVar[str]

    def __init__(self, translation_key: str, **placeholders: object) -> None:
        """Keep the key and placeholders; the message is for the log."""
        self.translation_key = translation_key
        self.placeholders = {key: str(value) for key, value in placeholders.items()}
        super().__init__(f"{translation_key}: {self.placeholders}")

    @classmethod
    def checked(cls, name: str, value: float, low: float, high: float) -> float:
        """`value` as a float when it is a finite number from `low` to `high`; else this error, naming it."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise cls(f"{cls.prefix}_not_a_number", name=name, value=value)
        if not low <= value <= high:
            raise cls(f"{cls.prefix}_out_of_range", name=name, value=value, minimum=low, maximum=high)
        return float(value)
