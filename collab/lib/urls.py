"""Checks for URLs we send data to, and links we hand out.

Two kinds of destination, two sets of rules:

- **Chat webhooks** (a person's own Slack / Teams URL, a team channel's): ``https`` on one of the hosts in
  ``CHAT_WEBHOOK_ALLOWED_HOSTS`` for that service. Any employee sets these, so nothing else is allowed.
- **Outgoing webhooks** (registered by an admin): ``http(s)``; the host is resolved (``getaddrinfo``, with
  ``WEBHOOK_DNS_TIMEOUT_SECONDS``) when the URL is saved *and* again before every send, and an address that is
  the app itself (loopback, including IPv4-mapped ``::ffff:127.0.0.1``; ``0.0.0.0``/``::``; our own names) or
  link-local / cloud metadata (``169.254.0.0/16``, ``fe80::/10``) is refused. Private ranges (10/8, …) are
  allowed for internal receivers unless ``WEBHOOK_ALLOW_PRIVATE`` is off.

``WEBHOOK_ALLOW_LOOPBACK`` (tests only, off by default) lets loopback ports other than SITE_URL's through, and
plain http to a loopback chat host, which is what a local test server (pytest-httpserver) needs.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.request import validate_host

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
#: cloud metadata services outside the link-local range (AWS IPv6, Alibaba)
METADATA_ADDRESSES = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_getaddrinfo = socket.getaddrinfo  # tests swap this for a fake resolver; nothing else should


class DestinationError(ValueError):
    """A URL we must not send to; ``code`` says why (``self``, ``loopback``, ``link_local``, ``private``, ``dns``)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class UnresolvableError(DestinationError):
    """The host name did not resolve (in time): maybe later, so a send retries, a save is refused."""


def absolute_url(path: str) -> str:
    """A link for outside the browser (email, chat, webhooks, calendars): SITE_URL + path; full URLs pass through,
    and no path is the home page."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + (path if path.startswith("/") else "/" + path)


# --- redaction -------------------------------------------------------------------------------
_URL_RE = re.compile(r"\b([a-z][a-z0-9+.-]*)://([^/\s'\"<>?#]+)[^\s'\"<>]*", re.IGNORECASE)
# urllib3's "Max retries exceeded with url: /services/T0/B0/secret (Caused by …)" carries the path alone
_URL_PATH_RE = re.compile(r"(\burl: )/\S*", re.IGNORECASE)
_SLACK_TOKEN_RE = re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    """Error text safe to store and log: URLs keep their host only (chat webhook paths are credentials), request
    paths and Slack tokens are cut out."""
    text = _URL_RE.sub(lambda m: f"{m.group(1)}://{m.group(2).rsplit('@', 1)[-1]}/…", text)
    text = _URL_PATH_RE.sub(r"\1/…", text)
    return _SLACK_TOKEN_RE.sub("xox…", text)


# --- the app itself, by name -----------------------------------------------------------------
def _as_ip(host: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return _unwrap(address)


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped (``::ffff:127.0.0.1``) or 6to4 IPv6 address: Python 3.11 judges the
    wrapper, not what it reaches."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None:
            return inner
    return address


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = _as_ip(host)
    return address is not None and (address.is_loopback or address.is_unspecified)


def _port(scheme: str, port: int | None) -> int:
    return port or (443 if scheme == "https" else 80)


def _site_port() -> int:
    site = urlsplit(settings.SITE_URL)
    return _port(site.scheme, site.port)


def _matches_allowed_host(host: str) -> bool:
    """One of our names in ALLOWED_HOSTS, by Django's own matching (``.example.com`` covers its subdomains); "*"
    and loopback names are no names of ours (loopback is judged on its own)."""
    ours = [p for p in settings.ALLOWED_HOSTS if p != "*" and not _is_loopback(p.strip("[]"))]
    return bool(host) and validate_host(host, ours)


def points_at_us(url: str) -> bool:
    """Whether ``url`` names this app: its SITE_URL, a name in ALLOWED_HOSTS, or our own port on loopback. Names
    only; ``check_destination`` also resolves them."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    site_host = (urlsplit(settings.SITE_URL).hostname or "").lower()
    try:
        port = _port(parts.scheme, parts.port)
    except ValueError:
        return False
    if host == site_host and port == _site_port():
        return True
    if _is_loopback(host) and port == _site_port():  # our own port on this machine
        return True
    return _matches_allowed_host(host)


# --- resolving and judging addresses ---------------------------------------------------------
def resolve(host: str, port: int, timeout: float | None = None) -> list[IPAddress]:
    """Every address ``host`` resolves to, within ``timeout`` seconds (a stuck resolver must not hold a form or a
    worker); raises ``UnresolvableError``. An IP literal needs no lookup."""
    literal = _as_ip(host)
    if literal is not None:
        return [literal]
    timeout = settings.WEBHOOK_DNS_TIMEOUT_SECONDS if timeout is None else timeout
    found: dict[str, Any] = {}

    def lookup() -> None:
        try:
            found["infos"] = _getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as exc:
            found["error"] = exc

    worker = threading.Thread(target=lookup, name="collab-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    if "infos" not in found:
        reason = "timed out" if worker.is_alive() else "no such host"
        raise UnresolvableError(f"The host name {host!r} could not be looked up ({reason}).", code="dns")
    addresses = []
    for info in found["infos"]:
        try:
            addresses.append(_unwrap(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])))
        except ValueError:
            continue
    if not addresses:
        raise UnresolvableError(f"The host name {host!r} has no address.", code="dns")
    return addresses


def address_problem(address: IPAddress, port: int) -> DestinationError | None:
    """Why we must not connect to ``address``:``port``, or None."""
    address = _unwrap(address)
    if address.is_loopback or address.is_unspecified:
        if not settings.WEBHOOK_ALLOW_LOOPBACK or port == _site_port():
            return DestinationError("This address is this server itself (loopback); use the receiver's.", "loopback")
        return None
    if address.is_link_local or address in METADATA_ADDRESSES:
        return DestinationError("Link-local and cloud metadata addresses are not allowed.", "link_local")
    if address.is_multicast or address.is_reserved:
        return DestinationError("This address cannot receive webhooks.", "reserved")
    if not settings.WEBHOOK_ALLOW_PRIVATE and not address.is_global:
        return DestinationError("Private network addresses are switched off here (WEBHOOK_ALLOW_PRIVATE).", "private")
    return None


def check_destination(url: str) -> list[IPAddress]:
    """Resolve ``url``'s host and refuse it if any address is one we must not reach (the app itself, loopback,
    link-local, metadata, private where switched off). Called when a URL is saved and before every send (DNS can
    change in between). Returns the addresses; raises ``DestinationError``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    port = _port(parts.scheme, parts.port)
    if points_at_us(url):
        raise DestinationError("This address points at Collab itself; use the receiving system's address.", "self")
    addresses = resolve(host, port)
    for address in addresses:
        problem = address_problem(address, port)
        if problem is not None:
            raise problem
    return addresses


# --- validators ------------------------------------------------------------------------------
def _shape(value: str, schemes: tuple[str, ...]) -> Any:
    parts = urlsplit(value or "")
    if parts.scheme not in schemes:
        message = "Use an https:// address." if schemes == ("https",) else "Use an http:// or https:// address."
        raise ValidationError(message, code="scheme")
    if not parts.hostname:
        raise ValidationError("The address needs a host name.", code="host")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValidationError("The port in this address is not valid.", code="port") from exc
    if parts.username or parts.password:
        raise ValidationError("Leave passwords out of the address.", code="credentials")
    return parts


def validate_outgoing_url(value: str) -> None:
    """An admin's webhook URL: http(s), and its host resolves to nowhere we must not send (see the module doc)."""
    _shape(value, ("http", "https"))
    try:
        check_destination(value)
    except UnresolvableError as exc:
        raise ValidationError(f"{exc} Check the address, or try again in a moment.", code="dns") from exc
    except DestinationError as exc:
        raise ValidationError(str(exc), code=exc.code) from exc


def chat_allowed_hosts(service: str) -> list[str]:
    """The host patterns of ``CHAT_WEBHOOK_ALLOWED_HOSTS`` for one service: ``slack=hooks.slack.com`` applies to
    Slack only, a bare pattern to every service; ``.example.com`` covers the subdomains."""
    patterns = []
    for entry in settings.CHAT_WEBHOOK_ALLOWED_HOSTS:
        name, sep, pattern = entry.strip().rpartition("=")
        if not sep or name.strip().lower() == service:
            patterns.append(pattern.strip().lower())
    return [p for p in patterns if p]


def validate_chat_webhook_url(value: str, service: str) -> None:
    """A Slack or Teams incoming-webhook URL, which any employee may set: https on that service's known hosts.
    (Plain http is let through only to a loopback host, and only with the test setting ``WEBHOOK_ALLOW_LOOPBACK``.)"""
    parts = urlsplit(value or "")
    local_test = settings.WEBHOOK_ALLOW_LOOPBACK and _is_loopback(parts.hostname or "")
    parts = _shape(value, ("http", "https") if local_test else ("https",))
    host = (parts.hostname or "").lower().rstrip(".")
    allowed = chat_allowed_hosts(service)
    if not validate_host(host, allowed):
        shown = ", ".join(p.lstrip(".") for p in allowed) or "none configured"
        raise ValidationError(
            f"Use the webhook address {service.capitalize()} gave you (its host must be one of: {shown}).",
            code="chat_host",
        )
    if points_at_us(value):
        raise ValidationError("This address points at Collab itself.", code="self")
