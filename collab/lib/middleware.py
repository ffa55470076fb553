"""Request hygiene that every view can rely on."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


class RejectNullBytesMiddleware:
    """A NUL byte in the query string or a form field is never a real input (and Postgres refuses it in text):
    answer 400 at once instead of letting it reach a query (as JSON ``{"detail": ...}`` under /api/, like every
    API error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            message = "A request cannot contain NUL bytes."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def _has_nul(data: object) -> bool:
    lists = getattr(data, "lists", None)
    if lists is None:
        return False
    return any("\x00" in key or any("\x00" in str(v) for v in values) for key, values in lists())


class PrivateNoStoreMiddleware:
    """Every page, partial, export, feed and API answer the application itself makes is ``Cache-Control: private,
    no-store``: none of them may sit in a shared proxy or the browser's cache (a signed-out user's back button, a
    shared computer). Static files never get here (WhiteNoise, above this middleware, answers them with its
    long-lived caching); a view that sets its own ``Cache-Control`` keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
