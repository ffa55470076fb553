"""Outgoing requests connect to the address that was checked (``collab.lib.http.post``): a resolver that answers
a public address to the check and loopback to the connection (DNS rebinding) gets nothing delivered to loopback,
and https to a pinned address still verifies the certificate against the host name."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl

import pytest
import requests
import urllib3.util.connection
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer

from collab.lib import http
from collab.notifications import webhooks
from tests.integrations.conftest import FAKE_DNS

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"


@pytest.fixture
def rebinding_dns(monkeypatch):
    """``rebind.example.net`` answers a public address the first time it is asked, loopback every time after;
    installed both where the app resolves and in ``socket`` (where requests/urllib3 would resolve again)."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolver(host, port, *args, **kwargs):
        name = str(host).lower().rstrip(".")
        if name != "rebind.example.net":
            return real(host, port, *args, **kwargs)
        asked.append(name)
        address = PUBLIC if len(asked) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr("collab.lib.urls._getaddrinfo", resolver)
    return asked


@pytest.fixture
def connections(monkeypatch):
    """Every address urllib3 connects to; a public one is refused at once (the tests have no internet)."""
    real = urllib3.util.connection.create_connection
    seen: list[str] = []

    def connect(address, *args, **kwargs):
        host = address[0]
        seen.append(host)
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise ConnectionRefusedError(f"no route to {host} in the tests")
        except ValueError:
            pass  # a name: urllib3 resolves it itself (what the rebinding attack relies on)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    return seen


def test_a_webhook_whose_dns_rebinds_to_loopback_never_reaches_the_loopback_listener(
    make_webhook, httpserver, settings, rebinding_dns, connections
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    hook = make_webhook(f"http://rebind.example.net:{httpserver.port}/hook")  # saved: the first, public answer
    settings.WEBHOOK_ALLOW_LOOPBACK = False  # the production rules
    rebinding_dns.clear()  # at send time, too, the check gets the public answer first
    (pk,) = webhooks.webhook_emit(event="snag.created", payload={"secret": "signed"})
    outcome = webhooks.webhook_attempt(delivery_id=pk)
    assert httpserver.log == []  # nothing signed arrived on loopback
    assert connections == [PUBLIC]  # the connection went to the address that was checked, and only there
    assert rebinding_dns == ["rebind.example.net"]  # resolved once
    assert outcome.status == "pending" and outcome.retry_in  # the public receiver was unreachable: retried later
    del hook


def test_chat_posts_are_pinned_the_same_way(httpserver, settings, rebinding_dns, connections):
    httpserver.expect_request("/services/T0/B0/x").respond_with_data("ok")
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(requests.ConnectionError):
        http.post(
            f"http://rebind.example.net:{httpserver.port}/services/T0/B0/x",
            body=b"{}",
            headers={"Content-Type": "application/json"},
            timeout=2,
        )
    assert httpserver.log == [] and connections == [PUBLIC]


def test_a_normal_receiver_gets_the_post_with_its_own_host_name(httpserver, connections):
    httpserver.expect_request("/in", method="POST").respond_with_data("thanks", status=202)
    status, text = http.post(
        f"http://localhost:{httpserver.port}/in", body=b'{"a": 1}', headers={"X-Test": "1"}, timeout=5
    )
    assert (status, text) == (202, "thanks")
    (request, _), = httpserver.log  # fmt: skip
    assert request.headers["Host"] == f"localhost:{httpserver.port}"  # not the pinned address
    assert request.get_data() == b'{"a": 1}' and request.headers["X-Test"] == "1"
    assert connections == ["127.0.0.1"]  # localhost's first address in the fake DNS, checked then used


def _certificates(tmp_path, name: str):
    """A CA and a server certificate for ``name`` signed by it; returns (ca file, server SSL context)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Collab test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return str(ca_file), context


@pytest.mark.parametrize(("certificate_for", "delivered"), [("hooks.example.org", True), ("evil.example.org", False)])
def test_https_to_the_pinned_address_checks_the_certificate_against_the_host_name(
    tmp_path, monkeypatch, certificate_for, delivered
):
    ca_file, context = _certificates(tmp_path, certificate_for)
    monkeypatch.setattr("requests.adapters.DEFAULT_CA_BUNDLE_PATH", ca_file)  # trust our test CA, only it
    monkeypatch.setitem(FAKE_DNS, "hooks.example.org", ["127.0.0.1"])
    server = HTTPServer(host="127.0.0.1", ssl_context=context)
    server.expect_request("/in").respond_with_data("ok")
    server.start()
    try:
        url = f"https://hooks.example.org:{server.port}/in"
        if delivered:
            assert http.post(url, body=b"{}", headers={}, timeout=5) == (200, "ok")
            (request, _), = server.log  # fmt: skip
            assert request.headers["Host"] == f"hooks.example.org:{server.port}"
        else:
            with pytest.raises(requests.exceptions.SSLError):
                http.post(url, body=b"{}", headers={}, timeout=5)
            assert server.log == []
    finally:
        server.clear()
        server.stop()
