"""Nothing the application answers may be kept by a shared or browser cache: every page, partial, export, feed
and API answer (including errors and redirects) is ``Cache-Control: private, no-store``; static files stay
cacheable."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.foundation.test_access import _concrete, all_routes

pytestmark = pytest.mark.django_db
GET_ROUTES = [r for r in all_routes() if not r.startswith("healthz")]


@pytest.mark.parametrize("persona", ["cmo", "cio", "liaison", "member", "admin_user"])
def test_every_url_answers_private_no_store_for_every_persona(request, client_as, persona):
    client = client_as(request.getfixturevalue(persona))
    missing = []
    for route in GET_ROUTES:
        path = "/" + _concrete(route)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(path, **headers)
            cache = response.get("Cache-Control", "")
            if "no-store" not in cache or "private" not in cache:
                missing.append((path, response.status_code, cache))
    assert missing == []


def test_anonymous_login_page_and_token_api_are_no_store():
    client = Client()
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]
    api = client.get("/api/snags", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api["Cache-Control"] == "private, no-store"


def test_static_files_stay_cacheable(settings):
    """WhiteNoise answers before the middleware (the finders stand in for collectstatic here)."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    assert finders.find("css/collab.css")
    response = Client().get(settings.STATIC_URL + "css/collab.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
