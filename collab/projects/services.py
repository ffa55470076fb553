"""Every write to goals, projects, requirements, the ranking, change requests and milestones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from collab.accounts import permissions as perm
from collab.accounts.models import Department, User
from collab.lib.markdown import with_html
from collab.lib.urls import absolute_url
from collab.notifications import services as notifications
from collab.notifications.webhooks import emit_on_commit
from collab.projects import kinds
from collab.projects.models import (
    ACTIVE_STATUSES,
    ChangeRequest,
    ChangeRequestStatus,
    FeedEntry,
    FeedKind,
    Goal,
    Health,
    Milestone,
    MilestoneSlip,
    Project,
    ProjectDepartment,
    ProjectStatus,
    ProjectTransition,
    RankChange,
    RankingRevision,
    RequirementsVersion,
    SignOff,
    SignOffDecision,
    SponsorDecision,
)

SPONSOR_DEPARTMENTS = (Department.MARKETING, Department.IT)
EDITABLE_REQUIREMENTS = (ProjectStatus.PROPOSED, ProjectStatus.REQUIREMENTS)
CHANGE_REQUEST_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_DELIVERY, ProjectStatus.LIVE)

ALLOWED: dict[str, tuple[str, ...]] = {
    ProjectStatus.PROPOSED: (ProjectStatus.REQUIREMENTS, ProjectStatus.CANCELLED),
    ProjectStatus.REQUIREMENTS: (ProjectStatus.APPROVED, ProjectStatus.PROPOSED, ProjectStatus.CANCELLED),
    ProjectStatus.APPROVED: (ProjectStatus.IN_DELIVERY, ProjectStatus.CANCELLED),
    ProjectStatus.IN_DELIVERY: (ProjectStatus.LIVE, ProjectStatus.CANCELLED),
    ProjectStatus.LIVE: (ProjectStatus.CLOSED,),
    ProjectStatus.CLOSED: (),
    ProjectStatus.CANCELLED: (),
}


class ConflictError(Exception):
    """Someone else saved first; nothing was changed."""


def _feed(
    *,
    kind: str,
    project: Project | None,
    text: str,
    by: Any,
    reason: str = "",
    link: str = "",
    at: datetime | None = None,
) -> FeedEntry:
    return FeedEntry.objects.create(
        kind=kind,
        project=project,
        text=text[:600],
        reason=reason[:500],
        link=link or (project.get_absolute_url() if project else ""),
        by=by,
        at=at or timezone.now(),
    )


# --- goals ---------------------------------------------------------------------------------
def goal_create(
    *,
    by: Any,
    title: str,
    marketing_owner: User,
    it_owner: User,
    description: str = "",
    target_date: date | None = None,
) -> Goal:
    if not perm.can_manage_goals(by):
        raise PermissionDenied("Only executives, admins and liaisons set shared goals.")
    goal = Goal(
        title=title,
        description=description,
        marketing_owner=marketing_owner,
        it_owner=it_owner,
        target_date=target_date,
    )
    errors = {}
    if marketing_owner.department != Department.MARKETING:
        errors["marketing_owner"] = "The marketing owner must work in marketing."
    if it_owner.department != Department.IT:
        errors["it_owner"] = "The IT owner must work in IT."
    if errors:
        raise ValidationError(errors)
    goal.full_clean()
    goal.save()
    return goal


# --- projects ------------------------------------------------------------------------------
def _check_sponsors(marketing_sponsor: User | None, it_sponsor: User | None) -> None:
    errors: dict[str, str] = {}
    if marketing_sponsor is None:
        errors["marketing_sponsor"] = "A joint project needs a marketing sponsor."
    elif marketing_sponsor.department != Department.MARKETING:
        errors["marketing_sponsor"] = f"{marketing_sponsor} does not work in marketing."
    elif not marketing_sponsor.is_active:
        errors["marketing_sponsor"] = f"{marketing_sponsor} has left the company."
    if it_sponsor is None:
        errors["it_sponsor"] = "A joint project needs an IT sponsor."
    elif it_sponsor.department != Department.IT:
        errors["it_sponsor"] = f"{it_sponsor} does not work in IT."
    elif not it_sponsor.is_active:
        errors["it_sponsor"] = f"{it_sponsor} has left the company."
    if errors:
        raise ValidationError(errors)


def _set_departments(project: Project, departments: Iterable[str]) -> None:
    wanted = set(departments) | set(SPONSOR_DEPARTMENTS)
    unknown = wanted - set(Department.values)
    if unknown:
        raise ValidationError({"departments": "Unknown department."})
    ProjectDepartment.objects.filter(project=project).exclude(department__in=wanted).delete()
    have = set(ProjectDepartment.objects.filter(project=project).values_list("department", flat=True))
    ProjectDepartment.objects.bulk_create(
        [ProjectDepartment(project=project, department=d) for d in sorted(wanted - have)]
    )


def project_create(
    *,
    by: Any,
    name: str,
    marketing_sponsor: User | None,
    it_sponsor: User | None,
    summary: str = "",
    goal: Goal | None = None,
    departments: Iterable[str] = (),
    representatives: Iterable[User] = (),
    requirements: str = "",
    now: datetime | None = None,
) -> Project:
    """Propose a joint project. It joins the bottom of the forced ranking."""
    if not perm.can_create_project(by):
        raise PermissionDenied("Only executives, liaisons and department heads propose joint projects.")
    _check_sponsors(marketing_sponsor, it_sponsor)
    now = now or timezone.now()
    project = Project(
        name=name,
        summary=summary,
        goal=goal,
        marketing_sponsor=marketing_sponsor,
        it_sponsor=it_sponsor,
        created_by=by,
    )
    project.full_clean(exclude=["rank"])
    with transaction.atomic():
        project.save()
        _set_departments(project, departments)
        project.representatives.set(list(representatives))
        if requirements.strip():
            RequirementsVersion.objects.create(
                project=project, number=1, text=requirements, created_by=by, created_at=now
            )
        _feed(kind=FeedKind.STATUS, project=project, text=f"{project.name} was proposed", by=by, at=now)
        _ranking_resync(by=by, reason=f"New project “{project.name}” joins at the bottom", now=now)
    project.refresh_from_db()
    return project


def project_update(
    *,
    project: Project,
    by: Any,
    version: int,
    name: str,
    marketing_sponsor: User | None,
    it_sponsor: User | None,
    summary: str = "",
    goal: Goal | None = None,
    health: str = Health.ON_TRACK,
    health_note: str = "",
    departments: Iterable[str] = (),
    representatives: Iterable[User] = (),
) -> Project:
    if not perm.can_edit_project(by, project):
        raise PermissionDenied("Only the sponsors and the executives edit a project.")
    _check_sponsors(marketing_sponsor, it_sponsor)
    if health not in Health.values:
        raise ValidationError({"health": "Unknown health."})
    candidate = Project(
        pk=project.pk,
        name=name,
        summary=summary,
        goal=goal,
        marketing_sponsor=marketing_sponsor,
        it_sponsor=it_sponsor,
        status=project.status,
        health=health,
        health_note=health_note,
    )
    candidate.full_clean(exclude=["rank", "version"], validate_unique=False)
    with transaction.atomic():
        changed = Project.objects.filter(pk=project.pk, version=version).update(
            **with_html(
                Project,
                dict(
                    name=name,
                    summary=summary,
                    goal=goal,
                    marketing_sponsor=marketing_sponsor,
                    it_sponsor=it_sponsor,
                    health=health,
                    health_note=health_note,
                    version=F("version") + 1,
                    updated_at=timezone.now(),
                ),
            ),
        )
        if not changed:
            raise ConflictError("Someone else saved this project first; reload it to see their changes.")
        _set_departments(project, departments)
        project.representatives.set(list(representatives))
    project.refresh_from_db()
    return project


def current_requirements(project: Project) -> RequirementsVersion | None:
    return project.requirement_versions.order_by("-number").first()


def missing_signoffs(project: Project, version: RequirementsVersion | None = None) -> list[str]:
    """Department labels whose head has not signed off the current requirements version."""
    version = version or current_requirements(project)
    departments = list(project.departments.values_list("department", flat=True))
    if version is None:
        return [Department(d).label for d in departments]
    signed = set(version.signoffs.filter(decision=SignOffDecision.APPROVED).values_list("department", flat=True))
    return [Department(d).label for d in departments if d not in signed]


def project_transition(*, project: Project, by: Any, to: str, note: str = "", now: datetime | None = None) -> Project:
    """Move a project along its life cycle; approval waits for every affected head's sign-off."""
    if not perm.can_transition_project(by, project):
        raise PermissionDenied("Only the sponsors and the executives move a project along.")
    if to not in ProjectStatus.values:
        raise ValidationError({"to": "Unknown status."})
    now = now or timezone.now()
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status != project.status:
            raise ConflictError("Someone changed this project's status first.")
        if to not in ALLOWED[locked.status]:
            raise ValidationError(
                f"A project cannot go from “{locked.get_status_display()}” to “{ProjectStatus(to).label}”."
            )
        if to == ProjectStatus.APPROVED:
            version = current_requirements(locked)
            if version is None:
                raise ValidationError("Write the requirements and have them signed off before approval.")
            missing = missing_signoffs(locked, version)
            if missing:
                raise ValidationError(
                    f"Approval waits for sign-off of requirements v{version.number} by: {', '.join(missing)}."
                )
        ProjectTransition.objects.create(
            project=locked, from_status=locked.status, to_status=to, note=note, by=by, at=now
        )
        fields: dict[str, Any] = {"status": to, "version": F("version") + 1, "updated_at": now}
        if to == ProjectStatus.APPROVED:
            fields["approved_at"] = now
        Project.objects.filter(pk=locked.pk).update(**fields)
        _feed(
            kind=FeedKind.STATUS,
            project=locked,
            text=f"{locked.name}: {locked.get_status_display()} → {ProjectStatus(to).label}",
            reason=note,
            by=by,
            at=now,
        )
        if to == ProjectStatus.REQUIREMENTS:
            _request_signoffs(locked, now)
        if (locked.status in ACTIVE_STATUSES) != (to in ACTIVE_STATUSES):
            verb = "leaves" if to not in ACTIVE_STATUSES else "returns to"
            _ranking_resync(by=by, reason=f"“{locked.name}” {verb} the ranking ({ProjectStatus(to).label})", now=now)
    project.refresh_from_db()
    return project


# --- requirements and sign-offs ------------------------------------------------------------
def _request_signoffs(project: Project, now: datetime) -> None:
    """Ask the heads who have not signed the current version yet (when the project enters requirements)."""
    version = current_requirements(project)
    if version is None:
        return
    answered = set(version.signoffs.values_list("department", flat=True))
    departments = [d for d in project.departments.values_list("department", flat=True) if d not in answered]
    heads = list(User.objects.heads_of(departments).values_list("pk", flat=True))
    notifications.notify(
        kind=kinds.SignOffRequested.key,
        obj=version,
        recipient_ids=heads,
        title=f"Please sign off the requirements of {project.name} (v{version.number})",
        body="The project cannot be approved until every affected department head has signed off.",
        link=project.get_absolute_url() + "#requirements",
        due_at=now,
    )


def requirements_save(
    *,
    project: Project,
    by: Any,
    text: str,
    based_on: int,
    change_note: str = "",
    now: datetime | None = None,
) -> RequirementsVersion:
    """Save the requirements as a new version. If the version it replaces had any sign-off, those are
    reset (they belong to the old version) and the affected heads are asked again."""
    if not perm.can_edit_requirements(by, project):
        raise PermissionDenied("Only the sponsors and the executives edit the requirements.")
    if project.status not in EDITABLE_REQUIREMENTS:
        raise ValidationError("The requirements are approved; a scope change now goes through a change request.")
    if not text.strip():
        raise ValidationError({"text": "The requirements cannot be empty."})
    now = now or timezone.now()
    current = current_requirements(project)
    number = current.number if current else 0
    if based_on != number:
        raise ConflictError(
            f"Someone saved version {number} while you were editing version {based_on}; compare and try again."
        )
    if current is not None and current.text == text:
        raise ValidationError({"text": "Nothing changed."})
    had_answers = current is not None and current.signoffs.exists()
    try:
        with transaction.atomic():
            version = RequirementsVersion.objects.create(
                project=project, number=number + 1, text=text, change_note=change_note, created_by=by, created_at=now
            )
    except IntegrityError as exc:
        raise ConflictError("Someone saved a new version of these requirements first.") from exc
    if had_answers:
        departments = list(project.departments.values_list("department", flat=True))
        heads = list(User.objects.heads_of(departments).values_list("pk", flat=True))
        notifications.notify(
            kind=kinds.RequirementsChanged.key,
            obj=version,
            recipient_ids=heads,
            title=f"Requirements of {project.name} changed: please sign off v{version.number}",
            body=change_note or "The earlier sign-offs were reset because the document changed.",
            link=project.get_absolute_url() + "#requirements",
            due_at=now,
        )
    return version


def signoff_record(
    *,
    project: Project,
    by: Any,
    department: str,
    version_number: int,
    decision: str,
    comment: str = "",
    now: datetime | None = None,
) -> SignOff:
    """A department head signs off (or rejects, with a comment) the current requirements version."""
    if not perm.can_sign_off(by, department):
        raise PermissionDenied("Only the head of a department signs off for it.")
    if not project.departments.filter(department=department).exists():
        raise PermissionDenied("This department is not affected by the project.")
    if project.status not in EDITABLE_REQUIREMENTS:
        raise ValidationError("The requirements are no longer open for sign-off.")
    if decision not in SignOffDecision.values:
        raise ValidationError({"decision": "Choose sign off or reject."})
    if decision == SignOffDecision.REJECTED and not comment.strip():
        raise ValidationError({"comment": "Say what has to change when you reject."})
    now = now or timezone.now()
    with transaction.atomic():
        current = current_requirements(project)
        if current is None:
            raise ValidationError("There are no requirements to sign off yet.")
        if current.number != version_number:
            raise ConflictError(
                f"The requirements changed to version {current.number} meanwhile; read it before signing off."
            )
        signoff, _ = SignOff.objects.update_or_create(
            version=current,
            department=department,
            defaults={"decision": decision, "comment": comment, "by": by, "at": now},
        )
        signoff.full_clean()
    return signoff


# --- the forced ranking --------------------------------------------------------------------
def ranking_number() -> int:
    return RankingRevision.objects.aggregate(n=Max("number"))["n"] or 0


def _moved_ids(old_order: list[int], new_order: list[int]) -> set[int]:
    """The projects someone actually moved: those outside the longest run that kept its order."""
    position = {pk: i for i, pk in enumerate(old_order)}
    seq = [position[pk] for pk in new_order if pk in position]
    # longest increasing subsequence, O(n²) on a few dozen projects
    best: list[list[int]] = []
    for i, value in enumerate(seq):
        chain = [value]
        for j in range(i):
            if seq[j] < value and len(best[j]) + 1 > len(chain):
                chain = [*best[j], value]
        best.append(chain)
    kept: set[int] = set(sorted(best, key=len)[-1]) if best else set()
    return {pk for pk in new_order if pk not in position or position[pk] not in kept} | (
        set(old_order) - set(new_order)
    )


def _apply_ranking(*, by: Any, new_order: list[int], reason: str, number: int, now: datetime) -> RankingRevision | None:
    """Write ``new_order`` (project ids) as ranks 1..n and unrank every other project, recording it."""
    projects = {p.pk: p for p in Project.objects.select_for_update().filter(rank__isnull=False)}
    projects.update({p.pk: p for p in Project.objects.filter(pk__in=new_order)})
    old = {pk: p.rank for pk, p in projects.items()}
    new = {pk: i for i, pk in enumerate(new_order, start=1)}
    changed = [pk for pk in projects if old.get(pk) != new.get(pk)]
    if not changed:
        return None
    try:
        with transaction.atomic():
            revision = RankingRevision.objects.create(number=number, reason=reason, by=by, at=now)
    except IntegrityError as exc:
        raise ConflictError("Someone else changed the ranking at the same moment; it is shown as it is now.") from exc
    Project.objects.filter(pk__in=changed).update(rank=None)
    for pk in changed:
        if new.get(pk) is not None:
            Project.objects.filter(pk=pk).update(rank=new[pk])
    RankChange.objects.bulk_create(
        [RankChange(revision=revision, project_id=pk, old_rank=old.get(pk), new_rank=new.get(pk)) for pk in changed]
    )
    return revision


def _ranking_resync(*, by: Any, reason: str, now: datetime) -> None:
    """After a project enters or leaves the active set: keep the order, close the gaps, append new ones.
    If an executive's reorder takes the next ranking number at the same moment, read the order again."""
    for attempt in range(3):
        ranked = list(Project.objects.filter(rank__isnull=False).order_by("rank").values_list("pk", "status"))
        order = [pk for pk, status in ranked if status in ACTIVE_STATUSES]
        newcomers = Project.objects.active().filter(rank__isnull=True).order_by("created_at", "pk")
        order += list(newcomers.values_list("pk", flat=True))
        try:
            _apply_ranking(by=by, new_order=order, reason=reason, number=ranking_number() + 1, now=now)
        except ConflictError:
            if attempt == 2:
                raise
        else:
            return


def ranking_reorder(
    *,
    by: Any,
    order: list[int],
    version: int,
    reason: str,
    now: datetime | None = None,
    moved: int | None = None,
) -> RankingRevision:
    """Put the active projects in ``order``. ``version`` is the ranking version the executive saw; if
    the ranking changed since, nothing is reordered and a ConflictError says so."""
    if not perm.can_rank_projects(by):
        raise PermissionDenied("Only executives reorder the ranking.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Every change of the ranking needs a reason."})
    now = now or timezone.now()
    with transaction.atomic():
        current = ranking_number()
        if version != current:
            raise ConflictError(
                "The ranking changed since you opened it (someone else reordered it); nothing was moved. "
                "It is shown as it is now."
            )
        ranked = list(Project.objects.active().ranked().values_list("pk", flat=True))
        if sorted(order) != sorted(ranked) or len(set(order)) != len(order):
            raise ConflictError("The list of ranked projects changed since you opened it; nothing was moved.")
        revision = _apply_ranking(by=by, new_order=order, reason=reason, number=current + 1, now=now)
        if revision is None:
            raise ValidationError("Nothing moved: the order is the same as before.")
        _after_reorder(revision=revision, by=by, old_order=ranked, new_order=order, now=now, moved=moved)
    return revision


def ranking_move(
    *, by: Any, project: Project, to_rank: int, version: int, reason: str, now: datetime | None = None
) -> RankingRevision:
    """Move one project to ``to_rank`` (1 = top); the others keep their order."""
    order = list(Project.objects.active().ranked().values_list("pk", flat=True))
    if project.pk not in order:
        raise ValidationError("Only active projects are ranked.")
    if not 1 <= to_rank <= len(order):
        raise ValidationError({"to_rank": f"Choose a rank between 1 and {len(order)}."})
    order.remove(project.pk)
    order.insert(to_rank - 1, project.pk)
    return ranking_reorder(by=by, order=order, version=version, reason=reason, now=now, moved=project.pk)


def _after_reorder(
    *,
    revision: RankingRevision,
    by: Any,
    old_order: list[int],
    new_order: list[int],
    now: datetime,
    moved: int | None = None,
) -> None:
    changes = list(revision.changes.select_related("project"))
    moved_ids = {moved} if moved is not None else _moved_ids(old_order, new_order)
    main = [c for c in changes if c.project_id in moved_ids] or changes
    others = len(changes) - len(main)
    text = "; ".join(f"{c.project.name} {c.old_rank} → {c.new_rank}" for c in main)
    if others:
        text += f" ({others} other{'s' if others > 1 else ''} shifted by one)"
    _feed(
        kind=FeedKind.RANK,
        project=main[0].project if len(main) == 1 else None,
        text=f"Ranking: {text}",
        reason=revision.reason,
        link=reverse("projects:ranking") + "#history",
        by=by,
        at=now,
    )
    revision_id, by_name = revision.pk, getattr(by, "username", "")
    emit_on_commit(
        event="ranking.changed",
        payload=lambda: {
            "revision": revision.number,
            "reason": revision.reason,
            "by": by_name,
            "changes": [
                {"project": c.project.name, "project_id": c.project_id, "old_rank": c.old_rank, "new_rank": c.new_rank}
                for c in changes
            ],
            "url": absolute_url(reverse("projects:ranking") + "#history"),
            "revision_id": revision_id,
        },
    )
    for change in changes:
        p = change.project
        notifications.notify(
            kind=kinds.RankChanged.key,
            obj=p,
            recipient_ids=[p.marketing_sponsor_id, p.it_sponsor_id],
            title=f"{p.name} moved from rank {change.old_rank} to {change.new_rank}",
            body=f"{by} changed the ranking: {revision.reason}",
            link=reverse("projects:ranking") + "#history",
            due_at=now,
        )


# --- change requests -----------------------------------------------------------------------
def change_request_raise(
    *,
    project: Project,
    by: Any,
    title: str,
    reason: str,
    date_effect_days: int = 0,
    effort_days: int = 0,
    now: datetime | None = None,
) -> ChangeRequest:
    if not perm.can_raise_change_request(by, project):
        raise PermissionDenied("Only the sponsors and the executives raise change requests.")
    if project.status not in CHANGE_REQUEST_STATUSES:
        raise ValidationError("Change requests start once the project is approved; edit the requirements until then.")
    now = now or timezone.now()
    cr = ChangeRequest(
        project=project,
        title=title,
        reason=reason,
        date_effect_days=date_effect_days,
        effort_days=effort_days,
        raised_by=by,
        created_at=now,
    )
    cr.full_clean()
    with transaction.atomic():
        cr.save()
        notifications.notify(
            kind=kinds.ChangeRequestRaised.key,
            obj=cr,
            recipient_ids=[uid for uid in (project.marketing_sponsor_id, project.it_sponsor_id) if uid != by.pk],
            title=f"Change request for {project.name}: {title}",
            body=f"{date_effect_days:+d} days, {effort_days:+d} person-days. It needs both sponsors' approval.",
            link=cr.get_absolute_url(),
            due_at=now,
        )
    return cr


def change_request_decide(
    *,
    change_request: ChangeRequest,
    by: Any,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> ChangeRequest:
    """One sponsor's answer. Both must approve for it to take effect; either can reject it with a reason."""
    project = change_request.project
    if not perm.can_decide_change_request(by, project):
        raise PermissionDenied("Only the project's two sponsors decide its change requests.")
    if not approve and not reason.strip():
        raise ValidationError({"reason": "Say why you reject this change request."})
    now = now or timezone.now()
    side = "marketing" if by.pk == project.marketing_sponsor_id else "it"
    with transaction.atomic():
        cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if cr.status != ChangeRequestStatus.PENDING:
            raise ValidationError(f"This change request is already {cr.get_status_display().lower()}.")
        if getattr(cr, f"{side}_decision") != SponsorDecision.PENDING:
            raise ValidationError("You have already decided this change request.")
        setattr(cr, f"{side}_decision", SponsorDecision.APPROVED if approve else SponsorDecision.REJECTED)
        setattr(cr, f"{side}_decided_at", now)
        if not approve:
            cr.status = ChangeRequestStatus.REJECTED
            cr.rejection_reason = reason
            cr.decided_at = now
        elif cr.marketing_decision == cr.it_decision == SponsorDecision.APPROVED:
            cr.status = ChangeRequestStatus.APPROVED
            cr.decided_at = now
        cr.full_clean()
        cr.save()
        if cr.status == ChangeRequestStatus.APPROVED:
            _feed(
                kind=FeedKind.SCOPE,
                project=project,
                text=(
                    f"{project.name}: scope change approved by both sponsors — {cr.title} "
                    f"({cr.date_effect_days:+d} days, {cr.effort_days:+d} person-days)"
                ),
                reason=cr.reason,
                link=cr.get_absolute_url(),
                by=by,
                at=now,
            )
        if cr.status != ChangeRequestStatus.PENDING:
            decided = cr
            emit_on_commit(
                event="change_request.decided",
                payload=lambda: {
                    "change_request": {
                        "id": decided.pk,
                        "title": decided.title,
                        "status": decided.status,
                        "marketing_decision": decided.marketing_decision,
                        "it_decision": decided.it_decision,
                        "date_effect_days": decided.date_effect_days,
                        "effort_days": decided.effort_days,
                        "rejection_reason": decided.rejection_reason,
                        "decided_at": decided.decided_at,
                        "url": absolute_url(decided.get_absolute_url()),
                    },
                    "project": {"id": project.pk, "name": project.name},
                },
            )
    change_request.refresh_from_db()
    return change_request


# --- milestones ----------------------------------------------------------------------------
def milestone_add(
    *,
    by: Any,
    title: str,
    owner: User,
    due_date: date,
    project: Project | None = None,
    goal: Goal | None = None,
) -> Milestone:
    if not perm.can_manage_milestone(by, project=project, goal=goal):
        raise PermissionDenied("Only the sponsors, the goal's owners and the executives plan milestones.")
    if project is not None and goal is None:
        goal = project.goal
    milestone = Milestone(title=title, owner=owner, due_date=due_date, project=project, goal=goal)
    milestone.full_clean()
    milestone.save()
    return milestone


def _home_url(project: Project | None, goal: Goal | None) -> str:
    home = project or goal
    return home.get_absolute_url() + "#milestones" if home is not None else ""


def _milestone_home(milestone: Milestone) -> tuple[Project | None, Goal | None]:
    return milestone.project, milestone.goal


def milestone_reschedule(
    *, milestone: Milestone, by: Any, due_date: date, reason: str, now: datetime | None = None
) -> Milestone:
    project, goal = _milestone_home(milestone)
    if not perm.can_manage_milestone(by, project=project, goal=goal, milestone=milestone):
        raise PermissionDenied("Only the owner, the sponsors and the executives move a milestone.")
    if milestone.done_on is not None:
        raise ValidationError("This milestone is done.")
    if due_date == milestone.due_date:
        raise ValidationError({"due_date": "Choose a different date."})
    if due_date > milestone.due_date and not reason.strip():
        raise ValidationError({"reason": "Say why the milestone slips."})
    now = now or timezone.now()
    with transaction.atomic():
        old = milestone.due_date
        Milestone.objects.filter(pk=milestone.pk).update(due_date=due_date, updated_at=now)
        if due_date > old:
            MilestoneSlip.objects.create(
                milestone=milestone, old_due=old, new_due=due_date, reason=reason, by=by, at=now
            )
            _feed(
                kind=FeedKind.MILESTONE,
                project=project,
                text=f"Milestone “{milestone.title}” slipped {(due_date - old).days} days: {old:%d %b} → {due_date:%d %b %Y}",
                reason=reason,
                link=_home_url(project, goal),
                by=by,
                at=now,
            )
    milestone.refresh_from_db()
    return milestone


def milestone_done(
    *, milestone: Milestone, by: Any, done_on: date | None = None, now: datetime | None = None
) -> Milestone:
    project, goal = _milestone_home(milestone)
    if not perm.can_manage_milestone(by, project=project, goal=goal, milestone=milestone):
        raise PermissionDenied("Only the owner, the sponsors and the executives complete a milestone.")
    if milestone.done_on is not None:
        raise ValidationError("This milestone is already done.")
    now = now or timezone.now()
    done_on = done_on or timezone.localdate(now)
    with transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(done_on=done_on, updated_at=now)
        if done_on > milestone.due_date:
            late = (done_on - milestone.due_date).days
            MilestoneSlip.objects.create(
                milestone=milestone, old_due=milestone.due_date, new_due=done_on, reason="Finished late", by=by, at=now
            )
            _feed(
                kind=FeedKind.MILESTONE,
                project=project,
                text=f"Milestone “{milestone.title}” finished {late} day{'s' if late != 1 else ''} late",
                link=_home_url(project, goal),
                by=by,
                at=now,
            )
    milestone.refresh_from_db()
    return milestone
