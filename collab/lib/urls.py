"""Checks for URLs we send data to (outgoing webhooks, chat webhooks): http(s) only, and never the app itself."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.request import validate_host

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def absolute_url(path: str) -> str:
    """A link for outside the browser (email, chat, webhooks, calendars): SITE_URL + path; full URLs pass through,
    and no path is the home page."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + (path if path.startswith("/") else "/" + path)


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _port(scheme: str, port: int | None) -> int:
    return port or (443 if scheme == "https" else 80)


def _matches_allowed_host(host: str) -> bool:
    """One of our names in ALLOWED_HOSTS, by Django's own matching (``.example.com`` covers its subdomains); "*"
    and loopback names are no names of ours (loopback is judged by port above)."""
    ours = [p for p in settings.ALLOWED_HOSTS if p != "*" and not _is_loopback(p.strip("[]"))]
    return bool(host) and validate_host(host, ours)


def points_at_us(url: str) -> bool:
    """Whether ``url`` reaches this app: its SITE_URL, a name in ALLOWED_HOSTS, or our own port on loopback.

    Loopback on another port is another program on the same machine (a local relay, a test server) and allowed."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    site = urlsplit(settings.SITE_URL)
    site_host = (site.hostname or "").lower()
    try:
        port = _port(parts.scheme, parts.port)
    except ValueError:
        return False
    site_port = _port(site.scheme, site.port)
    if host == site_host and port == site_port:
        return True
    if _is_loopback(host) and port == site_port:  # our own port on this machine
        return True
    return _matches_allowed_host(host)


def validate_outgoing_url(value: str) -> None:
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https"):
        raise ValidationError("Use an http:// or https:// address.", code="scheme")
    if not parts.hostname:
        raise ValidationError("The address needs a host name.", code="host")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValidationError("The port in this address is not valid.", code="port") from exc
    if parts.username or parts.password:
        raise ValidationError("Leave passwords out of the address.", code="credentials")
    if points_at_us(value):
        raise ValidationError("This address points at Collab itself; use the receiving system's address.", code="self")
