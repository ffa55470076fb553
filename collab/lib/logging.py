"""Structured (JSON) log lines for production, one object per line."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload)


# --- secrets in request paths never reach a log ------------------------------------------------------------------
#: a calendar feed's token, a password-reset link's uid and token, and secrets passed as query parameters
_SECRET_PATHS = [
    (re.compile(r"(/calendar/feed/)[^/\s?#\"']+(\.ics)"), r"\1[redacted]\2"),
    (re.compile(r"(/accounts/reset/)[^/\s?#\"']+/[^/\s?#\"']+"), r"\1[redacted]/[redacted]"),
    (re.compile(r"((?:^|[?&\s])(?:token|key|secret|code|state|password|access_token|id_token_hint)=)[^&\s#\"']*",
                re.I), r"\1[redacted]"),
]  # fmt: skip


def redact_secrets(text: str) -> str:
    """``text`` with feed tokens, reset tokens and secret query parameters replaced by ``[redacted]``."""
    for pattern, replacement in _SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """On the handlers: every record's message and extra fields leave without the secrets of a URL (Django's
    ``django.server`` and ``django.request`` lines name the path; a ``request`` extra's repr names it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        for key, value in list(vars(record).items()):
            if key in _RESERVED or key.startswith("_"):
                continue
            if isinstance(value, str):
                setattr(record, key, redact_secrets(value))
            elif hasattr(value, "path") and hasattr(value, "method"):  # an HttpRequest
                setattr(record, key, redact_secrets(repr(value)))
        return True
