"""The rules Home Assistant's validator (hassfest) applies to the manifest and the translation strings."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "bellas_reef"
STRINGS = ("strings.json", "translations/en.json")
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def _texts(node: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in _texts(value, f"{path}.{key}")]
    return [(path, node)]


def stray_braces(strings: dict[str, Any]) -> list[str]:
    """Where a brace is not part of a {placeholder}: HA would read it as one and fail to format the text."""
    return [path for path, text in _texts(strings) if re.search(r"[{}]", PLACEHOLDER.sub("", text))]


def test_manifest_keys_are_domain_name_then_alphabetical() -> None:
    """hassfest wants `domain`, `name`, then the other keys in alphabetical order."""
    keys = list(json.loads((INTEGRATION / "manifest.json").read_text()))
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


@pytest.mark.parametrize("name", STRINGS)
def test_braces_only_in_placeholders(name: str) -> None:
    """A literal example such as [{"on": "08:00"}] in a description is parsed as a placeholder."""
    assert stray_braces(json.loads((INTEGRATION / name).read_text())) == []


def test_the_brace_rule_finds_an_example_in_a_description() -> None:
    """The rule above catches what hassfest reported, and leaves real placeholders alone."""
    strings = {
        "services": {"a": {"description": 'e.g. [{"on": "08:00"}]'}},
        "exceptions": {"b": {"message": "{name} must be a number, got {value}"}},
        "other": {"c": "a lone } brace", "d": "{not a placeholder}"},
    }
    assert stray_braces(strings) == [".services.a.description", ".other.c", ".other.d"]


def test_english_translation_is_strings_json() -> None:
    """Custom integrations load translations/en.json; strings.json is its source and must not drift from it."""
    strings, english = (json.loads((INTEGRATION / name).read_text()) for name in STRINGS)
    assert english == strings
