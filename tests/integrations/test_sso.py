"""Single sign-on end to end against a real OpenID Connect provider (oidc-provider-mock, a Flask app started
on localhost by the test): the Django test client drives Collab, ``requests`` plays the browser at the
provider. Sign-in, first-time creation, role and department mapping, a missing claim, logout."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import authenticate
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory

from collab.accounts.models import User
from collab.accounts.sso import check_issuer_set
from tests.factories import UserFactory

if os.environ.get("CI", "").lower() == "true":
    import oidc_provider_mock  # on CI a missing provider is a failure, never a quiet skip
else:
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider():
    import os

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the provider runs on plain http on localhost
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"
    os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)


@pytest.fixture
def sso(provider, settings):
    settings.OIDC_ISSUER = provider
    settings.OIDC_RP_CLIENT_ID = "collab-test"
    settings.OIDC_RP_CLIENT_SECRET = "not-so-secret"
    settings.OIDC_PROVIDER_NAME = "Acme ID"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_CLAIM_DEPARTMENT = "department"
    settings.OIDC_CLAIM_TITLE = "job_title"
    settings.OIDC_CLAIM_GROUPS = "groups"
    settings.OIDC_GROUP_ROLES = {"collab-executives": "executive", "collab-liaisons": "liaison"}
    return provider


def _sign_in(client: Client, provider: str, sub: str, claims: dict, next_url: str = "/snags/"):
    """The browser's part: Collab → provider (pick the user) → Collab's callback."""
    assert requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).status_code == 204
    start = client.get(f"/accounts/sso/start/?next={next_url}")
    assert start.status_code == 302 and start["Location"].startswith(f"{provider}/oauth2/authorize?")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["client_id"] == ["collab-test"] and query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]
    at_provider = requests.post(start["Location"], data={"sub": sub}, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text[:500]
    back = urlsplit(at_provider.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


CLAIMS = {
    "email": "nina.ops@example.com",
    "given_name": "Nina",
    "family_name": "Okoye",
    "preferred_username": "nina.ops",
    "department": "IT",
    "job_title": "Head of platform",
    "groups": ["staff", "collab-executives"],
}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _users():
    return sorted(User.objects.values_list("username", "email", "sso_subject", "role", "department", "first_name"))


def test_first_sign_in_creates_the_person_with_department_and_role_then_updates_them(sso):
    client = Client()
    landed = _sign_in(client, sso, "sub-nina", CLAIMS)
    assert landed.status_code == 302 and landed["Location"] == "/snags/"
    user = User.objects.get(sso_subject="sub-nina")
    assert (user.username, user.email, user.first_name, user.department, user.role, user.job_title) == (
        "nina.ops", "nina.ops@example.com", "Nina", "it", "executive", "Head of platform"
    )  # fmt: skip
    assert not user.has_usable_password()
    assert client.get("/snags/").status_code == 200  # signed in for real
    # next time the provider says she moved to marketing and left the executives' group
    again = Client()
    _sign_in(again, sso, "sub-nina", {**CLAIMS, "department": "marketing", "groups": ["staff"]}, next_url="/")
    assert User.objects.filter(email__iexact="nina.ops@example.com").count() == 1
    user.refresh_from_db()
    assert (user.department, user.role) == ("marketing", "member")


def _member_without_password(**kwargs):
    user = UserFactory(role="member", **kwargs)
    user.set_unusable_password()
    user.save()
    return user


def test_an_existing_account_with_the_same_email_is_linked_not_duplicated(sso):
    existing = _member_without_password(username="lena", email="Lena@Example.com", department="marketing")
    client = Client()
    _sign_in(client, sso, "sub-lena", {**CLAIMS, "email": "lena@example.com", "email_verified": True,
                                       "preferred_username": "lena.s", "groups": ["collab-liaisons"]})  # fmt: skip
    existing.refresh_from_db()
    assert existing.sso_subject == "sub-lena" and existing.role == "liaison" and existing.username == "lena"
    assert User.objects.count() == 1


def test_a_missing_claim_is_a_clear_message_and_no_half_created_user(sso):
    client = Client()
    claims = {k: v for k, v in CLAIMS.items() if k != "email"}
    response = _sign_in(client, sso, "sub-noemail", claims)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("did not include email" in m and "Acme ID" in m for m in shown), shown
    assert not User.objects.exists()
    assert client.get("/snags/").status_code == 302  # not signed in


def test_an_unknown_department_is_refused_without_writing(sso):
    response = _sign_in(Client(), sso, "sub-x", {**CLAIMS, "department": "Legal"})
    assert any("does not know" in str(m) for m in get_messages(response.wsgi_request))
    assert not User.objects.exists()


def test_logout_ends_the_session_here_and_at_the_provider(sso):
    client = Client()
    _sign_in(client, sso, "sub-nina", CLAIMS)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}" == sso and end.path == "/oauth2/end_session"
    params = parse_qs(end.query)
    assert params["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert params["id_token_hint"][0].count(".") == 2  # the ID token, so the provider knows whose session
    confirm = requests.post(
        f"{sso}/oauth2/end_session/confirm",
        data={"redirect_uri": params["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=5,
    )
    assert confirm.status_code == 302 and confirm.headers["Location"] == "http://testserver/accounts/login/"
    assert client.get("/snags/").status_code == 302  # the Collab session is gone


def test_the_login_page_offers_the_button_only_when_configured(settings, sso, member):
    page = Client().get("/accounts/login/?next=/snags/").content.decode()
    assert "Sign in with Acme ID" in page and 'href="/accounts/sso/start/?next=/snags/"' in page
    assert 'name="password"' in page
    settings.LOCAL_LOGIN_ENABLED = False
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" in page and 'name="password"' not in page
    member.set_password("a-long-password-1")
    member.save()
    client = Client()
    refused = client.post("/accounts/login/", {"username": "member", "password": "a-long-password-1"})
    assert refused.status_code == 403 and "Password sign-in is switched off" in refused.content.decode()
    assert client.get("/snags/").status_code == 302
    # no other door takes a password either: the admin's login page, or authenticate() itself
    admin = client.post("/admin/login/?next=/admin/", {"username": "member", "password": "a-long-password-1"})
    assert admin.status_code == 200 and client.get("/snags/").status_code == 302
    assert authenticate(RequestFactory().post("/"), username="member", password="a-long-password-1") is None
    settings.LOCAL_LOGIN_ENABLED = True
    assert authenticate(RequestFactory().post("/"), username="member", password="a-long-password-1") == member


def test_without_configuration_sso_is_off(settings):
    settings.OIDC_RP_CLIENT_ID = ""
    client = Client()
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_a_forged_callback_is_refused(sso):
    client = Client()
    client.get("/accounts/sso/start/")
    response = client.get("/accounts/sso/callback/?code=stolen&state=not-mine")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not User.objects.exists()


@pytest.mark.parametrize("verified", [None, False, "false"])
def test_an_unverified_email_never_links_an_existing_account(sso, verified):
    """Whoever holds an address at the provider must not take over the Collab account with that address unless
    the provider vouches for it: refused with a clear message, and nothing written (no link, no new account)."""
    _member_without_password(username="lena", email="lena@example.com", department="marketing", first_name="Lena")
    before = _users()
    claims = {**CLAIMS, "email": "lena@example.com", "preferred_username": "lena.s"}
    if verified is not None:
        claims["email_verified"] = verified
    response = _sign_in(Client(), sso, "sub-intruder", claims)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert any("has not confirmed that your email address is yours" in m for m in _messages(response))
    assert _users() == before


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True}])
def test_an_administrator_account_is_never_linked_by_email(sso, flags):
    UserFactory(username="root", email="root@example.com", **flags)
    before = _users()
    claims = {**CLAIMS, "email": "root@example.com", "email_verified": True, "preferred_username": "root"}
    response = _sign_in(Client(), sso, "sub-root", claims)
    assert response["Location"] == "/accounts/login/"
    shown = _messages(response)
    assert any("never links such accounts" in m and "administrator" in m for m in shown), shown
    assert _users() == before


def test_an_administrator_links_an_admin_account_by_its_sso_subject(sso, client_as, admin_user):
    """What the refusal tells them to do: fill in the SSO subject in the admin; then the sign-in finds it."""
    root = UserFactory(username="root", email="root@example.com", is_staff=True)
    page = client_as(admin_user).get(f"/admin/accounts/user/{root.pk}/change/")
    assert page.status_code == 200 and 'name="sso_subject"' in page.content.decode()
    root.sso_subject = "sub-root"
    root.save()
    client = Client()
    _sign_in(client, sso, "sub-root", {**CLAIMS, "email": "root@example.com", "preferred_username": "root"})
    root.refresh_from_db()
    assert root.is_staff and root.first_name == "Nina"  # refreshed from the claims, same account
    assert client.get("/snags/").status_code == 200


@pytest.mark.parametrize("found_by", ["sub", "email"])
def test_a_switched_off_account_is_refused_and_left_as_it_was(sso, found_by):
    gone = UserFactory(
        username="gone", email="gone@example.com", is_active=False, department="finance", first_name="Gus",
        sso_subject="sub-gone" if found_by == "sub" else None,
    )  # fmt: skip
    gone.set_unusable_password()
    gone.save()
    before = _users()
    client = Client()
    claims = {**CLAIMS, "email": "gone@example.com", "email_verified": True, "preferred_username": "gone"}
    response = _sign_in(client, sso, "sub-gone", claims)
    assert response["Location"] == "/accounts/login/"
    assert any("switched off" in m for m in _messages(response))
    assert _users() == before  # not linked, not renamed, not moved to IT
    assert client.get("/snags/").status_code == 302


def test_the_role_comes_from_its_own_claim_when_configured(sso, settings):
    settings.OIDC_CLAIM_ROLE = "collab_role"
    _sign_in(Client(), sso, "sub-ria", {**CLAIMS, "preferred_username": "ria", "collab_role": "Liaison"})
    assert User.objects.get(sso_subject="sub-ria").role == "liaison"  # the claim wins over the groups
    response = _sign_in(Client(), sso, "sub-bad", {**CLAIMS, "email": "b@example.com", "collab_role": "wizard"})
    assert any("your role is “wizard”" in m for m in _messages(response))
    assert not User.objects.filter(sso_subject="sub-bad").exists()


def test_the_department_comes_from_the_groups_when_there_is_no_department_claim(sso, settings):
    settings.OIDC_CLAIM_DEPARTMENT = ""
    settings.OIDC_GROUP_DEPARTMENTS = {"dept-finance": "finance", "dept-it": "it"}
    claims = {**CLAIMS, "preferred_username": "fay", "groups": ["staff", "dept-finance"]}
    _sign_in(Client(), sso, "sub-fay", claims)
    fay = User.objects.get(sso_subject="sub-fay")
    assert (fay.department, fay.role) == ("finance", "member")


def _endpoints(provider: str) -> dict[str, str]:
    found = requests.get(f"{provider}/.well-known/openid-configuration", timeout=5).json()
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": found["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": found["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": found["userinfo_endpoint"],
        "OIDC_OP_JWKS_ENDPOINT": found["jwks_uri"],
    }


def test_with_hand_set_endpoints_the_issuer_is_still_checked(sso, settings):
    for name, url in _endpoints(sso).items():
        setattr(settings, name, url)
    settings.OIDC_ISSUER = "http://issuer.example"  # not who signs the tokens
    response = _sign_in(Client(), sso, "sub-eve", CLAIMS)
    assert response["Location"] == "/accounts/login/"
    assert any("could not be verified" in m for m in _messages(response))
    assert not User.objects.exists()
    settings.OIDC_ISSUER = sso  # the right one: the same endpoints sign her in
    assert _sign_in(Client(), sso, "sub-eve", CLAIMS)["Location"] == "/snags/"
    assert User.objects.filter(sso_subject="sub-eve").exists()
    assert check_issuer_set() == []
    settings.OIDC_ISSUER = ""
    assert [w.id for w in check_issuer_set()] == ["collab.W101"]  # manage.py check says the iss goes unchecked


@pytest.mark.parametrize("answer", ["<html>Maintenance</html>", "[]"])
def test_logout_still_logs_out_when_discovery_answers_nonsense(settings, httpserver, member, answer):
    httpserver.expect_request("/.well-known/openid-configuration").respond_with_data(answer, status=200)
    settings.OIDC_ISSUER = httpserver.url_for("/").rstrip("/")
    settings.OIDC_RP_CLIENT_ID = "collab-test"
    client = Client()
    client.force_login(member)
    session = client.session
    session["oidc_id_token"] = "a.b.c"
    session.save()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/snags/").status_code == 302  # logged out here all the same


# --- hardening: who may be linked by email, sessions of people switched off, lockouts per identity -------------
@pytest.mark.parametrize(
    "account",
    [
        {"role": "admin"},
        {"role": "liaison"},
        {"role": "executive"},
        {"role": "member", "is_staff": True},
        {"role": "member", "is_superuser": True},
        {"role": "member", "password": "has-a-password"},
    ],
)
def test_email_linking_never_takes_over_an_account_with_more_access(sso, account):
    """Only a member's account without a password of its own is linked by email; a role=admin person who is not
    staff was taken over before."""
    password = account.pop("password", None)
    user = UserFactory(username="target", email="target@example.com", department="it", **account)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    before = _users()
    claims = {**CLAIMS, "email": "target@example.com", "email_verified": True, "preferred_username": "target"}
    response = _sign_in(client := Client(), sso, "sub-attacker", claims)
    assert response["Location"] == "/accounts/login/"
    assert any("never links such accounts" in m for m in _messages(response))
    assert _users() == before and not User.objects.filter(sso_subject="sub-attacker").exists()
    assert client.get("/snags/").status_code == 302  # not signed in as anyone


@pytest.mark.parametrize("verified", ["TRUE ", "true", 1, "1", ["true"]])
def test_email_verified_must_be_the_json_value_true(sso, verified):
    _member_without_password(username="mia", email="mia@example.com", department="marketing")
    before = _users()
    claims = {**CLAIMS, "email": "mia@example.com", "email_verified": verified, "preferred_username": "mia"}
    response = _sign_in(Client(), sso, "sub-mia", claims)
    assert any("has not confirmed that your email address is yours" in m for m in _messages(response))
    assert _users() == before


def test_an_sso_session_ends_when_the_person_is_switched_off(sso):
    client = Client()
    assert _sign_in(client, sso, "sub-nina", CLAIMS)["Location"] == "/snags/"
    assert client.get("/snags/").status_code == 200
    User.objects.filter(sso_subject="sub-nina").update(is_active=False)
    for path in ("/snags/", "/snags/export.csv", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


def test_failed_sign_ins_lock_out_that_identity_only(sso, settings):
    """Five refusals for one person behind a shared address: that person is locked out, the next person signs in."""
    settings.AXES_FAILURE_LIMIT = 3
    _member_without_password(username="ivy", email="ivy@example.com", department="marketing")
    bad = {**CLAIMS, "email": "ivy@example.com", "email_verified": False, "preferred_username": "ivy"}
    for _ in range(2):
        assert _sign_in(Client(), sso, "sub-ivy", bad)["Location"] == "/accounts/login/"
    assert _sign_in(Client(), sso, "sub-ivy", bad).status_code == 429  # the third: locked out (axes' page)
    ivy = Client()
    locked = _sign_in(ivy, sso, "sub-ivy", {**bad, "email_verified": True})  # right details now, still locked
    assert locked.status_code == 429 or any("Too many failed sign-ins" in m for m in _messages(locked))
    assert not User.objects.filter(sso_subject="sub-ivy").exists() and ivy.get("/snags/").status_code == 302
    # someone else behind the same address is not touched by it
    other = Client()
    assert _sign_in(other, sso, "sub-nina", CLAIMS)["Location"] == "/snags/"
    assert other.get("/snags/").status_code == 200


def test_forged_callbacks_lock_the_client_address_the_trusted_proxy_names(sso, settings):
    """A failure before the provider named anyone counts against the client address; behind a trusted proxy that
    is the address it forwards, so one client's forged callbacks do not lock out everyone behind the proxy."""
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    forger = Client(HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(3):
        forger.get("/accounts/sso/start/")
        forger.get("/accounts/sso/callback/?code=stolen&state=not-mine")
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _sign_in(colleague, sso, "sub-nina", CLAIMS)["Location"] == "/snags/"
