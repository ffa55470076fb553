"""Personal API tokens: made on the settings page and shown once, stored hashed, revoked and expired into 401s,
never more than their user; the rate limit; the docs page under our CSP; every operation refuses a missing token."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from collab.accounts.api_auth import api
from collab.accounts.models import ApiToken
from collab.accounts.services import api_token_create, api_token_revoke
from collab.accounts.views import NEW_TOKEN_KEY

pytestmark = pytest.mark.django_db

RANKING_QUERIES = 2  # the queries of GET /api/ranking itself, without authentication
TOKEN_RE = re.compile(r'value="(collab_[0-9a-f]{8}_[A-Za-z0-9_\-]+)"')


def test_the_settings_page_makes_a_token_shows_it_once_and_stores_only_its_hash(client_as, member):
    client = client_as(member)
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    made = client.post("/settings/tokens/", {"name": "deploy script", "expires_on": expires})
    # POST/redirect/GET: a reload of the page that shows the token never posts again
    assert made.status_code == 302 and made["Location"] == "/settings/tokens/"
    assert NEW_TOKEN_KEY in client.session
    response = client.get("/settings/tokens/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    html = response.content.decode()
    plaintext = TOKEN_RE.search(html).group(1)
    assert "not shown again" in html
    assert NEW_TOKEN_KEY not in client.session  # popped when shown: not left in the session store
    token = ApiToken.objects.get(user=member)
    assert token.name == "deploy script" and plaintext.startswith(f"collab_{token.prefix}_")
    secret = plaintext.split("_", 2)[2]
    assert token.hashed_secret == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in token.hashed_secret and plaintext not in repr(ApiToken.objects.values())
    # the reload shows the prefix, never the plaintext again, and makes no second token
    again = client.get("/settings/tokens/")
    assert "no-store" in again["Cache-Control"]
    assert "deploy script" in again.content.decode() and token.prefix in again.content.decode()
    assert plaintext not in again.content.decode()
    assert ApiToken.objects.filter(user=member).count() == 1
    # and the token works
    assert Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/snags").status_code == 200


def test_a_taken_prefix_is_drawn_again_not_a_server_error(client_as, member):
    taken = api_token_create(user=member, name="first").token.prefix
    draws = iter([taken, taken, "0badcafe"])
    with mock.patch("collab.accounts.services.secrets.token_hex", side_effect=lambda n: next(draws)):
        made = api_token_create(user=member, name="second")
    assert made.token.prefix == "0badcafe" and made.plaintext.startswith("collab_0badcafe_")
    assert sorted(ApiToken.objects.values_list("prefix", flat=True)) == sorted([taken, "0badcafe"])
    got = Client(headers={"Authorization": f"Bearer {made.plaintext}"}).get("/api/ranking")
    assert got.status_code == 200
    # through the page as well: a collision there is a 302 to the new token, not a 500 or a 422
    draws = iter([taken, "0ddba11a"])
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    with mock.patch("collab.accounts.services.secrets.token_hex", side_effect=lambda n: next(draws)):
        page = client_as(member).post("/settings/tokens/", {"name": "third", "expires_on": expires})
    assert page.status_code == 302
    assert ApiToken.objects.filter(user=member, prefix="0ddba11a", name="third").exists()


def test_a_token_expires_after_ninety_days_by_default_and_never_after_a_year(client_as, member):
    made = api_token_create(user=member, name="default")
    assert made.token.expires_at - made.token.created_at == timedelta(days=90)
    too_late = (timezone.localdate() + timedelta(days=400)).isoformat()
    response = client_as(member).post("/settings/tokens/", {"name": "forever", "expires_on": too_late})
    assert response.status_code == 422 and "at most 365 days" in response.content.decode()
    past = client_as(member).post("/settings/tokens/", {"name": "", "expires_on": "2020-01-01"})
    html = past.content.decode()
    assert past.status_code == 422 and "Give the token a name" in html and "after today" in html
    assert ApiToken.objects.filter(user=member).count() == 1  # nothing half-saved


def test_revoking_on_the_settings_page_turns_the_token_into_a_401(client_as, member, token_for):
    plaintext = token_for(member)
    token = ApiToken.objects.get(user=member)
    response = client_as(member).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    got = Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/snags")
    assert got.status_code == 401 and got.json() == {"detail": "This token was revoked."}
    assert got["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_or_sees_another_persons_token(client_as, member, cio, token_for):
    token_for(member, name="member's secret script")
    token = ApiToken.objects.get(user=member)
    response = client_as(cio).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "member's secret script" not in client_as(cio).get("/settings/tokens/").content.decode()
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, by=cio)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_a_401(member, token_for):
    plaintext = token_for(member)
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        got = Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/snags")
    assert got.status_code == 401 and got.json() == {"detail": "This token has expired."}


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Bearer collab_00000000_secret", "Basic dXNlcjpwYXNz", "Token abc"],
)
def test_an_unknown_or_malformed_token_is_a_401_json(member, token_for, header):
    real = token_for(member)
    tampered = real[:-2] + ("AA" if not real.endswith("AA") else "BB")
    for value in (header, f"Bearer {tampered}"):
        got = Client(headers={"Authorization": value} if value else {}).get("/api/snags")
        assert got.status_code == 401, value
        assert got["Content-Type"].startswith("application/json") and isinstance(got.json()["detail"], str)


def test_a_token_of_a_person_who_left_is_a_401(member, token_for):
    plaintext = token_for(member)
    member.is_active = False
    member.save()
    got = Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/snags")
    assert got.status_code == 401


def test_a_session_alone_does_not_open_the_api(client_as, member):
    got = client_as(member).get("/api/snags")
    assert got.status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(member, token_for, django_assert_num_queries):
    client = Client(headers={"Authorization": f"Bearer {token_for(member)}"})
    # the token and its user in one query, the UPDATE of last_used_at, then the ranking itself
    with django_assert_num_queries(RANKING_QUERIES + 2):
        client.get("/api/ranking")
    token = ApiToken.objects.get(user=member)
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(RANKING_QUERIES + 1):  # within the minute: no UPDATE
        client.get("/api/ranking")
    token.refresh_from_db()
    assert token.last_used_at == first


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, path


def test_every_operation_answers_401_json_without_a_token(member):
    """The permission matrix leaves /api/ to these tests: every operation of the schema, with no token, with a
    session but no token, and with a wrong token, is a 401 JSON answer, and nothing is written."""
    session = Client()
    session.force_login(member)
    values = {"code": "SNAG-1001", "pk": "1", "year": "2026", "quarter": "4"}
    count = 0
    for method, path in _operations():
        url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        for client in (Client(), session, Client(headers={"Authorization": "Bearer collab_deadbeef_nope"})):
            if method == "get":
                got = client.get(url)
            else:
                got = client.post(url, data="{}", content_type="application/json")
            assert got.status_code == 401, (method, url, got.status_code)
            assert "detail" in got.json()
            count += 1
    assert count >= 14 * 3


def test_the_rate_limit_answers_429_with_retry_after_per_user_not_per_token(member, cio, token_for, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    client = Client(headers={"Authorization": f"Bearer {token_for(member)}"})
    second_token = Client(headers={"Authorization": f"Bearer {token_for(member, name='other')}"})
    someone_else = Client(headers={"Authorization": f"Bearer {token_for(cio)}"})
    with time_machine.travel(timezone.now().replace(second=10), tick=False):
        codes = [client.get("/api/ranking").status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        limited = client.get("/api/ranking")
        assert limited.status_code == 429 and limited.json() == {"detail": "Too many requests; slow down."}
        assert limited["Retry-After"] == "50"
        # another token of the same person buys no more requests; another person has their own allowance
        assert second_token.get("/api/ranking").status_code == 429
        assert someone_else.get("/api/ranking").status_code == 200
    with time_machine.travel(timezone.now().replace(second=10) + timedelta(minutes=1), tick=False):
        assert client.get("/api/ranking").status_code == 200  # a new minute


def test_bad_tokens_from_one_address_are_slowed_down_with_429(member, token_for, settings):
    """Guessing tokens at speed: after API_FAILED_TOKENS_PER_MINUTE bad tokens an address gets 429s (a right
    token included) until the minute ends; other addresses are not affected; nothing is written."""
    settings.API_FAILED_TOKENS_PER_MINUTE = 3
    good = token_for(member)
    before = list(ApiToken.objects.values_list("pk", "last_used_at"))
    with time_machine.travel(timezone.now().replace(second=30), tick=False):
        guesses = [
            Client(headers={"Authorization": f"Bearer collab_{n:08x}_guess"}).get("/api/ranking") for n in range(4)
        ]
        assert [g.status_code for g in guesses] == [401, 401, 401, 429]
        assert guesses[-1]["Retry-After"] == "30" and guesses[-1].json() == {"detail": "Too many requests; slow down."}
        right = Client(headers={"Authorization": f"Bearer {good}"}).get("/api/ranking")
        assert right.status_code == 429
        assert list(ApiToken.objects.values_list("pk", "last_used_at")) == before  # not even last_used_at
        elsewhere = Client(REMOTE_ADDR="10.0.0.7", headers={"Authorization": f"Bearer {good}"})
        assert elsewhere.get("/api/ranking").status_code == 200
    with time_machine.travel(timezone.now().replace(second=30) + timedelta(minutes=1), tick=False):
        assert Client(headers={"Authorization": f"Bearer {good}"}).get("/api/ranking").status_code == 200


def test_the_rate_limit_fails_open_when_the_cache_is_down(member, token_for, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    client = Client(headers={"Authorization": f"Bearer {token_for(member)}"})
    with mock.patch("collab.accounts.api_auth.cache.add", side_effect=ConnectionError("cache down")):
        assert [client.get("/api/ranking").status_code for _ in range(3)] == [200, 200, 200]


def test_the_docs_page_runs_under_our_csp_without_a_cdn(client_as, member):
    response = client_as(member).get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the Swagger UI scripts are on the page"
    for attrs, body in scripts:
        src = re.search(r'src="([^"]+)"', attrs).group(1)
        assert src.startswith("/static/"), src  # our static files, never a CDN
        assert body.strip() == ""  # no inline script
    assert "http://" not in html and "https://" not in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    schema = client_as(member).get("/api/openapi.json")
    assert schema.status_code == 200 and "/api/snags" in schema.json()["paths"]


def test_the_docs_and_the_schema_need_a_session_like_every_page():
    for url in ("/api/docs", "/api/openapi.json"):
        got = Client().get(url)
        assert got.status_code == 302 and got["Location"].startswith("/accounts/login/")


def test_a_script_fetches_the_schema_with_its_token_but_not_the_docs(member, token_for):
    """Scripts generate clients from /api/openapi.json, so a token opens it; the docs page stays for people."""
    script = Client(headers={"Authorization": f"Bearer {token_for(member)}"})
    schema = script.get("/api/openapi.json")
    assert schema.status_code == 200 and set(schema.json()["paths"]) == set(api.get_openapi_schema()["paths"])
    assert script.get("/api/docs").status_code == 302  # the docs: session only
    for header in ("Bearer collab_deadbeef_nope", "Basic dXNlcjpwYXNz"):
        got = Client(headers={"Authorization": header}).get("/api/openapi.json")
        assert got.status_code == 401 and isinstance(got.json()["detail"], str), header
        assert got["WWW-Authenticate"].startswith("Bearer")
    member.is_active = False
    member.save()
    assert script.get("/api/openapi.json").status_code == 401


def test_an_administrator_revokes_a_leaked_token_in_the_admin(client_as, admin_user, member, token_for):
    plaintext = token_for(member)
    token = ApiToken.objects.get(user=member)
    client = client_as(admin_user)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200 and token.prefix in listing.content.decode()
    assert token.hashed_secret not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/ranking").status_code == 401
