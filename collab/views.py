"""Project-level views: the health endpoint."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collab import health
from collab.notifications.selectors import last_sweep_at

security_log = logging.getLogger("collab.security")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (the broker is reported, not required); 503 otherwise."""
    try:
        last = last_sweep_at()
    except Exception:
        last = None
    body = health.report(last)
    return JsonResponse(body, status=200 if body["database"] == "ok" else 503)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page; every denial is a security event in the structured log."""
    user = getattr(request, "user", None)
    security_log.warning(
        "permission denied",
        extra={
            "event": "permission_denied",
            "user": getattr(user, "username", "") or "anonymous",
            "path": request.path,
            "method": request.method,
            "ip": request.META.get("REMOTE_ADDR", ""),
        },
    )
    message = str(exception) if exception and str(exception) else "You are not allowed to do that."
    return render(request, "403.html", {"message": message}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    security_log.warning(
        "csrf failure",
        extra={
            "event": "csrf_failure",
            "path": request.path,
            "reason": reason,
            "ip": request.META.get("REMOTE_ADDR", ""),
        },
    )
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the page for people; JSON under /api/ (an API client never gets HTML, even for a URL no route matches)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return defaults.page_not_found(request, exception or Exception("Not found"))


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the page for people; JSON under /api/ (an error raised outside the API's own handlers, in middleware)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: the page for people; JSON under /api/ (e.g. a query string with more fields than Django reads)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception or Exception("Bad request"))
