"""Who may do what on the joint projects' URLs; every denial leaves the database as it was."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from collab.projects import selectors, services
from collab.projects.models import (
    ChangeRequest,
    FeedEntry,
    Milestone,
    Project,
    ProjectStatus,
    RequirementsVersion,
    SignOff,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Project.objects.order_by("pk").values_list("pk", "name", "status", "rank", "version", "health")),
        RequirementsVersion.objects.count(),
        SignOff.objects.count(),
        list(ChangeRequest.objects.values_list("pk", "status", "marketing_decision", "it_decision")),
        list(Milestone.objects.values_list("pk", "due_date", "done_on")),
        FeedEntry.objects.count(),
    )


@pytest.fixture
def world(project, make_project, cmo, cio, sales_head, member):
    services.project_transition(project=project, by=cmo, to=ProjectStatus.REQUIREMENTS)
    other = make_project(name="Other")
    approved = make_project(name="Approved one", requirements="# R")
    services.project_transition(project=approved, by=cmo, to=ProjectStatus.REQUIREMENTS)
    for head, dept in ((cmo, "marketing"), (cio, "it")):
        services.signoff_record(project=approved, by=head, department=dept, version_number=1, decision="approved")
    services.project_transition(project=approved, by=cmo, to=ProjectStatus.APPROVED)
    cr = services.change_request_raise(project=approved, by=cmo, title="More", reason="Because")
    ms = services.milestone_add(by=cmo, project=project, title="M1", owner=cmo, due_date=date(2027, 3, 1))
    return {"project": project, "other": other, "approved": approved, "cr": cr, "ms": ms}


def _requests(w):
    p, a = w["project"], w["approved"]
    v = selectors.ranking_version()
    return [
        ("edit", reverse("projects:edit", args=[p.pk]), {"name": "Renamed", "version": p.version}),
        ("transition", reverse("projects:transition", args=[p.pk]), {"to": "cancelled"}),
        ("requirements", reverse("projects:requirements_edit", args=[p.pk]), {"text": "new", "based_on": 1}),
        ("signoff", reverse("projects:signoff", args=[p.pk, "marketing"]), {"decision": "approved", "version": 1}),
        (
            "cr_add",
            reverse("projects:change_request_add", args=[a.pk]),
            {"title": "X", "reason": "Y", "date_effect_days": 0, "effort_days": 0},
        ),
        ("cr_decide", reverse("projects:change_request_decide", args=[a.pk, w["cr"].pk]), {"decision": "approve"}),
        (
            "ms_add",
            reverse("projects:milestone_add", args=[p.pk]),
            {"title": "M2", "owner": p.marketing_sponsor_id, "due_date": "2027-04-01"},
        ),
        (
            "ms_move",
            reverse("projects:milestone_reschedule", args=[w["ms"].pk]),
            {"due_date": "2027-05-01", "reason": "late"},
        ),
        ("ms_done", reverse("projects:milestone_done", args=[w["ms"].pk]), {}),
        (
            "rank_move",
            reverse("projects:ranking_move", args=[w["other"].pk]),
            {"direction": "up", "reason": "x", "version": v},
        ),
        ("reorder", reverse("projects:ranking"), {"order": [w["other"].pk, p.pk, a.pk], "reason": "x", "version": v}),
        ("new_project", reverse("projects:create"), {"name": "N"}),
        ("new_goal", reverse("projects:goal_create"), {"title": "G"}),
    ]


# which personas may reach each action (others get 403 and nothing changes); sales_head is an executive
ALLOWED = {
    "edit": {"cmo", "cio", "admin_user", "sales_head"},
    "transition": {"cmo", "cio", "admin_user", "sales_head"},
    "requirements": {"cmo", "cio", "admin_user", "sales_head"},
    "signoff": {"cmo"},
    "cr_add": {"cmo", "cio", "admin_user", "sales_head"},
    "cr_decide": {"cmo", "cio"},
    "ms_add": {"cmo", "cio", "admin_user", "sales_head"},
    "ms_move": {"cmo", "cio", "admin_user", "sales_head"},
    "ms_done": {"cmo", "cio", "admin_user", "sales_head"},
    "rank_move": {"cmo", "cio", "sales_head"},  # executives
    "reorder": {"cmo", "cio", "sales_head"},  # executives
    "new_project": {"cmo", "cio", "liaison", "admin_user", "sales_head"},
    "new_goal": {"cmo", "cio", "liaison", "admin_user", "sales_head"},
}


@pytest.mark.parametrize("persona", ["member", "outsider", "liaison", "admin_user", "sales_head"])
def test_denied_actions_are_403_and_change_nothing(request, client_as, world, persona):
    user = request.getfixturevalue(persona)
    c = client_as(user)
    for action, url, data in _requests(world):
        if persona in ALLOWED[action]:
            continue
        before = _snapshot()
        response = c.post(url, data)
        assert response.status_code == 403, (persona, action, response.status_code)
        assert _snapshot() == before, (persona, action)


def test_everyone_signed_in_reads_every_page(client_as, outsider, world, goal):
    c = client_as(outsider)
    p = world["project"]
    for url in (
        reverse("projects:index"),
        reverse("projects:detail", args=[p.pk]),
        reverse("projects:ranking"),
        reverse("projects:goal_list"),
        reverse("projects:goal_detail", args=[goal.pk]),
        reverse("changes"),
    ):
        body = c.get(url).content.decode()
        assert "Move up" not in body and "Edit the project" not in body and "Send my answer" not in body


def test_list_filters_and_htmx_fragment(client_as, member, world, cmo):
    c = client_as(member)
    url = reverse("projects:index")
    body = c.get(url, {"status": "approved"}).content.decode()
    assert "Approved one" in body and "Customer data platform" not in body
    body = c.get(url, {"department": "sales"}).content.decode()
    assert "Customer data platform" in body and "Approved one" not in body
    body = c.get(url, {"sponsor": cmo.pk, "health": "off_track"}).content.decode()
    assert "No project matches these filters." in body
    fragment = c.get(url, {"status": "active"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'id="project-rows"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode() and "HX-Request" in fragment["Vary"]


def test_stale_project_edit_is_409_and_wrong_department_422(client_as, cmo, cio, member, world):
    p = world["project"]
    url = reverse("projects:edit", args=[p.pk])
    data = {
        "name": "Renamed",
        "marketing_sponsor": cmo.pk,
        "it_sponsor": cio.pk,
        "health": "at_risk",
        "version": p.version,
    }
    assert client_as(cio).post(url, data).status_code == 302
    assert client_as(cmo).post(url, {**data, "name": "Mine"}).status_code == 409
    bad = client_as(cmo).post(url, {**data, "it_sponsor": member.pk, "version": p.version + 1})
    assert bad.status_code == 422
    p.refresh_from_db()
    assert (p.name, p.it_sponsor_id, p.health) == ("Renamed", cio.pk, "at_risk")


def test_milestone_slip_without_reason_is_422(client_as, cmo, world):
    ms = world["ms"]
    response = client_as(cmo).post(reverse("projects:milestone_reschedule", args=[ms.pk]), {"due_date": "2027-05-01"})
    assert response.status_code == 422 and "Say why the milestone slips." in response.content.decode()
    ms.refresh_from_db()
    assert ms.due_date == date(2027, 3, 1)
