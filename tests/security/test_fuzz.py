"""Fuzzing every form: hypothesis fills each field of each form page with hostile values (huge, empty, unicode,
numbers out of range, ids that do not exist, HTML) and posts it where the form posts. Whatever comes in, the
answer is never a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parkinglot import services as snag_services
from reviews import services as review_services

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=300),
    # huge unicode: a short drawn piece repeated, as hostile as 12,000 drawn characters but cheap to generate —
    # drawing them one by one cost 85 s on the preferences page, which posts over a hundred fields
    st.tuples(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=24), st.integers(50, 1000)).map(
        lambda piece: (piece[0] * piece[1])[:12_000]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
    st.sampled_from(["", " ", "0", "-1", "999999999", "1e309", "NaN", "2026-13-45", "2026-02-30T25:61",
                     "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "../../etc/passwd", "SNAG-1", "true"]),
)  # fmt: skip


class _Forms(HTMLParser):
    """The POST forms of a page: their action and field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append({"action": a.get("action") or "", "fields": []})
        elif tag in ("input", "select", "textarea") and self.forms and a.get("name"):
            if a.get("name") != "csrfmiddlewaretoken" and a.get("type") not in ("submit",):
                self.forms[-1]["fields"].append(a["name"])


def _forms(html: str, page: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        form["action"] = form["action"] or page
    return [f for f in parser.forms if f["fields"] and "logout" not in f["action"]]


@pytest.fixture
def world(cmo, cio, liaison, member):
    snag = snag_services.snag_create(raised_by=member, title="Fuzz target")
    review_services.review_create(
        by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
        location="Room", facilitator=liaison, attendees=[cmo, cio, member],
    )  # fmt: skip
    from collab.projects.models import Project
    from liaison import services as liaison_services
    from liaison.models import Cadence, SeriesKind

    series = liaison_services.series_create(
        by=cmo, title="CMO–CIO sync", kind=SeriesKind.CMO_CIO_SYNC, cadence=Cadence.MONTHLY, organiser=cmo,
        default_attendees=[cio], default_length_minutes=60,
    )  # fmt: skip
    start = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    meeting = liaison_services.meeting_create(
        by=cmo, series=series, start=start, status="planned", now=datetime(2026, 12, 1, tzinfo=UTC)
    )
    project = Project.objects.create(name="CDP", marketing_sponsor=cmo, it_sponsor=cio, status="requirements", rank=1)
    from collab.projects.tools import services as tool_services

    tool = tool_services.tool_register(by=cio, name="Fuzzed tool", category="crm", business_owner=member)
    tool_services.tool_register(by=cio, name="Another tool", category="crm")
    tool_request = tool_services.request_create(by=member, title="Fuzzed request", need="x")
    return {"snag": snag, "series": series, "meeting": meeting, "project": project, "tool": tool,
            "tool_request": tool_request}  # fmt: skip


FORM_PAGES = [
    "/snags/new/",
    "/snags/{code}/",
    "/snags/{code}/edit/",
    "/snags/board/",
    "/snags/review/",
    "/projects/new/",
    "/reviews/new/",
    "/reviews/2026/q4/",
    "/meetings/series/new/",
    "/meetings/series/{series}/new/",
    "/meetings/{meeting}/",
    "/liaisons/new/",
    "/liaisons/people/liaison/",
    "/projects/{project}/",
    "/projects/ranking/",
    "/settings/notifications/",
    "/settings/tokens/",
    "/tools/new/",
    "/tools/{tool}/",
    "/tools/{tool}/edit/",
    "/tools/requests/new/",
    "/tools/requests/{tool_request}/",
]


@pytest.mark.parametrize("page", FORM_PAGES)
def test_no_form_answers_500_whatever_is_posted(client_as, cmo, world, page):
    url = page.format(
        code=world["snag"].code, series=world["series"].pk, meeting=world["meeting"].pk, project=world["project"].pk,
        tool=world["tool"].pk, tool_request=world["tool_request"].pk,
    )  # fmt: skip
    client = client_as(cmo)
    html = client.get(url).content.decode()
    forms = _forms(html, url)
    assert forms, f"no POST form found on {url}"

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=st.data())
    def post_anything(data):
        form = data.draw(st.sampled_from(forms))
        payload = {name: data.draw(VALUES) for name in form["fields"]}
        response = client.post(form["action"], payload)
        assert response.status_code < 500, (form["action"], payload, response.status_code)
        htmx = client.post(form["action"], payload, HTTP_HX_REQUEST="true")
        assert htmx.status_code < 500, (form["action"], payload, htmx.status_code)

    post_anything()


def test_the_form_finder_sees_the_quick_add_fields(client_as, member):
    html = client_as(member).get("/snags/new/").content.decode()
    fields = next(f["fields"] for f in _forms(html, "/snags/new/") if f["action"] == "/snags/new/")
    assert {"title", "details", "impact", "project"} <= set(fields)
    assert re.search(r'name="title"', html)


def test_nul_bytes_are_refused_before_any_query(client_as, member):
    assert client_as(member).get("/snags/?q=a%00b").status_code == 400
    assert client_as(member).post("/snags/new/", {"title": "a\x00b"}).status_code == 400


# --- every GET parameter of every page, every API query parameter ---------------------------------
#: what people and scripts put in a query string that a parser may choke on: digits of other scripts
#: (``"²".isdigit()`` is True and ``int("²")`` raises), tsquery operator runs, quotes, NUL, control characters,
#: very long values, negative and huge integers
HOSTILE = st.one_of(
    st.sampled_from(["\u00b2", "\u0663", "\u2460", "\uff13", "1\u00b2", "-" * 40, "-" * 33 + "a", " or " * 20,
                     '""""', '"a" ' + "-" * 40, "a or " + "-" * 40, "<->", "a <-> b", "!a & b | (c", "\x00", "a\x00b",
                     "\x07\x1b[0m", "'", '"', "%", "\\", "SNAG-\u00b2", "SNAG-99999999999999999999", "0", "-1", "1e9",
                     "x" * 100_000, "-" * 100_000, "\u00b2" * 1000]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet=st.sampled_from('-|&!()<>:*"\' or\u00b2\u0663\uff13\x00\t\r\n'), max_size=80),
    st.text(max_size=40),
)  # fmt: skip

#: page → the GET parameters its view reads; ``test_every_get_parameter_is_fuzzed`` keeps this complete
GET_PARAMS: dict[str, tuple[str, ...]] = {
    "/": ("lens",),
    "/snags/": ("status", "impact", "department", "owner", "project", "escalated", "q", "sort", "page"),
    "/snags/export.csv": ("status", "impact", "department", "owner", "project", "escalated", "q", "sort"),
    "/snags/board/": ("department",),
    "/snags/review/": ("skipped", "next"),
    "/projects/": ("status", "sponsor", "department", "health", "page"),
    "/projects/ranking/": ("page", "move"),
    "/projects/{project}/requirements/diff/": ("from", "to"),
    "/changes/": ("kind",),
    "/notifications/": ("show", "page"),
    "/search/": ("q", "kind"),
    "/search/suggest/": ("q",),
    "/tools/": ("status", "department", "category", "q", "shadow", "silo"),
    "/tools/export.csv": ("status", "department", "category", "q", "shadow", "silo"),
    "/tools/requests/": ("show",),
    "/liaisons/people/liaison/": ("q",),
}
#: names read from a request but not from a page's query string (the single sign-on callback's, off in the suite)
NOT_PAGE_PARAMS = {"code", "error"}
_READS = re.compile(
    r"""request\.GET(?:\.get|\.getlist)?[(\[]\s*["'](\w+)["']|_param\(\s*request\.GET,\s*["'](\w+)["']"""
)
#: a filter read from the query string (``SnagFilter.from_query(request.GET)``): its ``data.get("…")``
_FILTER_READS = re.compile(r"""(?<![\w.])(?:data|params)\.get\(\s*["'](\w+)["']""")


def _read_parameters() -> set[str]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names: set[str] = set()
    for folder in ("collab", "parkinglot", "liaison", "reviews"):
        for path in (root / folder).rglob("*.py"):
            if "migrations" not in path.parts and path.name != "params.py":
                text = path.read_text()
                names |= {next(g for g in m.groups() if g) for m in _READS.finditer(text)}
                if "def from_query" in text:
                    names |= set(_FILTER_READS.findall(text))
    return names


def test_every_get_parameter_is_fuzzed():
    fuzzed = {name for names in GET_PARAMS.values() for name in names}
    missing = _read_parameters() - fuzzed - NOT_PAGE_PARAMS
    assert missing == set(), f"add these GET parameters to GET_PARAMS (the page that reads them): {missing}"


def _fuzz(client, url: str, names: tuple[str, ...], headers: dict[str, str] | None = None) -> None:
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=st.data())
    def get_anything(data):
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
        query = {name: data.draw(HOSTILE) for name in chosen}
        response = client.get(url, query, headers=headers or {})
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code < 500, (url, query, response.status_code)

    get_anything()


@pytest.mark.parametrize("page", sorted(GET_PARAMS))
def test_no_page_answers_500_whatever_its_query_string(client_as, member, cmo, world, page):
    url = page.format(project=world["project"].pk)
    if "{project}" in page:
        world["project"].requirement_versions.create(number=1, text="v1", created_by=cmo)
    for user in (member, cmo):
        headers = {"HX-Request": "true"} if page == "/search/suggest/" else None
        _fuzz(client_as(user), url, GET_PARAMS[page], headers)


def _api_query_operations() -> list[tuple[str, tuple[str, ...]]]:
    """Every GET operation of the API with query parameters, from its OpenAPI schema, with a concrete path."""
    from collab.accounts.api_auth import api

    out = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        get = operations.get("get")
        names = tuple(p["name"] for p in (get or {}).get("parameters", []) if p["in"] == "query")
        if names:
            out.append((path, names))
    return out


def test_the_api_fuzz_finds_the_list_operations():
    paths = {path for path, _ in _api_query_operations()}
    assert {"/api/snags", "/api/projects", "/api/meetings", "/api/notifications"} <= paths


def test_no_api_query_answers_500_or_html(member, cmo, world):
    from django.test import Client

    from collab.accounts.services import api_token_create

    operations = _api_query_operations()
    for user in (member, cmo):
        client = Client(headers={"Authorization": f"Bearer {api_token_create(user=user, name='fuzz').plaintext}"})
        for path, names in operations:
            assert "{" not in path, f"give {path} a concrete value"
            _fuzz(client, path, names)
            assert client.get(path, {names[0]: "\u00b2"})["Content-Type"].startswith("application/json")
