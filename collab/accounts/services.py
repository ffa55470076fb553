"""Writes of the accounts app: personal API tokens (made, revoked, and checked when a request presents one)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import TOKEN_DEFAULT_DAYS, TOKEN_PREFIX, ApiToken

PREFIX_LENGTH = 8  # hex characters after "collab_"
PREFIX_ATTEMPTS = 5  # fresh prefixes tried when one is taken
LAST_USED_EVERY = timedelta(minutes=1)  # how often last_used_at is written, at most


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plaintext: str  # shown once, never stored


def api_token_create(
    *, user: Any, name: str, expires_at: datetime | None = None, now: datetime | None = None
) -> NewToken:
    """Make a token for ``user``. The plaintext is returned once; only a SHA-256 of its secret is kept."""
    if not perm.can_use_api(user):
        raise PermissionDenied("Sign in to make an API token.")
    now = now or timezone.now()
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        prefix=secrets.token_hex(PREFIX_LENGTH // 2),
        hashed_secret=_hash(secret),
        created_at=now,
        expires_at=expires_at or now + timedelta(days=TOKEN_DEFAULT_DAYS),
    )
    token.full_clean(exclude=["prefix"])  # the prefix's uniqueness is the database's to answer, below
    for attempt in range(PREFIX_ATTEMPTS):
        try:
            with transaction.atomic():
                token.save(force_insert=True)
            break
        except IntegrityError:  # the 32-bit prefix is taken (rare, not impossible): draw another
            if attempt == PREFIX_ATTEMPTS - 1:
                raise
            token.pk = None
            token.prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return NewToken(token=token, plaintext=f"{TOKEN_PREFIX}{token.prefix}_{secret}")


def api_token_revoke(*, token: ApiToken, by: Any, now: datetime | None = None) -> ApiToken:
    if not perm.can_manage_api_token(by, token):
        raise PermissionDenied("Only its owner revokes a token.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    token.refresh_from_db()
    return token


class TokenRejected(Exception):
    """Why a presented token does not sign anyone in (unknown, revoked, expired, or its user left)."""


def api_token_authenticate(plaintext: str, *, now: datetime | None = None) -> ApiToken:
    """The token (with its user) that ``plaintext`` stands for, or ``TokenRejected``. One query, plus an
    UPDATE of ``last_used_at`` at most once a minute per token."""
    now = now or timezone.now()
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        raise TokenRejected("Unknown token.")
    rest = plaintext[len(TOKEN_PREFIX) :]
    prefix, sep, secret = rest[:PREFIX_LENGTH], rest[PREFIX_LENGTH : PREFIX_LENGTH + 1], rest[PREFIX_LENGTH + 1 :]
    if sep != "_" or not secret:
        raise TokenRejected("Unknown token.")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.hashed_secret, _hash(secret)):
        raise TokenRejected("Unknown token.")
    if token.revoked_at is not None:
        raise TokenRejected("This token was revoked.")
    if token.expires_at <= now:
        raise TokenRejected("This token has expired.")
    if not perm.can_use_api(token.user):
        raise TokenRejected("This token's user is no longer active.")
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
