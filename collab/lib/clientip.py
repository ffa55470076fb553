"""The client's address, for throttles and security logs (django-axes and the API's bad-token limit alike).

``REMOTE_ADDR`` is the peer that connected to us. Only when that peer is one of ``TRUSTED_PROXIES`` (addresses or
networks, e.g. the load balancer) is ``X-Forwarded-For`` believed: it is read from the right, skipping the trusted
proxies, and the first address that is not one of them is the client. From any other peer the header is ignored,
so nobody dodges a throttle (or frames someone else) by sending one.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted_proxy(value: str) -> bool:
    address = _address(value)
    return address is not None and any(address in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: Any) -> str:
    """The client's address as a string (``"unknown"`` when the peer gave none)."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    if not peer or not is_trusted_proxy(peer):
        return peer or "unknown"
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()][-20:]
    for hop in reversed(hops):
        if _address(hop) is None:
            break  # a malformed hop: trust nothing left of it
        if not is_trusted_proxy(hop):
            return str(_address(hop))
    return peer


def client_ip_or_none(request: Any) -> str | None:
    """For django-axes, which stores the address in an address column: None when the peer gave none (the test
    client's ``force_login``, a management command), never the word ``unknown``."""
    found = client_ip(request)
    return None if found == "unknown" else found
