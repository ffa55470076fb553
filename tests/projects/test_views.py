from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from collab.lib import hooks
from collab.projects import selectors, services
from collab.projects.models import (
    ChangeRequest,
    FeedEntry,
    Project,
    ProjectStatus,
    RankChange,
    RankingRevision,
    SignOff,
)

pytestmark = pytest.mark.django_db


def _approve(project, cmo, cio, sales_head):
    services.project_transition(project=project, by=cmo, to=ProjectStatus.REQUIREMENTS)
    for head, dept in ((cmo, "marketing"), (cio, "it"), (sales_head, "sales")):
        services.signoff_record(project=project, by=head, department=dept, version_number=1, decision="approved")
    services.project_transition(project=project, by=cmo, to=ProjectStatus.APPROVED)


def test_pages_render_for_a_member(client_as, member, project, goal):
    c = client_as(member)
    for url in (
        reverse("projects:index"),
        reverse("projects:detail", args=[project.pk]),
        reverse("projects:ranking"),
        reverse("changes"),
        reverse("projects:goal_list"),
        reverse("projects:goal_detail", args=[goal.pk]),
        reverse("projects:requirements_diff", args=[project.pk]) + "?from=0&to=1",
    ):
        assert c.get(url).status_code == 200, url


def test_unknown_objects_are_404(client_as, cmo):
    c = client_as(cmo)
    assert c.get(reverse("projects:detail", args=[999])).status_code == 404
    assert c.get(reverse("projects:goal_detail", args=[999])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("projects:ranking"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- new project ---------------------------------------------------------------------------
def _new_project_data(**over):
    data = {"name": "Website replatform", "summary": "", "marketing_sponsor": "", "it_sponsor": "", "requirements": ""}
    data.update(over)
    return data


def test_new_project_without_it_sponsor_is_a_form_error_and_saves_nothing(client_as, cmo):
    response = client_as(cmo).post(reverse("projects:create"), _new_project_data(marketing_sponsor=cmo.pk))
    assert response.status_code == 422
    assert "A joint project needs an IT sponsor." in response.content.decode()
    assert not Project.objects.exists() and not FeedEntry.objects.exists()


def test_sponsor_from_the_wrong_department_is_a_form_error(client_as, cmo, member, cio):
    response = client_as(cmo).post(
        reverse("projects:create"), _new_project_data(marketing_sponsor=cmo.pk, it_sponsor=member.pk)
    )
    assert response.status_code == 422
    assert "not in IT" in response.content.decode()
    assert not Project.objects.exists()


def test_new_project_with_both_sponsors_joins_the_ranking(client_as, cmo, cio):
    response = client_as(cmo).post(
        reverse("projects:create"),
        _new_project_data(marketing_sponsor=cmo.pk, it_sponsor=cio.pk, departments=["sales"], requirements="# R"),
    )
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.rank == 1 and project.requirement_versions.count() == 1


def test_member_cannot_open_the_new_project_form(client_as, member):
    assert client_as(member).get(reverse("projects:create")).status_code == 403


# --- ranking -------------------------------------------------------------------------------
def test_executive_moves_a_project_with_a_reason_and_it_shows_in_the_feed(client_as, cmo, make_project):
    make_project(name="Alpha")
    b = make_project(name="Beta")
    c = client_as(cmo)
    response = c.post(
        reverse("projects:ranking_move", args=[b.pk]),
        {"direction": "up", "reason": "Peak season first", "version": selectors.ranking_version()},
    )
    assert response.status_code == 302
    assert list(Project.objects.order_by("rank").values_list("name", flat=True)) == ["Beta", "Alpha"]
    feed = c.get(reverse("changes")).content.decode()
    assert "Beta 2 → 1" in feed and "Peak season first" in feed
    ranking_page = c.get(reverse("projects:ranking")).content.decode()
    assert "Peak season first" in ranking_page


def test_move_without_a_reason_is_422_and_moves_nothing(client_as, cmo, make_project):
    make_project()
    b = make_project()
    before = RankingRevision.objects.count()
    response = client_as(cmo).post(
        reverse("projects:ranking_move", args=[b.pk]),
        {"direction": "up", "reason": " ", "version": selectors.ranking_version()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "needs a reason" in response.content.decode()
    assert RankingRevision.objects.count() == before
    assert Project.objects.get(pk=b.pk).rank == 2


def test_drag_and_drop_reorder_and_stale_version_conflict(client_as, cmo, cio, make_project):
    a, b, c = make_project(), make_project(), make_project()
    seen = selectors.ranking_version()
    r1 = client_as(cmo).post(
        reverse("projects:ranking"), {"order": [c.pk, a.pk, b.pk], "reason": "Board call", "version": seen}
    )
    assert r1.status_code == 302
    r2 = client_as(cio).post(
        reverse("projects:ranking"),
        {"order": [b.pk, a.pk, c.pk], "reason": "My view", "version": seen},
        HTTP_HX_REQUEST="true",
    )
    assert r2.status_code == 409
    assert "changed since you opened it" in r2.content.decode()
    assert list(Project.objects.order_by("rank").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


def test_reorder_fragment_for_htmx(client_as, cmo, make_project):
    a, b = make_project(), make_project()
    response = client_as(cmo).post(
        reverse("projects:ranking"),
        {"order": [b.pk, a.pk], "reason": "Swap", "version": selectors.ranking_version()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="ranking-body"' in body and "<html" not in body


@pytest.mark.parametrize("persona", ["liaison", "member", "admin_user"])
def test_non_executives_cannot_rank(request, client_as, persona, make_project):
    user = request.getfixturevalue(persona)
    a, b = make_project(), make_project()
    before = (RankingRevision.objects.count(), RankChange.objects.count())
    c = client_as(user)
    r1 = c.post(reverse("projects:ranking_move", args=[b.pk]), {"direction": "up", "reason": "x", "version": 2})
    r2 = c.post(reverse("projects:ranking"), {"order": [b.pk, a.pk], "reason": "x", "version": 2})
    assert r1.status_code == r2.status_code == 403
    assert (RankingRevision.objects.count(), RankChange.objects.count()) == before
    assert "Move up" not in c.get(reverse("projects:ranking")).content.decode()


# --- sign-offs, approval, change requests --------------------------------------------------
def test_project_lacking_a_sign_off_is_blocked_from_approval(client_as, cmo, cio, project):
    services.project_transition(project=project, by=cmo, to=ProjectStatus.REQUIREMENTS)
    services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="approved")
    response = client_as(cio).post(reverse("projects:transition", args=[project.pk]), {"to": "approved"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Approval waits for sign-off" in body and "IT, Sales" in body
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.REQUIREMENTS


def test_head_signs_off_through_the_page_and_others_are_refused(client_as, cmo, cio, member, project):
    url = reverse("projects:signoff", args=[project.pk, "marketing"])
    assert client_as(cio).post(url, {"decision": "approved", "version": 1}).status_code == 403
    assert client_as(member).post(url, {"decision": "approved", "version": 1}).status_code == 403
    assert not SignOff.objects.exists()
    bad = client_as(cmo).post(url, {"decision": "rejected", "comment": "", "version": 1})
    assert bad.status_code == 422 and not SignOff.objects.exists()
    ok = client_as(cmo).post(url, {"decision": "approved", "version": 1})
    assert ok.status_code == 302 and SignOff.objects.get().by == cmo


def test_requirements_edit_makes_a_new_version_and_diff(client_as, cmo, cio, project):
    services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="approved")
    c = client_as(cio)
    url = reverse("projects:requirements_edit", args=[project.pk])
    assert "sign off again" in c.get(url).content.decode()
    response = c.post(url, {"text": "# CDP\n\nOne profile per customer, with consent.", "based_on": 1})
    assert response.status_code == 302
    stale = c.post(url, {"text": "Another", "based_on": 1})
    assert stale.status_code == 409
    diff = c.get(reverse("projects:requirements_diff", args=[project.pk])).content.decode()
    assert "diff__add" in diff and "with consent" in diff
    detail = c.get(project.get_absolute_url()).content.decode()
    assert "v2 (current)" in detail


def test_both_sponsors_approve_a_change_request_through_the_page(client_as, cmo, cio, sales_head, liaison, project):
    _approve(project, cmo, cio, sales_head)
    add = client_as(cmo).post(
        reverse("projects:change_request_add", args=[project.pk]),
        {"title": "Add SMS channel", "reason": "Customers ask", "date_effect_days": 14, "effort_days": 20},
    )
    assert add.status_code == 302
    cr = ChangeRequest.objects.get()
    url = reverse("projects:change_request_decide", args=[project.pk, cr.pk])
    assert client_as(liaison).post(url, {"decision": "approve"}).status_code == 403
    cr.refresh_from_db()
    assert cr.marketing_decision == cr.it_decision == "pending"
    assert client_as(cmo).post(url, {"decision": "approve"}).status_code == 302
    page = client_as(cio).get(project.get_absolute_url()).content.decode()
    assert "Approve<span" in page  # the IT sponsor still has to decide
    assert client_as(cio).post(url, {"decision": "approve"}).status_code == 302
    cr.refresh_from_db()
    assert cr.status == "approved"
    page = client_as(cio).get(project.get_absolute_url()).content.decode()
    assert "<strong>20</strong> person-days added" in page
    assert "scope change approved" in client_as(liaison).get(reverse("changes")).content.decode()


def test_reject_without_reason_is_422(client_as, cmo, cio, sales_head, project):
    _approve(project, cmo, cio, sales_head)
    cr = services.change_request_raise(project=project, by=cmo, title="X", reason="Y")
    response = client_as(cio).post(
        reverse("projects:change_request_decide", args=[project.pk, cr.pk]), {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 422
    cr.refresh_from_db()
    assert cr.status == "pending" and cr.it_decision == "pending"


def test_member_cannot_edit_or_transition(client_as, member, project):
    c = client_as(member)
    assert c.get(reverse("projects:edit", args=[project.pk])).status_code == 403
    assert c.post(reverse("projects:transition", args=[project.pk]), {"to": "cancelled"}).status_code == 403
    assert (
        c.post(reverse("projects:requirements_edit", args=[project.pk]), {"text": "x", "based_on": 1}).status_code
        == 403
    )
    project.refresh_from_db()
    assert project.status == "proposed" and project.requirement_versions.count() == 1


def test_vacancy_warning_on_the_project_page(client_as, cmo, cio, project):
    cio.is_active = False
    cio.save()
    body = client_as(cmo).get(project.get_absolute_url()).content.decode()
    assert "Sponsor vacancy" in body


# --- goals ---------------------------------------------------------------------------------
def test_goal_page_shows_progress_and_an_honest_empty_detour_state(client_as, cmo, member, goal, project):
    services.milestone_add(by=cmo, project=project, title="Data model", owner=member, due_date=date(2027, 1, 10))
    from parkinglot import selectors as snag_selectors

    body = client_as(member).get(goal.get_absolute_url()).content.decode()
    assert "0 of 1 milestones done" in body
    assert "No snag has detoured this goal" in body  # the parking lot answers: nothing yet
    hooks.withdraw("goals.detours", snag_selectors.goal_detours)
    try:
        body = client_as(member).get(goal.get_absolute_url()).content.decode()
    finally:
        hooks.provide("goals.detours", snag_selectors.goal_detours)
    assert "parking lot is not connected" in body


def test_goal_page_adds_up_the_days_lost_to_real_snags(client_as, member, cmo, goal, project):
    from decimal import Decimal

    from parkinglot import services as snag_services

    snag_services.snag_create(raised_by=member, title="Pixel blocked", goal=goal, days_lost=Decimal("2.5"))
    snag_services.snag_create(raised_by=member, title="Feed broken", project=project, days_lost=3)
    body = client_as(member).get(goal.get_absolute_url()).content.decode()
    assert "Pixel blocked" in body and "Feed broken" in body
    assert "<strong>5.5</strong> days lost to 2 snag(s)" in body


def test_goal_page_lists_detours_from_the_parking_lot_hook(client_as, member, goal):
    class Snag:
        code = "S-7"
        title = "Tracking pixel blocked"
        days_lost = 4

        def get_absolute_url(self):
            return "/snags/S-7/"

        def get_status_display(self):
            return "Resolved"

    def provider(goal_id, user):
        return {"snags": [Snag()], "days_lost": 4} if goal_id == goal.pk else None

    from parkinglot import selectors as snag_selectors

    hooks.withdraw("goals.detours", snag_selectors.goal_detours)  # this provider alone answers
    hooks.provide("goals.detours", provider)
    try:
        body = client_as(member).get(goal.get_absolute_url()).content.decode()
    finally:
        hooks.withdraw("goals.detours", provider)
        hooks.provide("goals.detours", snag_selectors.goal_detours)
    assert "S-7 Tracking pixel blocked" in body and "<strong>4</strong> days lost" in body


# --- query counts --------------------------------------------------------------------------
def _grow(make_project, n):
    for _ in range(n):
        make_project(departments=["sales"], requirements="# R")


def _count(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url_name", ["projects:index", "projects:ranking", "changes"])
def test_query_counts_stay_flat_as_rows_grow(
    client_as, cmo, make_project, sales_head, url_name, django_assert_max_num_queries
):
    c = client_as(cmo)
    url = reverse(url_name)
    _grow(make_project, 2)
    few = _count(django_assert_max_num_queries, c, url)
    _grow(make_project, 8)
    many = _count(django_assert_max_num_queries, c, url)
    assert few == many, (few, many)


def test_ranking_selector_query_count(make_project, django_assert_num_queries):
    for _ in range(5):
        make_project(requirements="# R")
    with django_assert_num_queries(5):  # projects, departments, versions, sign-offs, milestones
        rows = selectors.ranking()
        assert [r.signoff.total for r in rows] == [2] * 5
    with django_assert_num_queries(1):
        selectors.change_feed(limit=10)


def test_project_list_is_paginated_keeping_the_filters(client_as, cmo, make_project):
    from collab.projects.views import PROJECTS_PER_PAGE

    for _ in range(PROJECTS_PER_PAGE + 3):
        make_project(departments=["sales"], requirements="# R")
    first = client_as(cmo).get("/projects/?status=proposed").content.decode()
    assert "Page 1 of 2" in first and 'href="?status=proposed&amp;page=2"' in first
    second = client_as(cmo).get("/projects/?status=proposed&page=2").content.decode()
    assert "Page 2 of 2" in second


def test_ranking_shows_fifty_ranks_a_page_and_reorders_within_a_page(client_as, cmo, make_project):
    from collab.projects import selectors as project_selectors
    from collab.projects.views import RANKING_PAGE

    for _ in range(RANKING_PAGE + 5):
        make_project(departments=["sales"], requirements="# R")
    ranked = [row.project.pk for row in project_selectors.ranking()]
    first = client_as(cmo).get("/projects/ranking/").content.decode()
    assert f"Ranks 1–{RANKING_PAGE} of {len(ranked)}" in first and first.count('name="order"') == RANKING_PAGE
    assert first.count('name="reason"') == 1  # only the drag-and-drop form; rows open their move form on demand
    opened = client_as(cmo).get(f"/projects/ranking/?move={ranked[3]}").content.decode()
    assert opened.count('name="reason"') == 2 and f'id="reason-{ranked[3]}"' in opened
    second_page = ranked[RANKING_PAGE:]
    new = list(reversed(second_page))
    response = client_as(cmo).post(
        "/projects/ranking/",
        {"order": new, "page": "2", "version": project_selectors.ranking_version(), "reason": "Reverse the tail"},
    )
    assert response.status_code == 302 and response.url == "/projects/ranking/?page=2"
    assert [row.project.pk for row in project_selectors.ranking()] == ranked[:RANKING_PAGE] + new


def test_project_page_query_count_stays_flat_as_it_grows(client_as, cmo, member, project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(cmo)
    client.get(project.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(project.get_absolute_url())
    for i in range(15):
        services.milestone_add(by=cmo, project=project, title=f"Step {i}", owner=member, due_date=date(2027, 1, 1 + i))
    with CaptureQueriesContext(connection) as large:
        page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries) <= 15
