"""Tool requests: the answer deadline in working days, the evaluation and a decision always with a reason,
escalation to both executives exactly once, one click to a joint project, and denials that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from collab.notifications import services as engine
from collab.notifications.models import Delivery, Notification
from collab.projects.models import Project
from collab.projects.tools import services
from collab.projects.tools.models import ToolEvent, ToolRequest
from tests.factories import UserFactory
from tests.tools.conftest import T0

pytestmark = pytest.mark.django_db
FRIDAY = datetime(2026, 11, 6, 16, 0, tzinfo=UTC)


def _ask(by, now=T0, **extra) -> ToolRequest:
    extra.setdefault("title", "Social listening")
    extra.setdefault("need", "Hear what customers say about the launch.")
    return services.request_create(by=by, now=now, category="analytics", **extra)


def _tick(now):
    result = engine.sweep(now=now)
    engine.deliveries_send(ids=result.pending_ids, now=now)


def test_answer_deadline_is_five_working_days(member):
    assert _ask(member).answer_by == T0 + timedelta(days=7)  # Monday → next Monday
    assert _ask(member, now=FRIDAY, title="B").answer_by == datetime(2026, 11, 13, 16, 0, tzinfo=UTC)
    saturday = datetime(2026, 11, 7, 10, 0, tzinfo=UTC)
    assert _ask(member, now=saturday, title="C").answer_by == datetime(2026, 11, 13, 10, 0, tzinfo=UTC)


def test_bad_request_input_is_a_clear_error_and_nothing_is_saved(client_as, member):
    client = client_as(member)
    post = {"title": "CDP", "need": "One view", "category": "data", "users_count": "3", "budget": "-10",
            "urgency": "high"}  # fmt: skip
    response = client.post("/tools/requests/new/", post)
    assert response.status_code == 422 and "The budget cannot be negative." in response.content.decode()
    response = client.post("/tools/requests/new/", {**post, "budget": "10", "urgency": "yesterday"})
    assert response.status_code == 422
    with pytest.raises(ValidationError):
        services.request_create(by=member, title="", need="x", now=T0)
    assert not ToolRequest.objects.exists()
    response = client.post("/tools/requests/new/", {**post, "budget": "10"})
    assert response.status_code == 302 and ToolRequest.objects.get().department == "marketing"


def test_a_decision_always_comes_with_a_reason(client_as, cio, member, make_tool):
    req = _ask(member, now=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.request_decide(request=req, by=cio, decision="reject", reason="  ", version=1)
    assert "reason" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.request_decide(request=req, by=cio, decision="use_existing", reason="Use ours", version=1)
    assert "Name the existing tool" in str(exc.value)
    response = client_as(cio).post(f"/tools/requests/{req.pk}/decide/", {"decision": "adopt", "version": "1"})
    assert response.status_code == 422 and "Give the reason for the decision." in response.content.decode()
    req.refresh_from_db()
    assert req.decision == "" and req.decided_at is None
    existing = make_tool("Brandwatch", category="analytics")
    response = client_as(cio).post(f"/tools/requests/{req.pk}/decide/", {
        "decision": "use_existing", "existing_tool": existing.pk, "reason": "We already run Brandwatch.",
        "security_review": "n/a", "overlaps": [existing.pk], "version": "1"})  # fmt: skip
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.decision == "use_existing" and req.existing_tool == existing and list(req.overlaps.all()) == [existing]
    assert req.answered_on_time
    # a second decision on a stale version is a conflict, not an overwrite
    with pytest.raises(services.ConflictError):
        services.request_decide(request=req, by=cio, decision="reject", reason="No", version=1)


def test_request_page_suggests_overlaps_by_category(client_as, cio, member, make_tool):
    make_tool("Brandwatch", category="analytics")
    make_tool("Salesforce", category="crm")
    response = client_as(cio).get(f"/tools/requests/{_ask(member).pk}/")
    assert [t.name for t in response.context["suggestions"]] == ["Brandwatch"]
    page = response.content.decode()
    assert "Tools already in use for Analytics" in page and "Record the decision" in page
    assert (
        "Record the decision"
        not in client_as(member).get(f"/tools/requests/{_ask(member, title='X').pk}/").content.decode()
    )


def test_unanswered_request_escalates_to_both_executives_exactly_once(cmo, cio, member, liaison):
    UserFactory(username="cfo", department="finance", role="executive")  # not one of the two sides
    req = _ask(member)
    _tick(req.answer_by - timedelta(minutes=1))
    assert not Notification.objects.filter(kind="tool_request_unanswered").exists()
    for minutes in (0, 5, 600):  # the sweep runs again and again
        _tick(req.answer_by + timedelta(minutes=minutes))
    people = sorted(
        Notification.objects.filter(kind="tool_request_unanswered").values_list("user__username", flat=True)
    )
    assert people == ["cio", "cmo"]
    assert Delivery.objects.filter(kind="tool_request_unanswered").count() == 4  # in-app + email, two people, once
    services.request_decide(request=req, by=liaison, decision="reject", reason="Late, sorry", version=1,
                            now=req.answer_by + timedelta(hours=12))  # fmt: skip
    req.refresh_from_db()
    assert req.answered_on_time is False


def test_a_request_answered_in_time_never_escalates(cmo, cio, member):
    req = _ask(member)
    services.request_decide(
        request=req, by=cio, decision="trial", reason="Try it", version=1, now=T0 + timedelta(days=1)
    )
    _tick(req.answer_by + timedelta(days=1))
    assert not Notification.objects.filter(kind="tool_request_unanswered").exists()


def test_an_adopted_request_becomes_a_joint_project_with_both_sponsors(client_as, cmo, cio, member):
    req = _ask(member)
    services.request_decide(request=req, by=cio, decision="adopt", reason="Fits", version=1, now=T0)
    page = client_as(cio).get(f"/tools/requests/{req.pk}/").content.decode()
    assert "Make it a joint project" in page
    before = Project.objects.count()
    row = list(ToolRequest.objects.filter(pk=req.pk).values())
    assert client_as(member).post(f"/tools/requests/{req.pk}/project/").status_code == 403
    assert Project.objects.count() == before
    assert list(ToolRequest.objects.filter(pk=req.pk).values()) == row  # no project, no version bump
    response = client_as(cio).post(f"/tools/requests/{req.pk}/project/")
    project = Project.objects.get(name="Introduce Social listening")
    assert response["Location"] == project.get_absolute_url()
    assert project.marketing_sponsor == cmo and project.it_sponsor == cio and project.rank is not None
    req.refresh_from_db()
    assert req.project == project
    again = client_as(cio).post(f"/tools/requests/{req.pk}/project/")  # a double click makes one project
    assert again.status_code == 302 and Project.objects.count() == before + 1


def test_a_rejected_request_does_not_become_a_project(client_as, cmo, cio, member):
    req = _ask(member)
    services.request_decide(request=req, by=cio, decision="reject", reason="No", version=1, now=T0)
    with pytest.raises(ValidationError):
        services.request_to_project(request=req, by=cio)
    row = list(ToolRequest.objects.filter(pk=req.pk).values())
    response = client_as(cio).post(f"/tools/requests/{req.pk}/project/", follow=True)
    assert response.redirect_chain == [(f"/tools/requests/{req.pk}/", 302)]
    assert "Only an adopted request becomes a joint project." in response.content.decode()
    assert not Project.objects.exists()
    assert list(ToolRequest.objects.filter(pk=req.pk).values()) == row


def test_only_it_and_executives_decide_and_a_denial_changes_nothing(client_as, member, outsider, cmo):
    req = _ask(member)
    before = list(ToolRequest.objects.values())
    for person in (member, outsider):
        response = client_as(person).post(f"/tools/requests/{req.pk}/decide/",
                                          {"decision": "adopt", "reason": "Mine", "version": "1"})  # fmt: skip
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            services.request_decide(request=req, by=person, decision="adopt", reason="Mine", version=1)
    assert list(ToolRequest.objects.values()) == before
    assert client_as(cmo).post(f"/tools/requests/{req.pk}/decide/",
                               {"decision": "adopt", "reason": "Yes", "version": "1"}).status_code == 302  # fmt: skip


def test_request_list_shows_late_ones(client_as, member, cio):
    _ask(member, now=T0 - timedelta(days=30), title="Old and forgotten")
    _ask(member, title="Fresh", now=timezone.now())
    page = client_as(cio).get("/tools/requests/?show=overdue").content.decode()
    assert "Old and forgotten" in page and "Fresh" not in page and "late" in page
    assert client_as(cio).get("/tools/requests/?show=<script>").status_code == 200


def test_deciding_on_a_stale_version_over_http_is_a_conflict_and_nothing_is_saved(client_as, cio, cmo, member):
    req = _ask(member)
    ToolRequest.objects.filter(pk=req.pk).update(version=2)  # someone changed it (an admin edit) after the page opened
    row = list(ToolRequest.objects.filter(pk=req.pk).values())
    response = client_as(cio).post(f"/tools/requests/{req.pk}/decide/",
                                   {"decision": "adopt", "reason": "Fits", "version": "1"})  # fmt: skip
    assert response.status_code == 422
    assert "Someone answered or changed this request first" in response.content.decode()
    assert list(ToolRequest.objects.filter(pk=req.pk).values()) == row
    assert not Notification.objects.filter(kind="tool_request_decided").exists()
    assert not ToolEvent.objects.exists()


def test_a_decision_is_recorded_in_the_history(cio, member, make_tool):
    req = _ask(member)
    services.request_decide(request=req, by=cio, decision="reject", reason="Too costly", version=1, now=T0)
    event = ToolEvent.objects.get(request=req)
    assert event.kind == "decided" and event.by == cio and event.tool is None
    assert "decided on time: reject. Too costly" in event.note
    other = _ask(member, title="Another listening tool")
    brandwatch = make_tool("Brandwatch", category="analytics")
    services.request_decide(request=other, by=cio, decision="use_existing", reason="Ours", version=1,
                            existing_tool=brandwatch, now=T0)  # fmt: skip
    assert ToolEvent.objects.get(request=other).tool == brandwatch  # shown in the tool's history too


def test_a_retired_tool_cannot_be_the_existing_tool_to_use(cio, member, make_tool):
    req = _ask(member)
    old = make_tool("Old listener", category="analytics", status="evaluating")
    services.tool_transition(tool=old, by=cio, to="retired", now=T0)
    old.refresh_from_db()
    row = list(ToolRequest.objects.filter(pk=req.pk).values())
    with pytest.raises(ValidationError) as exc:
        services.request_decide(request=req, by=cio, decision="use_existing", reason="Use it", version=1,
                                existing_tool=old)  # fmt: skip
    assert "Old listener is retired" in str(exc.value)
    assert list(ToolRequest.objects.filter(pk=req.pk).values()) == row
    assert not ToolEvent.objects.filter(request=req).exists()
