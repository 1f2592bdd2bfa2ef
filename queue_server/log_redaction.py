"""Secrets never reach the logs: uvicorn's access and websocket lines show each request's path
with its query string, so the values of query parameters that carry credentials are masked
(a kiosk's `?key=`, a websocket `?ticket=`, any `?token=` a client still sends)."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

SECRET_PARAMETERS = frozenset(
    {"token", "access_token", "ticket", "key", "api_key", "password", "secret", "csrf_token"}
)
MASK = "[redacted]"
UVICORN_LOGGERS = ("uvicorn.access", "uvicorn.error")
_QUERY = re.compile(r"\?([^\s\"]*)")


def _mask_pair(pair: str) -> str:
    name, equals, _value = pair.partition("=")
    # Decoded as the application decodes it: `k%65y=` is `key=` to the kiosk page too.
    if equals and unquote_plus(name).strip().lower() in SECRET_PARAMETERS:
        return f"{name}={MASK}"
    return pair


def _mask_query(match: re.Match[str]) -> str:
    pairs = re.split(r"([&;])", match.group(1))
    return "?" + "".join(_mask_pair(pair) if pair not in "&;" else pair for pair in pairs)


def redact(text: str) -> str:
    """`text` with the values of secret query parameters in any URL in it masked."""
    return _QUERY.sub(_mask_query, text) if "?" in text else text


class RedactSecrets(logging.Filter):
    """Masks secret query values in a record's arguments (uvicorn passes the path as one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Put the filter on uvicorn's loggers, once however often the app is made."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())
