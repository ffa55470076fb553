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
