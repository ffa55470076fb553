from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from collab.notifications.models import Delivery
from collab.projects import selectors, services
from collab.projects.models import (
    ChangeRequest,
    FeedEntry,
    Project,
    ProjectStatus,
    ProjectTransition,
    RankChange,
    RequirementsVersion,
    SignOff,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- constraints ---------------------------------------------------------------------------
def test_database_refuses_a_project_without_both_sponsors(cmo):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(name="Half", marketing_sponsor=cmo)  # type: ignore[misc]
    assert not Project.objects.exists()


def test_database_refuses_the_same_person_as_both_sponsors(cmo):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(name="Same", marketing_sponsor=cmo, it_sponsor=cmo)


def test_database_refuses_two_projects_with_the_same_rank(make_project):
    a = make_project()
    b = make_project()
    assert (a.rank, b.rank) == (1, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=b.pk).update(rank=1)
    assert sorted(r or 0 for r in Project.objects.values_list("rank", flat=True)) == [1, 2]


def test_service_needs_both_sponsors_each_from_their_department(cmo, cio, member, it_member):
    with pytest.raises(ValidationError) as exc:
        services.project_create(by=cmo, name="X", marketing_sponsor=cmo, it_sponsor=None)
    assert "it_sponsor" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.project_create(by=cmo, name="X", marketing_sponsor=it_member, it_sponsor=member)
    assert set(exc.value.message_dict) == {"marketing_sponsor", "it_sponsor"}
    assert not Project.objects.exists()


def test_member_cannot_create_a_project(member, cmo, cio):
    with pytest.raises(PermissionDenied):
        services.project_create(by=member, name="X", marketing_sponsor=cmo, it_sponsor=cio)
    assert not Project.objects.exists()


def test_sponsor_departments_are_always_affected(project):
    assert sorted(project.departments.values_list("department", flat=True)) == ["it", "marketing", "sales"]


# --- requirements and sign-offs ------------------------------------------------------------
def test_sign_off_cycle_resets_on_edit_and_notifies_the_heads(project, cmo, cio, sales_head):
    services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="approved")
    services.signoff_record(
        project=project, by=sales_head, department="sales", version_number=1, decision="rejected", comment="Add leads"
    )
    assert selectors.signoff_status(project).signed == 1
    v2 = services.requirements_save(project=project, by=cio, text="# CDP\n\nWith leads.", based_on=1)
    assert v2.number == 2
    status = selectors.signoff_status(project)
    assert (status.version, status.signed, status.total) == (2, 0, 3)
    # v1's answers stay in the history (the matrix), v2 starts empty
    assert SignOff.objects.filter(version__number=1).count() == 2
    notified = set(
        Delivery.objects.filter(kind="project_requirements_changed").values_list("recipient__username", flat=True)
    )
    assert notified == {"cmo", "cio", "sales.head"}
    # signing an old version is refused
    with pytest.raises(services.ConflictError):
        services.signoff_record(project=project, by=cio, department="it", version_number=1, decision="approved")
    for head, dept in ((cmo, "marketing"), (cio, "it"), (sales_head, "sales")):
        services.signoff_record(project=project, by=head, department=dept, version_number=2, decision="approved")
    assert selectors.signoff_status(project).complete


def test_only_the_departments_head_signs_off(project, cio, member, sales_head):
    with pytest.raises(PermissionDenied):
        services.signoff_record(project=project, by=cio, department="marketing", version_number=1, decision="approved")
    with pytest.raises(PermissionDenied):
        services.signoff_record(
            project=project, by=member, department="marketing", version_number=1, decision="approved"
        )
    assert not SignOff.objects.exists()


def test_rejection_needs_a_comment(project, cmo):
    with pytest.raises(ValidationError):
        services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="rejected")
    assert not SignOff.objects.exists()


def test_stale_requirements_edit_is_a_conflict(project, cmo, cio):
    services.requirements_save(project=project, by=cmo, text="v2", based_on=1)
    with pytest.raises(services.ConflictError):
        services.requirements_save(project=project, by=cio, text="other v2", based_on=1)
    assert RequirementsVersion.objects.filter(project=project).count() == 2


def test_approval_is_blocked_until_every_head_signed_the_current_version(project, cmo, cio, sales_head):
    services.project_transition(project=project, by=cmo, to=ProjectStatus.REQUIREMENTS)
    with pytest.raises(ValidationError, match="IT, Marketing, Sales"):
        services.project_transition(project=project, by=cmo, to=ProjectStatus.APPROVED)
    services.signoff_record(project=project, by=cmo, department="marketing", version_number=1, decision="approved")
    services.signoff_record(project=project, by=cio, department="it", version_number=1, decision="approved")
    with pytest.raises(ValidationError, match="Sales"):
        services.project_transition(project=project, by=cmo, to=ProjectStatus.APPROVED)
    project.refresh_from_db()
    assert project.status == ProjectStatus.REQUIREMENTS and project.approved_at is None
    services.signoff_record(project=project, by=sales_head, department="sales", version_number=1, decision="approved")
    services.project_transition(project=project, by=cio, to=ProjectStatus.APPROVED)
    assert project.status == ProjectStatus.APPROVED and project.approved_at
    assert list(ProjectTransition.objects.filter(project=project).values_list("to_status", flat=True)) == [
        "requirements",
        "approved",
    ]
    assert FeedEntry.objects.filter(kind="status", project=project).count() == 3  # proposed + 2 transitions


def test_requirements_freeze_after_approval(project, cmo, cio, sales_head):
    _approve(project, cmo, cio, sales_head)
    with pytest.raises(ValidationError, match="change request"):
        services.requirements_save(project=project, by=cmo, text="more", based_on=1)


def _approve(project, cmo, cio, sales_head):
    services.project_transition(project=project, by=cmo, to=ProjectStatus.REQUIREMENTS)
    for head, dept in ((cmo, "marketing"), (cio, "it"), (sales_head, "sales")):
        services.signoff_record(project=project, by=head, department=dept, version_number=1, decision="approved")
    services.project_transition(project=project, by=cmo, to=ProjectStatus.APPROVED)


def test_leaving_the_active_statuses_leaves_the_ranking(make_project, cmo):
    a, b, c = make_project(), make_project(), make_project()
    services.project_transition(project=a, by=cmo, to=ProjectStatus.CANCELLED, note="No budget")
    ranks = dict(Project.objects.values_list("name", "rank"))
    assert ranks == {a.name: None, b.name: 1, c.name: 2}


# --- ranking -------------------------------------------------------------------------------
def test_reorder_records_reason_feed_and_notifies_both_sponsors_once(make_project, cmo, cio, member):
    other_it = UserFactory(username="it.sponsor", department="it")
    a, b = make_project(), make_project()
    c = make_project(marketing_sponsor=member, it_sponsor=other_it)
    version = selectors.ranking_version()
    with pytest.raises(ValidationError):
        services.ranking_reorder(by=cio, order=[c.pk, a.pk, b.pk], version=version, reason="  ")
    assert [r.project.pk for r in selectors.ranking()] == [a.pk, b.pk, c.pk]
    services.ranking_reorder(by=cio, order=[c.pk, a.pk, b.pk], version=version, reason="Launch date moved up")
    assert [r.project.pk for r in selectors.ranking()] == [c.pk, a.pk, b.pk]
    changes = {
        rc.project_id: (rc.old_rank, rc.new_rank) for rc in RankChange.objects.filter(revision__number=version + 1)
    }
    assert changes == {c.pk: (3, 1), a.pk: (1, 2), b.pk: (2, 3)}
    feed = selectors.change_feed(limit=1)[0]
    assert feed.kind == "rank" and feed.reason == "Launch date moved up" and feed.who == str(cio)
    assert f"{c.name} 3 → 1" in feed.text and "2 others shifted" in feed.text
    rank_deliveries = Delivery.objects.filter(kind="project_rank_changed", channel="in_app")
    # one per moved project and sponsor: cmo and cio sponsor a and b, member and it.sponsor sponsor c
    assert sorted(rank_deliveries.values_list("recipient__username", flat=True)) == sorted(
        ["cmo", "cio", "cmo", "cio", "member", "it.sponsor"]
    )


def test_stale_ranking_version_is_a_conflict_and_moves_nothing(make_project, cmo, cio):
    a, b, c = make_project(), make_project(), make_project()
    seen = selectors.ranking_version()
    services.ranking_move(by=cmo, project=c, to_rank=1, version=seen, reason="Board decision")
    with pytest.raises(services.ConflictError):
        services.ranking_move(by=cio, project=b, to_rank=1, version=seen, reason="Stale")
    assert [r.project.pk for r in selectors.ranking()] == [c.pk, a.pk, b.pk]


def test_only_executives_rank(make_project, liaison, admin_user):
    a, b = make_project(), make_project()
    for user in (liaison, admin_user):
        with pytest.raises(PermissionDenied):
            services.ranking_move(by=user, project=b, to_rank=1, version=selectors.ranking_version(), reason="Because")
    assert list(Project.objects.order_by("rank").values_list("pk", flat=True)) == [a.pk, b.pk]


def test_move_to_rank_out_of_range_is_refused(make_project, cmo):
    a, _ = make_project(), make_project()
    with pytest.raises(ValidationError):
        services.ranking_move(by=cmo, project=a, to_rank=5, version=selectors.ranking_version(), reason="x")


# --- change requests -----------------------------------------------------------------------
def test_change_request_needs_both_sponsors(project, cmo, cio, sales_head):
    _approve(project, cmo, cio, sales_head)
    cr = services.change_request_raise(
        project=project, by=cmo, title="Add loyalty points", reason="Launch", date_effect_days=10, effort_days=15
    )
    assert Delivery.objects.filter(kind="project_change_request", recipient=cio).exists()
    services.change_request_decide(change_request=cr, by=cmo, approve=True)
    assert cr.status == "pending"
    assert selectors.scope_creep(project)["count"] == 0
    assert not FeedEntry.objects.filter(kind="scope").exists()
    with pytest.raises(ValidationError):
        services.change_request_decide(change_request=cr, by=cmo, approve=True)
    services.change_request_decide(change_request=cr, by=cio, approve=True)
    assert cr.status == "approved"
    assert selectors.scope_creep(project) == {"count": 1, "effort_days": 15, "date_days": 10}
    assert FeedEntry.objects.filter(kind="scope", project=project).count() == 1


def test_either_sponsor_rejects_with_a_reason(project, cmo, cio, sales_head):
    _approve(project, cmo, cio, sales_head)
    cr = services.change_request_raise(project=project, by=cio, title="New API", reason="Partner", effort_days=5)
    with pytest.raises(ValidationError):
        services.change_request_decide(change_request=cr, by=cmo, approve=False)
    services.change_request_decide(change_request=cr, by=cmo, approve=False, reason="Not this quarter")
    assert cr.status == "rejected" and cr.rejection_reason == "Not this quarter"
    with pytest.raises(ValidationError):
        services.change_request_decide(change_request=cr, by=cio, approve=True)


def test_only_sponsors_decide_change_requests(project, cmo, cio, sales_head, liaison):
    _approve(project, cmo, cio, sales_head)
    cr = services.change_request_raise(project=project, by=cio, title="New API", reason="Partner")
    for user in (sales_head, liaison):
        with pytest.raises(PermissionDenied):
            services.change_request_decide(change_request=cr, by=user, approve=True)
    cr.refresh_from_db()
    assert (cr.marketing_decision, cr.it_decision, cr.status) == ("pending", "pending", "pending")


def test_database_refuses_an_approved_change_request_with_one_approval(project, cmo, cio, sales_head):
    _approve(project, cmo, cio, sales_head)
    cr = services.change_request_raise(project=project, by=cio, title="New API", reason="Partner")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=cr.pk).update(status="approved", marketing_decision="approved")


def test_no_change_requests_before_approval(project, cmo):
    with pytest.raises(ValidationError):
        services.change_request_raise(project=project, by=cmo, title="X", reason="Y")


# --- milestones and goals ------------------------------------------------------------------
def test_slipped_milestone_lands_in_the_feed_and_goal_progress(project, goal, cmo, member):
    from datetime import date

    m1 = services.milestone_add(by=cmo, project=project, title="Data model", owner=member, due_date=date(2027, 1, 10))
    services.milestone_add(by=cmo, goal=goal, title="Consent", owner=cmo, due_date=date(2027, 2, 1))
    assert m1.goal == goal
    with pytest.raises(ValidationError):
        services.milestone_reschedule(milestone=m1, by=member, due_date=date(2027, 1, 20), reason="")
    services.milestone_reschedule(milestone=m1, by=member, due_date=date(2027, 1, 20), reason="Vendor late")
    entry = selectors.change_feed(limit=1)[0]
    assert entry.kind == "milestone" and "slipped 10 days" in entry.text
    services.milestone_done(milestone=m1, by=member, done_on=date(2027, 1, 18))
    assert selectors.progress(selectors.goal_milestones(goal))["percent"] == 50
    [(g, prog)] = selectors.goal_list()
    assert prog["done"] == 1 and prog["total"] == 2


def test_vacancy_when_a_sponsor_leaves(project, cio):
    cio.is_active = False
    cio.save()
    [row] = selectors.ranking()
    assert row.vacancy and "IT sponsor" in row.vacancies[0]
