"""Strict headers on every page, and every POST refused without a CSRF token (walked from the URL conf)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.foundation.test_access import TOKEN_ONLY, _concrete, all_routes

pytestmark = pytest.mark.django_db
PAGES = [
    "/",
    "/snags/",
    "/projects/",
    "/liaisons/",
    "/meetings/",
    "/reviews/",
    "/notifications/",
    "/settings/notifications/",
    "/settings/tokens/",
    "/api/docs",
    "/accounts/login/",
]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_page(client_as, cmo, path):
    response = client_as(cmo).get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html and " style=" not in html


@pytest.mark.parametrize("route", [r for r in all_routes() if not r.startswith("healthz")])
def test_every_post_without_a_csrf_token_is_refused(cmo, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cmo)
    response = client.post(_concrete(route), {})
    # 403 from the CSRF check; 405 where the URL takes no POST at all. The API's operations take no session
    # (token only, never sent by a browser on its own), so a session's POST there is a 401, not a CSRF matter.
    refused = (401, 405) if TOKEN_ONLY.match(route) else (403, 405)
    assert response.status_code in refused, (route, response.status_code)


def test_permission_denials_and_csrf_failures_are_logged(cmo, caplog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cmo)
    with caplog.at_level(logging.WARNING, logger="collab.security"):
        client.post("/notifications/read-all/")
    assert any(getattr(r, "event", "") == "csrf_failure" for r in caplog.records)


def test_the_403_handler_logs_the_denial(cmo, caplog, rf):
    from django.core.exceptions import PermissionDenied

    from collab.views import permission_denied

    request = rf.post("/projects/ranking/")
    request.user = cmo
    with caplog.at_level(logging.WARNING, logger="collab.security"):
        response = permission_denied(request, PermissionDenied("Only executives reorder the ranking."))
    assert response.status_code == 403
    assert "Only executives reorder the ranking." in response.content.decode()
    record = next(r for r in caplog.records if getattr(r, "event", "") == "permission_denied")
    assert record.user == "cmo" and record.path == "/projects/ranking/"
