"""Every page needs login (walked from the URL conf), login/logout work, and failures lock out."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Pages open without login: logging in and out, password reset, the health check, and the
# secret-token calendar feed (which 404s on a wrong token).
PUBLIC = re.compile(r"^(accounts/(login|logout|password_reset)|healthz|accounts/reset/|calendar/feed/)")
# The REST API's operations authenticate by token, not by session: without one they answer 401 JSON (its docs
# and schema are pages, behind the login like the rest).
TOKEN_ONLY = re.compile(r"^api/(?!docs$|openapi\.json$|$)")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str) -> str:
    """A URL for a route, with made-up values for its converters."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(str|slug):[^>]+>", "x", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<path:[^>]+>", "x", route)
    route = re.sub(r"<[^>]+>", "x", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    route = re.sub(r"[\^$?*+()\[\]]", "", route)
    return "/" + route


def all_routes() -> list[str]:
    return sorted({r for r in _walk(get_resolver().url_patterns) if not r.startswith("admin/")})


@pytest.mark.django_db
@pytest.mark.parametrize("route", all_routes())
def test_every_url_needs_login(route):
    url = _concrete(route)
    client = Client()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if PUBLIC.match(route):
            assert response.status_code != 500
            continue
        if TOKEN_ONLY.match(route):
            assert response.status_code in (401, 405), (method, url, response.status_code)
            continue
        assert response.status_code in (302, 403, 404, 405), (method, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (method, url)


def test_url_walk_finds_the_main_pages():
    routes = all_routes()
    for expected in ("", "snags/", "projects/", "liaisons/", "meetings/", "reviews/", "healthz"):
        assert expected in routes


@pytest.mark.django_db
def test_login_page_has_labelled_fields():
    response = Client().get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Username' in html
    assert '<label for="id_password">Password' in html


@pytest.mark.django_db
def test_login_then_nav_then_logout(cmo):
    client = Client()
    response = client.post("/accounts/login/", {"username": "cmo", "password": "correct horse battery staple"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    for label, href in [
        ("Dashboard", "/"),
        ("Parking lot", "/snags/"),
        ("Projects", "/projects/"),
        ("Liaisons", "/liaisons/"),
        ("Meetings", "/meetings/"),
        ("Reviews", "/reviews/"),
    ]:
        assert f'href="{href}"' in page and label in page
    assert "Claire Moreau" in page
    assert "Log out" in page
    assert 'class="skip-link"' in page
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_logout_by_get_is_refused(cmo):
    client = Client()
    client.force_login(cmo)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_shows_a_message(cmo):
    response = Client().post("/accounts/login/", {"username": "cmo", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(cmo, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cmo", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "cmo", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_change_signs_out_other_sessions(cmo):
    other = Client()
    other.force_login(cmo)
    me = Client()
    me.force_login(cmo)
    response = me.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": "A much longer pass 42!",
            "new_password2": "A much longer pass 42!",
        },
    )
    assert response.status_code == 302
    assert me.get("/").status_code == 200
    assert other.get("/").status_code == 302


@pytest.mark.django_db
def test_weak_password_is_refused(cmo):
    me = Client()
    me.force_login(cmo)
    response = me.post(
        "/accounts/password_change/",
        {"old_password": "correct horse battery staple", "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


@pytest.mark.django_db
def test_a_session_expires_after_its_age(cmo, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    client = Client()
    client.force_login(cmo)
    assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
