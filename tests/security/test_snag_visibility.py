"""Finding 2: a snag's code, title or text appears only where ``Snag.objects.visible_to(user)`` holds it.

For every persona of the permission matrix, every page, partial, export and API answer that can show snags is
fetched over a world of snags of four departments tied to a goal, a project, the QBR and a meeting; every snag
code in each answer must open for that persona at ``/snags/<code>/``, and the figures say how many they cannot
open. Finding 12 (part): mentor check-ins are read by the mentor, the mentee, the executives and admins only.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import Q
from django.test import Client

from collab.accounts.models import Department, Role
from collab.accounts.services import api_token_create
from collab.dashboard import panels
from collab.notifications.registry import Due
from collab.projects.models import Goal, Project
from liaison import services as liaison_services
from liaison.models import Cadence, LiaisonAssignment, MentorCheckIn, Readiness, SeriesKind
from parkinglot import kinds
from parkinglot import services as snag_services
from parkinglot.models import Snag
from reviews import services as review_services
from tests.factories import UserFactory

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CODE = re.compile(r"SNAG-\d+")
PERSONAS = ("cmo", "cio", "liaison", "member", "outsider", "admin_user")


@pytest.fixture
def world(cmo, cio, liaison, member, outsider, admin_user):
    """Snags of marketing, IT, finance and sales on a goal and its project, parked for the QBR and for a
    meeting the sales raiser attends, escalated for the dashboard; one parked sales snag put on the QBR agenda."""
    sales = UserFactory(username="seller", department=Department.SALES, role=Role.MEMBER)
    with time_machine.travel(NOW, tick=False):
        goal = Goal.objects.create(title="Know every customer", marketing_owner=cmo, it_owner=cio)
        project = Project.objects.create(
            name="CDP", marketing_sponsor=cmo, it_sponsor=cio, goal=goal, status="approved"
        )
        series = liaison_services.series_create(
            by=cmo, title="Pipeline sync", kind=SeriesKind.JOINT_STANDUP, cadence=Cadence.WEEKLY, organiser=cmo,
            default_attendees=[sales, member], default_length_minutes=30,
        )  # fmt: skip
        meeting = liaison_services.meeting_create(by=cmo, series=series, start=NOW + timedelta(days=2))
        from reviews.models import Review

        review = Review.objects.filter(year=2026, quarter=4).first() or review_services.review_create(
            by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC),
            length_minutes=90, location="Board room", facilitator=liaison, attendees=[cmo, cio, member, outsider],
        )  # fmt: skip
    snags: dict[str, list[Snag]] = {}
    for who, dept in ((member, "marketing"), (cio, "it"), (outsider, "finance"), (sales, "sales")):
        made = []
        old = NOW - timedelta(days=30)
        made.append(snag_services.snag_create(raised_by=who, title=f"{dept} on goal", goal=goal, days_lost=2, now=old))
        made.append(snag_services.snag_create(raised_by=who, title=f"{dept} on project", project=project, now=old))
        qbr = snag_services.snag_create(raised_by=who, title=f"{dept} for the QBR", now=NOW - timedelta(days=3))
        snag_services.snag_transition(snag=qbr, by=liaison, to="parked", note="QBR", parked_for="qbr", now=NOW)
        made.append(qbr)
        later = snag_services.snag_create(raised_by=who, title=f"{dept} for the sync", now=NOW - timedelta(days=3))
        snag_services.snag_transition(snag=later, by=liaison, to="parked", note="sync", parked_for="meeting", now=NOW)
        made.append(later)
        snags[dept] = made
    snag_services.snags_escalate(now=NOW)
    with time_machine.travel(NOW, tick=False):
        review_services.suggestion_add(review=review, by=liaison, key=f"snag:{snags['sales'][2].code}")
        review_services.suggestion_add(review=review, by=liaison, key=f"snag:{snags['finance'][2].code}")
        liaison_services.agenda_assemble(meeting=meeting, now=NOW)
    return {"goal": goal, "project": project, "review": review, "meeting": meeting, "snags": snags, "sales": sales}


def _pages(world) -> list[str]:
    return [
        f"/projects/goals/{world['goal'].pk}/",
        f"/projects/{world['project'].pk}/",
        "/reviews/2026/q4/",
        "/reviews/2026/q4/suggestions/",
        "/reviews/2026/q4/print/",
        "/reviews/2026/q4/export.md",
        "/reviews/2026/q4/invite.ics",
        "/",
        "/?lens=marketing",
        "/panels/snags/",
        "/panels/goals/",
        "/panels/qbr/",
        "/snags/?status=all",
        "/snags/board/",
        "/snags/review/",
        "/snags/export.csv?status=all",
        f"/meetings/{world['meeting'].pk}/",
        "/search/?q=sync",
        "/search/?q=QBR",
        "/search/suggest/?q=sync",
        "/notifications/",
        "/notifications/bell/",
    ]


API = ["/api/snags?status=all&page_size=100", "/api/reviews/2026/q4", "/api/notifications"]


def _codes(body: str) -> set[str]:
    return set(CODE.findall(body))


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode().replace("\r\n ", "")  # unfold iCalendar lines


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_snag_code_on_every_page_opens_for_the_persona(persona, world, request):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=user, name='t').plaintext}"})
    leaks: dict[str, set[str]] = {}
    seen: set[str] = set()
    existing = set(Snag.objects.values_list("code", flat=True))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        pages = [*_pages(world), f"/api/meetings/{world['meeting'].pk}"]
        for url in pages + API:
            response = (api if url.startswith("/api/") else client).get(url)
            assert response.status_code in (200, 302, 403), (url, response.status_code)
            found = _codes(_body(response)) & existing  # "SNAG-1042" in a placeholder names no snag
            seen |= found
            if found:
                leaks[url] = found
        opens = {c for c in seen if client.get(f"/snags/{c}/").status_code == 200}
    visible = set(Snag.objects.visible_to(user).values_list("code", flat=True))
    assert opens == seen & visible  # the page agrees with the queryset
    bad = {url: sorted(codes - opens) for url, codes in leaks.items() if codes - opens}
    assert bad == {}, f"{persona} sees snags they cannot open: {bad}"
    assert seen, "the world shows this persona some snag"  # the check is not empty


@pytest.mark.django_db
def test_the_goal_page_counts_every_snag_and_says_how_many_are_hidden(world, member, outsider, cmo, client_as):
    goal = world["goal"]
    total = Snag.objects.filter(Q(goal=goal) | Q(project__goal=goal)).count()
    assert total == 8
    for user, hidden in ((member, 4), (outsider, 6), (cmo, 0)):  # finance+sales | marketing+IT+sales (2 each)
        body = client_as(user).get(goal.get_absolute_url()).content.decode()
        assert f"lost to {total} snag(s)" in body
        if hidden:
            assert f'data-hidden-snags="{hidden}"' in body and f"include {hidden} snags you cannot open" in body
        else:
            assert "data-hidden-snags" not in body


@pytest.mark.django_db
def test_the_dashboard_says_how_many_open_snags_the_viewer_cannot_open(world, member, client_as):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        body = client_as(member).get("/panels/snags/").content.decode()
    hidden = Snag.objects.open().exclude(pk__in=Snag.objects.visible_to(member).values("pk")).count()
    assert hidden and f'data-hidden-snags="{hidden}"' in body


@pytest.mark.django_db
def test_qbr_facts_leave_out_hidden_parked_snags_and_count_them(world, member, client_as):
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        body = client_as(member).get("/reviews/2026/q4/export.md").content.decode()
    # the finance and sales snags of the quarter (the export escapes Markdown punctuation in every user string)
    assert "- Included above\\: snags you cannot open: 8" in body
    assert "more lines about snags you cannot open" in body
    assert "A snag you cannot open" in body  # the sales agenda item keeps its place, not its title
    assert "sales for the QBR" not in body and "finance for the QBR" not in body


@pytest.mark.django_db
def test_a_frozen_snapshot_is_filtered_for_each_viewer_too(world, liaison, member, outsider, client_as):
    review = world["review"]
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        review_services.review_transition(review=review, by=liaison, to="collecting_input")
        review_services.review_transition(review=review, by=liaison, to="agenda_locked")
        review.refresh_from_db()
        assert review.snapshot.data  # frozen with every snag in it
        for user in (member, outsider):
            body = client_as(user).get("/reviews/2026/q4/").content.decode()
            bad = {c for c in _codes(body) if client_as(user).get(f"/snags/{c}/").status_code != 200}
            assert bad == set()


@pytest.mark.django_db
def test_viewers_with_different_visibility_never_share_a_cached_panel(world, cmo, cio, member, outsider):
    today = NOW.date()
    snag_panel = panels.get("snags")
    assert snag_panel is not None
    colleague = UserFactory(username="colleague", department=Department.IT, role=Role.MEMBER)
    keys = {u.username: panels.cache_key(snag_panel, "all", today, u) for u in (cmo, cio, member, outsider, colleague)}
    assert keys["cmo"] == keys["cio"]  # the same truth for both executives
    assert keys["member"] == keys["colleague"]  # IT and marketing open the same snags
    assert len({keys["cmo"], keys["member"], keys["outsider"]}) == 3
    # someone who raised a snag outside their team's set gets a key of their own
    snag_services.snag_create(raised_by=world["sales"], title="sales, owned by the member")
    Snag.objects.filter(title="sales, owned by the member").update(owner=member)
    assert panels.cache_key(snag_panel, "all", today, member) != keys["colleague"]
    # built for one, read by another: each sees only their own snags
    cache.clear()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        for first, second in ((cmo, outsider), (outsider, member), (member, cmo)):
            panels.build(snag_panel, "all", today, first)
            shown = {s.code for s in panels.build(snag_panel, "all", today, second)["oldest_escalated"]}
            assert shown <= set(Snag.objects.visible_to(second).values_list("code", flat=True))


@pytest.mark.django_db
def test_a_team_channel_names_a_snag_only_if_every_member_of_the_team_may_open_it(world):
    finance = world["snags"]["finance"][0]
    marketing = world["snags"]["marketing"][0]
    kind = kinds.SnagEscalationLevel1()

    def due(snag: Snag) -> Due:
        return Due(recipient_id=1, obj=snag, due_at=NOW, title=f"{snag.code} late", body=snag.title, link="/x/")

    post = kind.for_team(due(finance), Department.MARKETING)
    assert finance.code not in f"{post.title} {post.body} {post.link}" and finance.title not in post.body
    assert kind.for_team(due(finance), Department.FINANCE).title == f"{finance.code} late"
    assert kind.for_team(due(marketing), Department.IT).title == f"{marketing.code} late"  # one team


@pytest.mark.django_db
def test_search_leaves_out_agenda_items_made_from_hidden_snags(world, outsider, cmo):
    from collab.lib import search

    sales_qbr = world["snags"]["sales"][2]
    query = search.Query.parse("QBR")
    for user, expect in ((cmo, True), (outsider, False)):
        groups = search.search(user, query, limit=50)
        text = " ".join(f"{h.title} {h.url}" for g in groups for h in g.hits)
        assert (sales_qbr.code in text) is expect
        # a code typed whole: the page echoes what was typed, never the snag behind it
        response = Client()
        response.force_login(user)
        body = response.get(f"/search/?q={sales_qbr.code}", follow=True).content.decode()
        assert (sales_qbr.title in body) is expect


# --- finding 12: mentor check-ins ------------------------------------------------------------
@pytest.fixture
def checkin(liaison, cio):
    assignment = LiaisonAssignment.objects.create(
        person=liaison, home_department=Department.IT, served_department=Department.MARKETING, mentor=cio,
        start_date=date(2026, 1, 5),
    )  # fmt: skip
    MentorCheckIn.objects.create(
        assignment=assignment, mentor=cio, date=date(2026, 11, 2), notes="Shy in the planning meeting",
        readiness=Readiness.NOT_YET,
    )  # fmt: skip
    liaison_services.checkin_add(
        assignment=assignment, by=cio, date=date(2026, 11, 9), notes="Spoke up twice", readiness=Readiness.GROWING
    )
    return assignment


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("liaison", True),  # the mentee
        ("cio", True),  # the mentor
        ("cmo", True),  # an executive
        ("admin_user", True),
        ("member", False),
        ("outsider", False),
        ("other_liaison", False),
    ],
)
def test_mentor_checkins_are_read_by_mentor_mentee_executives_and_admins_only(
    persona, allowed, checkin, client_as, request
):
    if persona == "other_liaison":
        user = UserFactory(username="other", department=Department.IT, role=Role.LIAISON)
    else:
        user = request.getfixturevalue(persona)
    body = client_as(user).get("/liaisons/people/liaison/").content.decode()
    assert ("Shy in the planning meeting" in body) is allowed
    assert ("Spoke up twice" in body) is allowed
    assert ("Not yet ready" in body) is allowed
    assert ("Growing into it" in body) is allowed  # the history line of a check-in names its readiness
    assert ("Mentor check-ins" in body) is allowed
