"""POSTing JSON to an address someone gave us (outgoing webhooks, Slack and Teams incoming webhooks): one way to
send, one reading of the answer, one way to describe a failure without leaking the address."""

from __future__ import annotations

import requests

from collab.lib.urls import UnresolvableError, check_destination, redact

#: 4xx answers that mean "later", not "never"; every 5xx means later too
RETRY_STATUSES = frozenset({408, 425, 429})


def is_transient(status: int) -> bool:
    """Whether a failed answer is worth retrying (the receiver is down or busy) rather than giving up (a wrong or
    revoked address)."""
    return status >= 500 or status in RETRY_STATUSES


def describe_error(exc: BaseException) -> str:
    """``Type: message`` for logs and delivery rows, with URLs, request paths and tokens cut out (requests puts the
    path of a chat webhook, a credential, into its connection errors)."""
    return redact(f"{type(exc).__name__}: {exc}")


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST ``body`` and return (status, the first KB of the answer, for logs). Redirects are never followed; the
    host is resolved first and an address we must not reach is refused (``DestinationError``, a ``ValueError``);
    a host that does not resolve, or connection trouble, raises ``requests.RequestException`` (worth a retry)."""
    try:
        check_destination(url)
    except UnresolvableError as exc:
        raise requests.ConnectionError(str(exc)) from exc
    with requests.post(
        url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
    ) as response:
        text = response.raw.read(1024, decode_content=True).decode("utf-8", "replace")
        return response.status_code, text
