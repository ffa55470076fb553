"""The REST API object (django-ninja) and its personal-token authentication, rate limit and error shapes.

Each app keeps its own ``Router`` in ``<app>/api.py``; ``collab/api.py`` (the URL-conf level) attaches them here.
Every request needs ``Authorization: Bearer <token>``; the token acts as its user, through the same selectors,
services and permissions as the pages. Errors are JSON ``{"detail": ...}``: 400 a body that is not JSON or a NUL
byte or a bad query parameter, 401 no or bad token, 403 not allowed, 404 not visible or no such path, 405 a
method the path does not take, 409 a stale version, 422 invalid input (field messages), 500 a server error, 429 too many requests (``API_RATE_LIMIT_PER_MINUTE`` per user, all their tokens together;
``API_FAILED_TOKENS_PER_MINUTE`` bad tokens per client address), with ``Retry-After``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer
from pydantic import AfterValidator

from collab.accounts.models import ApiToken, User
from collab.accounts.services import TokenRejected, api_token_authenticate
from collab.lib import clientip, params

log = logging.getLogger("collab.security")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL bytes.")
    return value


#: The largest id the database holds (a 64-bit integer); larger ones are a 422, not an overflow. One definition,
#: shared with the pages' parameter parser.
MAX_ID = params.MAX_ID

#: Text a client sends: never a NUL byte (Postgres refuses them in text columns).
Text = Annotated[str, AfterValidator(_no_nul)]


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


def errors(*codes: int) -> dict[int, Any]:
    """The error responses an operation documents (always 400, 401 and 429; 422 with field messages)."""
    out: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 429: ErrorOut}
    for code in codes:
        out[code] = ValidationErrorOut if code == 422 else ErrorOut
    return out


class PersonOut(Schema):
    id: int
    username: str
    name: str


def person(user: Any) -> PersonOut:
    return PersonOut(id=user.pk, username=user.username, name=user.display_name)


def maybe_person(user: Any) -> PersonOut | None:
    return None if user is None else person(user)


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests.")
        self.retry_after = retry_after


def _window(now: float | None) -> tuple[float, int, int]:
    """(now, the minute's number, seconds until the next minute): the fixed windows of both limits."""
    now = time.time() if now is None else now
    window = int(now // 60)
    return now, window, max(1, 60 * (window + 1) - int(now))


def _bump(key: str) -> int | None:
    """Count one in ``key`` (a minute's counter); None if the cache is down."""
    try:
        cache.add(key, 0, 90)
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this request starts the window
        return 1
    except Exception:
        log.warning("rate limit cache unavailable; request allowed", exc_info=True)
        return None


def rate_limit_check(user_id: int, *, now: float | None = None) -> None:
    """A fixed window per user per minute in the Django cache, shared by all of the user's tokens (so more
    tokens never buy more requests). If the cache is down the request goes through: the limit protects the
    app, it must never take the API down."""
    limit: int = settings.API_RATE_LIMIT_PER_MINUTE
    now, window, retry_after = _window(now)
    count = _bump(f"api-rate:user:{user_id}:{window}")
    if count is not None and count > limit:
        raise RateLimited(retry_after=retry_after)


def client_ip(request: HttpRequest) -> str:
    return clientip.client_ip(request)


def failed_tokens_check(ip: str, *, now: float | None = None) -> None:
    """429 for a client address that sent ``API_FAILED_TOKENS_PER_MINUTE`` bad tokens this minute, whatever it
    sends now (a right guess included), so tokens cannot be guessed at speed. Fails open like the rate limit."""
    limit: int = settings.API_FAILED_TOKENS_PER_MINUTE
    now, window, retry_after = _window(now)
    try:
        failures = int(cache.get(f"api-fail:{ip}:{window}") or 0)
    except Exception:
        log.warning("rate limit cache unavailable; request allowed", exc_info=True)
        return
    if failures >= limit:
        raise RateLimited(retry_after=retry_after)


def failed_token_count(ip: str, *, now: float | None = None) -> None:
    _, window, _ = _window(now)
    _bump(f"api-fail:{ip}:{window}")


class TokenAuth(HttpBearer):
    """``Authorization: Bearer collab_<prefix>_<secret>``. Sets ``request.user`` to the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        ip = client_ip(request)
        failed_tokens_check(ip)
        try:
            found = api_token_authenticate(token.strip())
        except TokenRejected as exc:
            log.info("api token rejected: %s", exc, extra={"ip": ip})
            failed_token_count(ip)
            raise AuthenticationError(message=str(exc)) from None
        request.user = found.user
        rate_limit_check(found.user_id)
        return found


def user_of(request: HttpRequest) -> User:
    """The user the request's token stands for (set by ``TokenAuth``)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - TokenAuth ran before any operation
    return user


api = NinjaAPI(
    title="Collab API",
    version="1",
    description=(
        "Snags, projects and the ranking, meetings, reviews and notifications. Authenticate with a personal token "
        "made on your settings page (`/settings/tokens/`): `Authorization: Bearer collab_…`. A token sees exactly "
        "what its user sees on the pages and may do exactly what they may do."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
    docs_url="/docs",
    docs_decorator=require_GET,
    openapi_url="/openapi.json",
)


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else "Send a valid token: Authorization: Bearer <token>."
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="collab"'
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service's ValidationError, in the same shape as ninja's own 422s: field messages with their place."""
    items: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            loc: list[str] = ["body"] if field == "__all__" else ["body", field]
            items += [{"loc": loc, "msg": message, "type": "value_error"} for message in messages]
    else:
        items = [{"loc": ["body"], "msg": message, "type": "value_error"} for message in exc.messages]
    return api.create_response(request, {"detail": items}, status=422)


@api.exception_handler(BadRequest)
def _bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Bad request."}, status=400)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unforeseen: logged with its traceback (and sent on to error reporting by the log handlers), and
    answered as JSON like every API error — never Django's HTML page, whatever ``DEBUG`` says."""
    log.exception("api server error", extra={"event": "api_server_error", "path": request.path})
    return api.create_response(request, {"detail": "Server error."}, status=500)


@api.exception_handler(RateLimited)
def _too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(request, {"detail": "Too many requests; slow down."}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def session_or_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the OpenAPI schema: people read it with their session, scripts that generate clients with a token.
    No session and no ``Authorization`` header → the login page like every page; a bad token → 401 JSON (and
    it counts towards the address's failed-token limit)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if not request.headers.get("Authorization"):
            return redirect_to_login(request.get_full_path())
        try:
            found = TokenAuth()(request)
        except AuthenticationError as exc:
            return _unauthorised(request, exc)
        except RateLimited as exc:
            return _too_many(request, exc)
        if found is None:  # not a Bearer header
            return _unauthorised(request, AuthenticationError())
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)
