"""POSTing JSON to an address someone gave us (outgoing webhooks, Slack and Teams incoming webhooks): one way to
send, one reading of the answer."""

from __future__ import annotations

import requests

from collab.lib.urls import points_at_us

#: 4xx answers that mean "later", not "never"; every 5xx means later too
RETRY_STATUSES = frozenset({408, 425, 429})


def is_transient(status: int) -> bool:
    """Whether a failed answer is worth retrying (the receiver is down or busy) rather than giving up (a wrong or
    revoked address)."""
    return status >= 500 or status in RETRY_STATUSES


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST ``body`` and return (status, the first KB of the answer, for logs). Redirects are never followed and an
    address of Collab itself is refused (``ValueError``); connection trouble raises ``requests.RequestException``."""
    if points_at_us(url):
        raise ValueError("The address points at Collab itself.")
    with requests.post(
        url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
    ) as response:
        text = response.raw.read(1024, decode_content=True).decode("utf-8", "replace")
        return response.status_code, text
