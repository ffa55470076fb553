"""Project-level views: the health endpoint."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collab import health
from collab.notifications.selectors import last_sweep_at


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
