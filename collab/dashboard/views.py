from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from collab.accounts.http import AuthedRequest
from collab.dashboard import panels


def _lens(request: AuthedRequest) -> str:
    lens = request.GET.get("lens", "all")
    return lens if lens in panels.LENSES else "all"


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    lens = _lens(request)
    today = timezone.localdate()
    rendered = [(p, panels.build(p, lens, today)) for p in panels.PANELS]
    return render(request, "dashboard/index.html", {"panels": rendered, "lens": lens, "lenses": panels.LENSES})


@require_GET
def panel(request: AuthedRequest, key: str) -> HttpResponse:
    found = panels.get(key)
    if found is None:
        raise Http404("No such panel.")
    lens = _lens(request)
    response = render(
        request,
        "dashboard/panel.html",
        {"panel": found, "ctx": panels.build(found, lens, timezone.localdate()), "lens": lens},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response
