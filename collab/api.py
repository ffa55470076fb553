"""The REST API's URL-conf level: every app's router attached to the one ``NinjaAPI`` of
``collab/accounts/api_auth.py``, served at /api/ (OpenAPI at /api/openapi.json, Swagger UI at /api/docs)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver

from collab.accounts.api_auth import api, session_or_token
from collab.notifications.api import router as notifications_router
from collab.projects.api import router as projects_router
from liaison.api import router as meetings_router
from parkinglot.api import router as snags_router
from reviews.api import router as reviews_router

api.add_router("", snags_router)
api.add_router("", projects_router)
api.add_router("", meetings_router)
api.add_router("", reviews_router)
api.add_router("", notifications_router)

# The docs are pages for people: they stay behind the session login like every page. The schema is for people
# (session) and for scripts that generate clients from it (a token).
_FOR_PEOPLE = {"openapi-json", "openapi-view", "api-root"}


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An error answer that is not JSON (ninja's plain-text 405 for a method the path does not take) made JSON
    ``{"detail": ...}`` like every other API error, its headers (``Allow``) kept."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        out = JsonResponse({"detail": response.reason_phrase}, status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                out[header] = response[header]
        return out

    return wrapped


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """``api.urls`` with the operations let past ``LoginRequiredMiddleware``: they authenticate by token
    themselves (401 JSON without one), so a script never gets the login page's redirect. Every operation answers
    its errors as JSON (``json_errors``); a path under /api/ that no route matches is a JSON 404 too
    (``collab.views.page_not_found``)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name == "openapi-json":
            pattern.callback = json_errors(session_or_token(pattern.callback))
        elif isinstance(pattern, URLPattern) and pattern.name not in _FOR_PEOPLE:
            view: Any = json_errors(pattern.callback)
            pattern.callback = login_not_required(view)
    return patterns, app_name, namespace
