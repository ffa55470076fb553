"""POSTing JSON to an address someone gave us (outgoing webhooks, Slack and Teams incoming webhooks): one way to
send, one reading of the answer, one way to describe a failure without leaking the address."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest

from collab.lib.urls import IPAddress, UnresolvableError, check_destination, redact

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
    host is resolved once and an address we must not reach is refused (``DestinationError``, a ``ValueError``);
    the connection then goes to the address that was checked (``PinnedAdapter``), never to a second answer of the
    resolver (DNS rebinding). A host that does not resolve, or connection trouble, raises
    ``requests.RequestException`` (worth a retry)."""
    try:
        addresses = check_destination(url)
    except UnresolvableError as exc:
        raise requests.ConnectionError(str(exc)) from exc
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: it would resolve the name again, elsewhere
        session.mount("http://", PinnedAdapter(addresses[0]))
        session.mount("https://", PinnedAdapter(addresses[0]))
        with session.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            text = response.raw.read(1024, decode_content=True).decode("utf-8", "replace")
            return response.status_code, text


class PinnedAdapter(HTTPAdapter):
    """A transport that connects to one address fixed in advance, whatever the URL's host resolves to now, and
    still speaks to the host by name: the Host header stays the URL's, and over https the certificate is checked
    against the host name (SNI and ``assert_hostname``), not against the address."""

    def __init__(self, address: IPAddress) -> None:
        super().__init__(max_retries=0)
        self.address = address

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        hostname = host_params["host"]
        host_params["host"] = str(self.address)
        if host_params["scheme"] == "https" and not _is_ip_literal(hostname or ""):
            pool_kwargs["server_hostname"] = hostname
            pool_kwargs["assert_hostname"] = hostname
        return host_params, pool_kwargs

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        # http.client would otherwise name the pinned address in Host; the receiver routes by the URL's name
        request.headers["Host"] = urlsplit(request.url or "").netloc.rsplit("@", 1)[-1]


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
