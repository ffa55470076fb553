from __future__ import annotations

import pytest

from collab.notifications.models import Webhook
from tests.projects.conftest import goal, make_project, project, sales_head  # noqa: F401 - shared fixtures
from tests.reviews.conftest import review  # noqa: F401 - shared fixture


@pytest.fixture
def make_webhook(db):
    def make(url: str, events=("snag.created",), **extra) -> Webhook:
        hook = Webhook(name=extra.pop("name", "Receiver"), url=url, events=list(events), **extra)
        hook.full_clean()
        hook.save()
        return hook

    return make


from tests.notifications.conftest import probe_kind  # noqa: E402, F401 - shared fixture

#: the fake DNS of the integration tests: these names, "*.invalid" fails, any other name gets a public address
FAKE_DNS = {
    "localhost": ["127.0.0.1", "::1"],
    "localtest.me": ["127.0.0.1"],  # a real public name that resolves to loopback
    "metadata.example.net": ["169.254.169.254"],
    "mapped.example.net": ["::ffff:127.0.0.1"],
    "intranet.example.net": ["10.20.30.40"],
}


def fake_getaddrinfo(host, port, *args, **kwargs):
    import ipaddress
    import socket
    import zlib

    host = str(host).lower().rstrip(".")
    if host.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    found = FAKE_DNS.get(host) or [f"93.184.{zlib.crc32(host.encode()) % 200 + 1}.{len(host) % 250 + 1}"]
    return [
        (socket.AF_INET6 if ipaddress.ip_address(a).version == 6 else socket.AF_INET, socket.SOCK_STREAM, 6, "",
         (a, port))
        for a in found
    ]  # fmt: skip


@pytest.fixture(autouse=True)
def outgoing_rules_for_local_servers(settings, monkeypatch):
    """pytest-httpserver listens on localhost, so these tests turn on the test-only ``WEBHOOK_ALLOW_LOOPBACK``
    (loopback ports other than SITE_URL's) and add the local server to the chat hosts; and no test asks real DNS."""
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.CHAT_WEBHOOK_ALLOWED_HOSTS = [*settings.CHAT_WEBHOOK_ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    monkeypatch.setattr("collab.lib.urls._getaddrinfo", fake_getaddrinfo)
