"""The client address behind a proxy: X-Forwarded-For is believed only from TRUSTED_PROXIES, for django-axes and
the API's bad-token limit alike."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from collab.accounts import api_auth
from collab.lib.clientip import client_ip


def _request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "203.0.113.5", "1.2.3.4", "203.0.113.5"),  # no proxy configured: the header is anyone's words
        (["10.0.0.0/8"], "203.0.113.5", "1.2.3.4", "203.0.113.5"),  # not from the proxy: ignored, not spoofable
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client prepended a lie
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies of ours
        (["10.0.0.0/8"], "10.0.0.2", "not-an-ip", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["::1"], "::1", "2001:db8::1", "2001:db8::1"),
        ([], "", None, "unknown"),
    ],
)
def test_the_forwarded_address_counts_only_from_a_trusted_proxy(settings, trusted, peer, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = _request(peer, forwarded)
    assert client_ip(request) == expected
    assert api_auth.client_ip(request) == expected  # the API's bad-token limit reads the same address


def test_axes_reads_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert get_client_ip_address(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    assert get_client_ip_address(_request("203.0.113.5", "198.51.100.7")) == "203.0.113.5"
