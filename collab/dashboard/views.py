from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from collab.accounts.http import AuthedRequest
from collab.dashboard import panels
from collab.lib import search
from collab.lib.htmx import render_page, wants_fragment
from collab.lib.params import choice_param


def _lens(request: AuthedRequest) -> str:
    return choice_param(request.GET, "lens", panels.LENSES, default="all")


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    lens = _lens(request)
    today = timezone.localdate()
    rendered = [(p, panels.build(p, lens, today, request.user)) for p in panels.PANELS]
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
        {"panel": found, "ctx": panels.build(found, lens, timezone.localdate(), request.user), "lens": lens},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- search everywhere ---------------------------------------------------------------------
# The search page sits on the top floor with the dashboard: like it, it reads every app (through the providers
# they register with ``collab.lib.search``) and nothing imports it. The registry and the matching stay on floor 0.
PER_KIND = 5
PER_KIND_MORE = 50
PER_KIND_SUGGEST = 3


@require_GET
def search_page(request: AuthedRequest) -> HttpResponse:
    query = search.Query.parse(request.GET.get("q"))
    kinds = {p.kind: p for p in search.providers()}
    asked = request.GET.get("kind", "")
    kind = choice_param(request.GET, "kind", kinds)
    unknown_kind = bool(asked) and not kind
    groups = search.search(request.user, query, limit=PER_KIND_MORE if kind else PER_KIND, kind=kind)
    hits = [h for g in groups for h in g.hits]
    if len(hits) == 1 and hits[0].code and hits[0].code == query.text.upper() and not wants_fragment(request):
        return redirect(hits[0].url)  # a code typed whole (SNAG-1042) opens that snag straight away
    context = {
        "query": query,
        "search_q": query.text,
        "groups": groups,
        "kind": kinds.get(kind),
        "unknown_kind": unknown_kind,
        "too_short": bool(query.text) and not query.usable,
        "total": sum(len(g.hits) for g in groups),
    }
    return render_page(request, "search/results.html", "results", context)


@require_GET
def search_suggest(request: AuthedRequest) -> HttpResponse:
    """As-you-type suggestions for the header box (htmx); without htmx, the results page."""
    if not wants_fragment(request):
        return redirect(f"{reverse('dashboard:search')}?{urlencode({'q': request.GET.get('q', '')})}")
    query = search.Query.parse(request.GET.get("q"))
    groups = search.search(request.user, query, limit=PER_KIND_SUGGEST)
    response = render(request, "search/suggestions.html", {"query": query, "groups": groups})
    patch_vary_headers(response, ("HX-Request",))
    return response
