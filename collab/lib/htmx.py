"""htmx helpers: when to answer with a fragment, and how to say so to caches."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """A plain htmx request (not boosted, not a history restore) gets only the fragment."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def template_for(request: HttpRequest, template: str, partial: str) -> str:
    """``page.html`` for a full page, ``page.html#partial`` for an htmx fragment."""
    return f"{template}#{partial}" if wants_fragment(request) else template


def render_page(
    request: HttpRequest,
    template: str,
    partial: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Render the page or its fragment; responses vary by ``HX-Request``."""
    response = render(request, template_for(request, template, partial), context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
