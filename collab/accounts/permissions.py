"""The one place that answers "may this user do X (to this object)?".

Views call these functions and templates show only what they allow; services call them too when a
rule protects an invariant. Objects of higher floors are read by duck typing (their attribute
names), never imported, so this module stays on floor 1.
"""

from __future__ import annotations

from typing import Any

from collab.accounts.models import Department, Role


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.role == Role.ADMIN)


def is_executive(user: Any) -> bool:
    return _active(user) and user.role == Role.EXECUTIVE


def is_liaison(user: Any) -> bool:
    return _active(user) and user.role == Role.LIAISON


def is_department_head(user: Any, department: str | None = None) -> bool:
    if not _active(user) or not user.is_department_head:
        return False
    return department is None or user.department == department


def is_leader(user: Any) -> bool:
    """Executives and admins: the people who steer both teams."""
    return is_executive(user) or is_admin(user)


# --- foundation ----------------------------------------------------------------------------
def can_view_app(user: Any) -> bool:
    """Every active, signed-in employee may use Collab."""
    return _active(user)


def can_administer(user: Any) -> bool:
    return is_admin(user)


def can_use_api(user: Any) -> bool:
    """Every active employee may make personal API tokens; a token acts as its user, never more."""
    return _active(user)


def can_manage_api_token(user: Any, token: Any) -> bool:
    """A token's owner revokes it; so may an administrator (in the admin, e.g. after a leak)."""
    return (_active(user) and getattr(token, "user_id", None) == user.pk) or is_admin(user)


def can_send_test_notification(user: Any) -> bool:
    return is_admin(user) or (_active(user) and user.is_staff)


def can_import_people(user: Any) -> bool:
    """Creating and changing people in bulk: admins, or staff who may both add and change users."""
    if not _active(user):
        return False
    return is_admin(user) or (user.is_staff and user.has_perms(["accounts.add_user", "accounts.change_user"]))


# --- the parking lot (snags) ---------------------------------------------------------------
def can_raise_snag(user: Any) -> bool:
    return _active(user)


def can_triage_snag(user: Any, snag: Any = None) -> bool:
    """Liaisons, executives and admins triage, answer, park and assign; so does the snag's owner."""
    if is_liaison(user) or is_leader(user):
        return True
    return snag is not None and _active(user) and getattr(snag, "owner_id", None) == user.pk


def can_confirm_snag_answer(user: Any, snag: Any) -> bool:
    """Only the person who raised a snag confirms that its answer helped."""
    return _active(user) and getattr(snag, "raised_by_id", None) == user.pk


def can_me_too(user: Any, snag: Any) -> bool:
    """Anyone who sees a snag says they hit it too, except the person who raised it (already counted)."""
    return _active(user) and getattr(snag, "raised_by_id", None) != user.pk


def can_edit_comment(user: Any, comment: Any) -> bool:
    """Nobody edits another person's comment."""
    return _active(user) and getattr(comment, "author_id", None) == user.pk


# --- joint projects ------------------------------------------------------------------------
def can_create_project(user: Any) -> bool:
    return _active(user) and (is_leader(user) or is_liaison(user) or user.is_department_head)


def is_project_sponsor(user: Any, project: Any) -> bool:
    return _active(user) and user.pk in (
        getattr(project, "marketing_sponsor_id", None),
        getattr(project, "it_sponsor_id", None),
    )


def can_edit_project(user: Any, project: Any) -> bool:
    return is_project_sponsor(user, project) or is_leader(user)


def can_sign_off(user: Any, department: str) -> bool:
    """Only the head of a department signs off requirements for that department."""
    return is_department_head(user, department)


def can_decide_change_request(user: Any, project: Any) -> bool:
    """Only the project's two sponsors approve or reject its change requests."""
    return is_project_sponsor(user, project)


def can_rank_projects(user: Any) -> bool:
    """Only executives reorder the forced ranking."""
    return is_executive(user)


def can_edit_requirements(user: Any, project: Any) -> bool:
    """The sponsors and the leaders write a project's requirements."""
    return can_edit_project(user, project)


def can_transition_project(user: Any, project: Any) -> bool:
    return can_edit_project(user, project)


def can_raise_change_request(user: Any, project: Any) -> bool:
    return can_edit_project(user, project)


def can_manage_milestone(user: Any, project: Any = None, goal: Any = None, milestone: Any = None) -> bool:
    """A milestone's owner, the project's sponsors, the goal's owners and the leaders plan milestones."""
    if not _active(user):
        return False
    if is_leader(user):
        return True
    if milestone is not None and getattr(milestone, "owner_id", None) == user.pk:
        return True
    if project is not None and is_project_sponsor(user, project):
        return True
    return goal is not None and user.pk in (
        getattr(goal, "marketing_owner_id", None),
        getattr(goal, "it_owner_id", None),
    )


def can_manage_goals(user: Any) -> bool:
    return is_leader(user) or is_liaison(user)


# --- liaisons and meetings -----------------------------------------------------------------
def can_manage_liaisons(user: Any) -> bool:
    return is_leader(user)


def can_be_mentor(user: Any) -> bool:
    return is_executive(user)


def is_meeting_attendee(user: Any, meeting: Any, attendee_ids: set[int] | None = None) -> bool:
    if not _active(user):
        return False
    if getattr(meeting, "organiser_id", None) == user.pk:
        return True
    if attendee_ids is not None:
        return user.pk in attendee_ids
    return bool(meeting.attendees.filter(pk=user.pk).exists())


def can_edit_meeting_agenda(user: Any, meeting: Any, attendee_ids: set[int] | None = None) -> bool:
    return is_leader(user) or is_meeting_attendee(user, meeting, attendee_ids)


def can_manage_meeting(user: Any, meeting: Any) -> bool:
    """Organisers and executives change attendees or cancel."""
    return is_leader(user) or (_active(user) and getattr(meeting, "organiser_id", None) == user.pk)


# --- quarterly business reviews ------------------------------------------------------------
def can_facilitate_review(user: Any, review: Any) -> bool:
    return is_leader(user) or (_active(user) and getattr(review, "facilitator_id", None) == user.pk)


def department_side(department: str) -> str:
    """Which side of the partnership a department sits on: 'it', 'marketing' or 'other'."""
    if department == Department.IT:
        return "it"
    if department == Department.MARKETING:
        return "marketing"
    return "other"


# --- quarterly business reviews (more) -----------------------------------------------------
def _review_people(review: Any, attendee_ids: set[int] | None) -> set[int]:
    ids: set[int] = (
        set(attendee_ids) if attendee_ids is not None else set(review.attendees.values_list("pk", flat=True))
    )
    facilitator = getattr(review, "facilitator_id", None)
    if facilitator is not None:
        ids.add(facilitator)
    return ids


def can_create_review(user: Any) -> bool:
    return is_leader(user)


def can_propose_review_item(user: Any, review: Any, attendee_ids: set[int] | None = None) -> bool:
    """The review's attendees, its facilitator and the executives add, edit, remove and reorder agenda items until
    the agenda is locked. A locked agenda changes for nobody: the facilitator unlocks it first, with a reason that
    goes in the history."""
    if not _active(user) or getattr(review, "is_locked", False):
        return False
    return can_facilitate_review(user, review) or user.pk in _review_people(review, attendee_ids)


def can_unlock_review(user: Any, review: Any) -> bool:
    """The facilitator and the executives unlock a locked agenda (with a reason), until the review is held."""
    return can_facilitate_review(user, review) and getattr(review, "status", None) == "agenda_locked"


def can_record_review_outcome(user: Any, review: Any, attendee_ids: set[int] | None = None) -> bool:
    """The one rule for decisions and action items: the facilitator, the executives and admins, and the review's
    attendees record them — before the agenda is locked and after it (they are taken at the meeting, which comes
    after the lock) — until the minutes are published. Published minutes are final: nobody adds to them; a
    correction is a dated addendum (``can_add_minutes_addendum``)."""
    if not _active(user) or getattr(review, "status", None) == "minutes_published":
        return False
    if can_facilitate_review(user, review):
        return True
    ids = attendee_ids if attendee_ids is not None else set(review.attendees.values_list("pk", flat=True))
    return user.pk in ids


def can_write_review_minutes(user: Any, review: Any) -> bool:
    """The facilitator and the executives write the minutes' summary from the lock (the meeting) until they are
    published; then they are final."""
    status = getattr(review, "status", None)
    return can_facilitate_review(user, review) and status in ("agenda_locked", "held")


def can_add_minutes_addendum(user: Any, review: Any) -> bool:
    """Published minutes are corrected only by a dated addendum, added by the facilitator or an executive."""
    return can_facilitate_review(user, review) and getattr(review, "status", None) == "minutes_published"


def can_close_review_action(user: Any, action: Any, review: Any) -> bool:
    """A QBR action item is closed by its owner, or by the facilitator and the executives (published minutes
    included: closing an action tracks it, it does not change the minutes)."""
    return (_active(user) and getattr(action, "owner_id", None) == user.pk) or can_facilitate_review(user, review)


def can_edit_team_input(user: Any, review: Any, team: str) -> bool:
    """A team's input is written and edited by that team only — IT's by IT's people, marketing's by marketing's
    (a joint section by either) — until the agenda is locked. Not by the other side's executive, nor by a
    facilitator from the other side: the input says what the team itself reports. A late one is still taken (and
    marked late); a locked review takes none."""
    if not _active(user) or getattr(review, "is_locked", False):
        return False
    side = department_side(user.department)
    if team == "joint":
        return side in ("it", "marketing")
    return side == team


# --- liaisons and meetings (more) ----------------------------------------------------------
def can_create_series(user: Any) -> bool:
    """Executives, admins and liaisons start a meeting series."""
    return is_leader(user) or is_liaison(user)


def can_schedule_meeting(user: Any, series: Any) -> bool:
    """The series' organiser, executives, admins and liaisons schedule its meetings."""
    return can_create_series(user) or (_active(user) and getattr(series, "organiser_id", None) == user.pk)


def can_close_meeting_action(user: Any, action: Any, meeting: Any = None) -> bool:
    """An action item is closed by its owner, the meeting's organiser, or an executive."""
    if not _active(user):
        return False
    if getattr(action, "owner_id", None) == user.pk or is_leader(user):
        return True
    return meeting is not None and getattr(meeting, "organiser_id", None) == user.pk


def can_write_liaison_log(user: Any, liaison: Any) -> bool:
    """A liaison writes their own log; executives and admins may add to it."""
    return _active(user) and (getattr(liaison, "pk", None) == user.pk or is_leader(user))


def can_add_checkin(user: Any, assignment: Any) -> bool:
    """The assignment's mentor, or an executive or admin."""
    return is_leader(user) or (_active(user) and getattr(assignment, "mentor_id", None) == user.pk)


def can_read_checkins(user: Any, assignment: Any) -> bool:
    """Mentor check-ins ("not yet ready — shy in the planning meeting") are personal: the assignment's mentor,
    the mentee, the executives and the admins read them; nobody else, not even the other liaisons."""
    if is_leader(user):
        return True
    return _active(user) and user.pk in (getattr(assignment, "mentor_id", None), getattr(assignment, "person_id", None))


# --- the technology register ---------------------------------------------------------------
def is_it_or_leader(user: Any) -> bool:
    """IT's people, the executives and the admins: they run the register and answer tool requests."""
    return is_leader(user) or (_active(user) and user.department == Department.IT)


def can_register_tool(user: Any) -> bool:
    """Anyone may register a tool they use: that is how shadow IT comes to light, without blame."""
    return _active(user)


def can_change_tool_status(user: Any) -> bool:
    """IT and the executives move a tool along its lifecycle and plan its retirement."""
    return is_it_or_leader(user)


def can_edit_tool(user: Any, tool: Any) -> bool:
    """A tool's business owner edits it; so do IT and the executives."""
    return is_it_or_leader(user) or (_active(user) and getattr(tool, "business_owner_id", None) == user.pk)


def can_remove_tool_integration(user: Any, integration: Any) -> bool:
    """Whoever may edit either of the two tools removes the integration between them."""
    return can_edit_tool(user, integration.source) or can_edit_tool(user, integration.target)


def can_request_tool(user: Any) -> bool:
    return _active(user)


def can_decide_tool_request(user: Any) -> bool:
    """IT and the executives evaluate and decide tool requests."""
    return is_it_or_leader(user)


def can_make_project_of_request(user: Any, request: Any) -> bool:
    """An adopted request becomes a joint project in one click, by someone who decides requests and may
    propose projects."""
    return (
        can_decide_tool_request(user)
        and can_create_project(user)
        and getattr(request, "decision", "") == "adopt"
        and getattr(request, "project_id", None) is None
    )
