"""PostgreSQL URLs without the driver: the form errors a URL can earn and its password kept out of sight.

Apart from ``postgres`` so that the config flow, diagnostics and system health can name and redact a URL without
importing psycopg, which loads only when a controller keeps its readings on a PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Sequence
import re
from urllib.parse import unquote

from .model import HistoryError

_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)", re.IGNORECASE)


class DatabaseUrlError(HistoryError):
    """A PostgreSQL URL cannot be used; each subclass is one form error of the config flow."""


class InvalidDatabaseUrlError(DatabaseUrlError):
    """The text is not a usable postgresql:// URL."""


class DatabaseUnreachableError(DatabaseUrlError):
    """No PostgreSQL server answered at that host and port."""


class DatabaseAuthError(DatabaseUrlError):
    """The server refused the user name or password."""


class DatabaseNotFoundError(DatabaseUrlError):
    """The server has no database of that name."""


class DatabasePermissionError(DatabaseUrlError):
    """The user may not create the readings tables in that database."""


def hide_secrets(url: str) -> tuple[str, list[str]]:
    """Return the URL with passwords masked, and the password texts to scrub from messages.

    The user part runs up to the last "@", so a password holding an unescaped "/", "?" or "@" is still
    hidden; anything that is not a URL is hidden whole.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return "***", [url]
    secrets: list[str] = []
    userinfo, at, hosts = rest.rpartition("@")
    if at and ":" in userinfo:
        user, _, password = userinfo.partition(":")
        secrets.append(password)
        rest = f"{user}:***@{hosts}"

    def hide(match: re.Match[str]) -> str:
        secrets.append(match.group(2))
        return f"{match.group(1)}***"

    rest = _QUERY_PASSWORD.sub(hide, rest)
    secrets += [unquote(secret) for secret in secrets]
    return f"{scheme}://{rest}", sorted({s for s in secrets if s}, key=len, reverse=True)


def scrub(text: str, secrets: Sequence[str]) -> str:
    """``text`` (an error message) with every one of ``secrets`` replaced by ***."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def redact_url(url: str) -> str:
    """The URL with its password replaced by ***, safe for logs, errors and diagnostics."""
    return hide_secrets(url)[0]
