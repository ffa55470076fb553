"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured only by environment variables.

Off until ``OIDC_RP_CLIENT_ID`` and a provider (``OIDC_ISSUER`` for discovery, or the endpoint URLs) are set:
the views answer 404 and the backend returns None without a query or a network call, so password logins
never depend on the provider.

A sign-in finds the person by the provider's ``sub``, else links the account with the same email, else
creates one; name, email, department, title and role are refreshed from the claims at every sign-in
(department and role from their own claims or from a groups claim through a mapping). A required claim that
is missing ends the sign-in with a clear message and no user written.

Linking by email is the one way an existing account changes hands, so it is narrow: the provider must say
``email_verified`` with the JSON value ``true`` (absent, false, a string or a number → refused, nothing written),
and only an account that has no usable password and the member role is linked by email — never a liaison,
executive, admin, staff or superuser account: an administrator links those by filling in their "SSO subject" in
the admin. A switched-off account is refused before anything is written, and a session of a person switched off
later ends at their next request (``get_user``).

Failed sign-ins count against the identity they were for (the provider's ``sub``, with django-axes), so five
failures for one person behind a shared proxy address lock out that person only; a failure before the provider
named anyone (a forged or expired callback) counts against the client address (``TRUSTED_PROXIES``). The ID token's ``iss`` is checked against ``OIDC_ISSUER``
whenever it is set, also with hand-set endpoints (set it; without it only the signature and audience are
checked, and ``manage.py check`` warns).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from collab.accounts.models import Department, Role, parse_choice
from collab.lib.clientip import client_ip

log = logging.getLogger("collab.security")

#: our setting → the key of the provider's discovery document
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
ROLE_RANK: list[str] = [Role.MEMBER, Role.LIAISON, Role.EXECUTIVE, Role.ADMIN]  # several groups: the highest wins
ERROR_KEY = "_sso_error"
IDENTITY_KEY = "_sso_identity"


class SSOError(Exception):
    """A sign-in we refuse, with the message the person sees."""


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID and (settings.OIDC_ISSUER or settings.OIDC_OP_AUTHORIZATION_ENDPOINT))


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def discovery() -> dict[str, Any]:
    """The provider's /.well-known/openid-configuration, cached for an hour; {} without an issuer."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        return {}
    key = f"oidc-discovery:{issuer}"
    found = cache.get(key)
    if found is None:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        found = response.json()  # not JSON: requests' JSONDecodeError, a ValueError
        if not isinstance(found, dict):
            raise ValueError("The provider's discovery document is not a JSON object.")
        cache.set(key, found, 3600)
    return found


def setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings lookup, with the endpoints filled in from discovery when not set."""
    if attr in ENDPOINTS:
        value = getattr(settings, attr, "") or discovery().get(ENDPOINTS[attr], "")
        if value:
            return value
        if default:
            return default[0]
        raise ImproperlyConfigured(f"{attr} is not set and the provider's discovery document has no {ENDPOINTS[attr]}.")
    return import_from_settings(attr, *default)


def check_issuer_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``manage.py check``: SSO with hand-set endpoints but no OIDC_ISSUER cannot check the ID token's ``iss``."""
    if enabled() and not settings.OIDC_ISSUER:
        return [
            checks.Warning(
                "Single sign-on is configured with endpoints but without OIDC_ISSUER, so the ID token's issuer "
                "(iss) is not checked.",
                hint="Set OIDC_ISSUER to the provider's issuer URL; the endpoints you set still win over discovery.",
                id="collab.W101",
            )
        ]
    return []


# --- claims → fields -------------------------------------------------------------------------
def _username(claims: dict[str, Any]) -> str:
    raw = str(claims.get(settings.OIDC_CLAIM_USERNAME) or "") or str(claims.get("email") or "").split("@")[0]
    return re.sub(r"[^\w.@+-]", "", raw)[:150] or f"sso-{str(claims['sub'])[:40]}"


def fields_from_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """What the claims say about the person. Raises SSOError for a missing required claim or a bad value."""
    missing = [c for c in ["sub", *settings.OIDC_REQUIRED_CLAIMS] if claims.get(c) in (None, "", [])]
    if missing:
        raise SSOError(
            f"Your sign-in from {provider_name()} did not include {', '.join(missing)}. Nothing was changed; "
            "ask IT to release this information to Collab."
        )
    fields: dict[str, Any] = {}
    for field, claim in (("email", "email"), ("first_name", "given_name"), ("last_name", "family_name")):
        if claims.get(claim):
            fields[field] = str(claims[claim])[: 254 if field == "email" else 150]
    if settings.OIDC_CLAIM_TITLE and claims.get(settings.OIDC_CLAIM_TITLE):
        fields["job_title"] = str(claims[settings.OIDC_CLAIM_TITLE])[:120]
    groups = claims.get(settings.OIDC_CLAIM_GROUPS) if settings.OIDC_CLAIM_GROUPS else None
    groups = [str(g) for g in groups] if isinstance(groups, list) else ([str(groups)] if groups else [])
    department = claims.get(settings.OIDC_CLAIM_DEPARTMENT) if settings.OIDC_CLAIM_DEPARTMENT else None
    if department is None:
        department = next(
            (settings.OIDC_GROUP_DEPARTMENTS[g] for g in groups if g in settings.OIDC_GROUP_DEPARTMENTS), None
        )
    if department is not None:
        value = parse_choice(department, Department)
        if value is None:
            raise SSOError(f"{provider_name()} says your department is “{department}”, which Collab does not know.")
        fields["department"] = value
    role = claims.get(settings.OIDC_CLAIM_ROLE) if settings.OIDC_CLAIM_ROLE else None
    if role is not None:
        value = parse_choice(role, Role)
        if value is None:
            raise SSOError(f"{provider_name()} says your role is “{role}”, which Collab does not know.")
        fields["role"] = value
    elif settings.OIDC_CLAIM_GROUPS:
        mapped = [parse_choice(settings.OIDC_GROUP_ROLES[g], Role) for g in groups if g in settings.OIDC_GROUP_ROLES]
        ranked = [r for r in mapped if r]
        fields["role"] = max(ranked, key=ROLE_RANK.index) if ranked else Role.MEMBER
    return fields


class PasswordBackend(ModelBackend):
    """Django's username-and-password check, switched off with ``LOCAL_LOGIN_ENABLED=false`` (SSO only): then no
    door — the login page, the admin's login, a script — signs anyone in with a password. Sessions and
    permissions work as ever."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:  # fmt: skip
        if not settings.LOCAL_LOGIN_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SSOBackend(OIDCAuthenticationBackend):
    """Creates or updates people from the provider's claims. Lazy: nothing is read until a callback arrives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    get_settings = staticmethod(setting)  # type: ignore[assignment]

    # mozilla-django-oidc reads these as attributes; they are looked up when used, not at start-up
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: setting("OIDC_OP_JWKS_ENDPOINT", None))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or not enabled() or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            log.warning("sso provider error", extra={"error": repr(exc)[:300]})
            setattr(request, ERROR_KEY, f"{provider_name()} did not answer as expected; please try again.")
        except SuspiciousOperation as exc:
            log.warning("sso token refused", extra={"error": str(exc)[:300]})
            setattr(request, ERROR_KEY, "The sign-in could not be verified; please try again.")
        except Exception:  # a malformed answer from the provider must not become a server error
            log.exception("sso failed")
            setattr(request, ERROR_KEY, "The sign-in could not be verified; please try again.")
        return None

    def get_user(self, user_id: Any) -> Any:
        """The signed-in person on every request; a switched-off account is no longer anyone (logged out)."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def retrieve_matching_jwk(self, token: str) -> Any:
        """As mozilla-django-oidc, but a token without a ``kid`` is accepted when the provider has one signing key."""
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = requests.get(setting("OIDC_OP_JWKS_ENDPOINT"), timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [
            k
            for k in response.json().get("keys", [])
            if k.get("use", "sig") == "sig" and k.get("alg", header.get("alg")) == header.get("alg")
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        issuer = settings.OIDC_ISSUER  # also with hand-set endpoints; check_issuer_set warns when it is empty
        if issuer and str(payload.get("iss") or "").rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo belongs to someone else.")
        # from here on a failure counts against this identity, not against everyone behind the client's address
        setattr(self.request, IDENTITY_KEY, f"sso:{str(claims.get('sub') or '')[:200]}")
        try:
            if not AxesProxyHandler.is_allowed(self.request, {}):
                raise SSOError("Too many failed sign-ins for this account; wait a few minutes and try again.")
            fields = fields_from_claims(claims)
            user = self._save(claims, fields)
        except SSOError as exc:
            log.info("sso refused", extra={"reason": str(exc)[:300]})
            setattr(self.request, ERROR_KEY, str(exc))
            return None
        log.info("sso login", extra={"user": user.pk})
        return user

    def _save(self, claims: dict[str, Any], fields: dict[str, Any]) -> Any:
        sub = str(claims["sub"])[:255]
        users = self.UserModel.objects
        with transaction.atomic():
            user = users.select_for_update().filter(sso_subject=sub).first()
            if user is None and fields.get("email"):
                matches = list(
                    users.select_for_update().filter(email__iexact=fields["email"], sso_subject__isnull=True)[:2]
                )
                if len(matches) > 1:
                    raise SSOError("Two Collab accounts share your email address; ask an administrator to merge them.")
                user = _linkable(matches[0], claims) if matches else None
            if user is not None and not user.is_active:  # before any write: a switched-off account stays as it is
                raise SSOError("Your Collab account is switched off; nothing was changed. Ask an administrator.")
            if user is None:
                user = self.UserModel(username=self._free_username(_username(claims)))
                user.set_unusable_password()
            user.sso_subject = sub
            for name, value in fields.items():
                setattr(user, name, value)
            try:
                user.full_clean(exclude=["password", "manager"])
                user.save()
            except IntegrityError as exc:  # a concurrent first sign-in of the same person
                raise SSOError("Signing you in collided with another sign-in; please try again.") from exc
            except Exception as exc:
                from django.core.exceptions import ValidationError

                if isinstance(exc, ValidationError):
                    raise SSOError(
                        "Your details from the sign-in service are not valid: " + " ".join(exc.messages)
                    ) from exc
                raise
        return user

    def _free_username(self, base: str) -> str:
        candidate, n = base, 1
        while self.UserModel.objects.filter(username__iexact=candidate).exists():
            n += 1
            candidate = f"{base[:140]}-{n}"
        return candidate


def _email_verified(claims: dict[str, Any]) -> bool:
    """The provider vouches for the email: the JSON value ``true`` and nothing else ("TRUE ", "true", 1 are not)."""
    return claims.get("email_verified") is True


def _linkable(user: Any, claims: dict[str, Any]) -> Any:
    """The existing account with the sign-in's email, if it may be linked to this ``sub``; else SSOError.
    Whoever controls an email at the provider must not take over an account here: the provider must have
    verified the address, and only a member's account that has never had a password is linked by email. Every
    account with more power (liaison, executive, admin, staff, superuser) or a password of its own is linked by an
    administrator, by its SSO subject in the admin."""
    if user.is_staff or user.is_superuser or user.role != Role.MEMBER or user.has_usable_password():
        log.warning("sso email link refused", extra={"user": user.pk, "sub": str(claims.get("sub"))[:200]})
        raise SSOError(
            "An account with more access uses your email address, and Collab never links such accounts (an "
            "administrator, executive or liaison account, or one with its own password) by email. Nothing was "
            "changed; ask an administrator to link it (the SSO subject in the admin)."
        )
    if not _email_verified(claims):
        raise SSOError(
            f"{provider_name()} has not confirmed that your email address is yours, so it cannot be linked to your "
            "existing Collab account. Nothing was changed; confirm the address with IT or ask an administrator."
        )
    return user


def axes_username(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """What django-axes counts a failed sign-in against: the username typed on the password form (as axes does by
    default), the provider's subject of a single sign-on once the provider named one, and for a single sign-on
    that failed before that (a forged or expired callback) the client address, never one shared ``None``."""
    identity = getattr(request, IDENTITY_KEY, None)
    if identity:
        return str(identity)
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials and credentials.get(field):
        return str(credentials[field])
    if request is not None and getattr(request, "path", "") == reverse("sso_callback"):
        return f"sso-address:{client_ip(request)}"
    if credentials is not None:
        return None
    return request.POST.get(field) if request is not None and hasattr(request, "POST") else None


# --- views -----------------------------------------------------------------------------------
class SSOStart(OIDCAuthenticationRequestView):
    get_settings = staticmethod(setting)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ImproperlyConfigured, ValueError) as exc:
            log.warning("sso discovery failed", extra={"error": repr(exc)[:300]})
            messages.error(request, f"{provider_name()} cannot be reached right now; please try again later.")
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SSOCallback(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(setting)  # type: ignore[assignment]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except SuspiciousOperation:
            messages.error(request, "That sign-in link has expired or was already used; please sign in again.")
            return redirect("login")

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error"):
            reason = f"{provider_name()} did not sign you in ({self.request.GET.get('error', '')[:60]})."
        else:
            reason = getattr(self.request, ERROR_KEY, "") or "Single sign-on did not complete; please try again."
        messages.error(self.request, reason)
        return HttpResponseRedirect(reverse("login"))


sso_start = login_not_required(SSOStart.as_view())
sso_callback = login_not_required(SSOCallback.as_view())


@login_not_required
def login_view(request: HttpRequest) -> HttpResponseBase:
    """Django's login page, with the "Sign in with …" button when SSO is on and no password form when
    LOCAL_LOGIN_ENABLED is false (a password POST is then refused, 403, nothing checked)."""
    context = {"sso_enabled": enabled(), "sso_name": provider_name(), "local_login": settings.LOCAL_LOGIN_ENABLED}
    if request.method == "POST" and not settings.LOCAL_LOGIN_ENABLED:
        context["refused"] = True
        return TemplateResponse(request, "registration/login.html", context, status=403)
    return LoginView.as_view(extra_context=context)(request)


@require_POST
@login_not_required
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out here, and at the provider too when this session came from SSO (RP-initiated logout)."""
    id_token = request.session.get("oidc_id_token")
    auth.logout(request)
    after = resolve_url(settings.LOGOUT_REDIRECT_URL or "login")
    if id_token and enabled():
        try:
            end_session = setting("OIDC_OP_LOGOUT_ENDPOINT", "")
        except (requests.RequestException, ValueError) as exc:  # unreachable, or a discovery answer that is no JSON
            log.warning("sso logout discovery failed", extra={"error": repr(exc)[:300]})
            end_session = ""
        if end_session:
            query = urlencode(
                {
                    "id_token_hint": id_token,
                    "post_logout_redirect_uri": request.build_absolute_uri(after),
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                }
            )
            return HttpResponseRedirect(f"{end_session}?{query}")
    return HttpResponseRedirect(after)
