"""The permission matrix: eight personas × every URL of the URL conf (resolved with real objects) × {GET, POST,
htmx POST}. The table below says, per URL, who may read it and who may write through it; everyone else must be
turned away (403 / 404 / 405, or the login page for the anonymous) and every denied write must leave the
database exactly as it was. A URL missing from the table fails the test, so new URLs get an entry."""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from collab.accounts.models import ApiToken, Department, Role, User
from collab.notifications.models import Notification
from collab.projects import models as pm
from collab.projects.services import ranking_number
from collab.projects.tools import models as tm
from collab.projects.tools import services as tool_services
from liaison import models as lm
from parkinglot.models import Comment, MeToo, Snag
from reviews import models as rm
from reviews import selectors as review_selectors
from tests.factories import UserFactory
from tests.foundation.test_access import all_routes
from tests.security.test_xss import SKIP, resolve

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "member", "liaison", "cmo", "cio", "head", "admin", "outsider")
ALL = frozenset(PERSONAS) - {"anonymous"}
SEE_SNAG = frozenset({"member", "liaison", "cmo", "cio", "admin"})  # the marketing snag: IT, marketing, leads
TRIAGE = frozenset({"liaison", "cmo", "cio", "admin"})
LEAD = frozenset({"cmo", "cio", "admin"})
EXEC = frozenset({"cmo", "cio"})
SPONSORS = frozenset({"cmo", "cio", "admin"})  # the project's sponsors, and admins (leaders)
IT_LEAD = frozenset({"liaison", "cmo", "cio", "admin"})  # IT's people (the liaison is in IT), executives, admins
TOOL_EDITORS = IT_LEAD | {"member"}  # and the world tool's business owner
NOBODY: frozenset[str] = frozenset()
PUBLIC = frozenset(PERSONAS)
PASSWORD = "correct horse battery staple"  # every factory user's (tests/factories.py)

# route → (who may GET it, who may POST to it, a POST that would change something if allowed)
TABLE: dict[str, tuple[frozenset[str], frozenset[str], dict[str, Any]]] = {
    "": (ALL, NOBODY, {}),
    "accounts/login/": (PUBLIC, PUBLIC, {"username": "member", "password": PASSWORD}),
    "api/": (NOBODY, NOBODY, {}),
    "api/docs": (ALL, NOBODY, {}),
    "api/openapi.json": (ALL, NOBODY, {}),
    "accounts/password_change/": (
        ALL,
        ALL,
        {
            "old_password": PASSWORD,
            "new_password1": "another long secret 1927",
            "new_password2": "another long secret 1927",
        },
    ),
    "accounts/password_change/done/": (ALL, NOBODY, {}),
    "accounts/password_reset/": (PUBLIC, PUBLIC, {"email": lambda w, p: p["member"].email}),
    "accounts/password_reset/done/": (PUBLIC, NOBODY, {}),
    "accounts/reset/done/": (PUBLIC, NOBODY, {}),
    # single sign-on is off in the suite's settings: both answer 404 (tests/integrations/test_sso.py runs them on)
    "accounts/sso/callback/": (NOBODY, NOBODY, {}),
    "accounts/sso/start/": (NOBODY, NOBODY, {}),
    "calendar/feed/<str:token>.ics": (PUBLIC, NOBODY, {}),
    "changes/": (ALL, NOBODY, {}),
    "healthz": (PUBLIC, NOBODY, {}),
    "liaisons/": (ALL, NOBODY, {}),
    "liaisons/assignments/<int:pk>/checkins/": (
        NOBODY,
        LEAD,
        {"date": "2026-11-01", "notes": "Grows", "readiness": "ready"},
    ),
    "liaisons/assignments/<int:pk>/edit/": (
        LEAD,
        LEAD,
        {"focus_areas": "changed", "served_department": "marketing", "start_date": "2026-01-01", "version": 1},
    ),
    "liaisons/assignments/<int:pk>/end/": (NOBODY, LEAD, {"end_date": "2026-12-01"}),
    "liaisons/new/": (LEAD, LEAD, {"person": "__member__", "served_department": "it", "start_date": "2026-01-01"}),
    "liaisons/people/<str:username>/": (ALL, NOBODY, {}),
    "liaisons/people/<str:username>/log/": (
        NOBODY,
        frozenset({"liaison", "cmo", "cio", "admin"}),
        {"date": "2026-11-01", "meeting": "Stand-up", "learned": "x"},
    ),
    "meetings/": (ALL, NOBODY, {}),
    "meetings/<int:pk>/": (ALL, NOBODY, {}),
    "meetings/<int:pk>/actions/add/": (
        NOBODY,
        frozenset({"cmo", "cio", "admin"}),
        {"title": "Act", "due_date": "2027-01-01", "owner": "__cio__"},
    ),
    "meetings/<int:pk>/agenda/<int:item_pk>/move/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {"direction": "up"}),
    "meetings/<int:pk>/agenda/<int:item_pk>/remove/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {}),
    "meetings/<int:pk>/agenda/<int:item_pk>/tick/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {"done": "1"}),
    "meetings/<int:pk>/agenda/add/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {"title": "New item"}),
    "meetings/<int:pk>/agenda/reorder/": (
        NOBODY,
        frozenset({"cmo", "cio", "admin"}),
        {"order": lambda w, p: list(w["meeting"].agenda.order_by("-position").values_list("pk", flat=True))},
    ),
    "meetings/<int:pk>/attendees/": (NOBODY, LEAD, {"attendees": ["__liaison__"]}),
    "meetings/<int:pk>/invite.ics": (ALL, NOBODY, {}),
    "meetings/<int:pk>/notes/": (
        NOBODY,
        frozenset({"cmo", "cio", "admin"}),
        {"notes": "n", "decisions": "d", "version": 1},
    ),
    "meetings/<int:pk>/status/": (NOBODY, LEAD, {"to": "cancelled"}),
    "meetings/actions/<int:pk>/done/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {}),
    "meetings/calendar/": (ALL, NOBODY, {}),
    "meetings/calendar/regenerate/": (NOBODY, ALL, {}),
    "meetings/series/<int:pk>/": (ALL, NOBODY, {}),
    "meetings/series/<int:pk>/new/": (
        frozenset({"liaison", "cmo", "cio", "admin"}),
        frozenset({"liaison", "cmo", "cio", "admin"}),
        {"start": "2027-02-01T10:00", "length_minutes": 45, "status": "planned"},
    ),
    "meetings/series/new/": (
        TRIAGE,
        TRIAGE,
        {"title": "S", "kind": "other", "cadence": "weekly", "organiser": "__cio__", "default_length_minutes": 30},
    ),
    "notifications/": (ALL, NOBODY, {}),
    "notifications/<int:pk>/read/": (NOBODY, frozenset({"admin"}), {}),
    "notifications/bell/": (ALL, NOBODY, {}),
    "notifications/read-all/": (NOBODY, ALL, {}),
    "panels/<slug:key>/": (ALL, NOBODY, {}),
    "projects/": (ALL, NOBODY, {}),
    "projects/<int:pk>/": (ALL, NOBODY, {}),
    "projects/<int:pk>/change-requests/": (
        NOBODY,
        SPONSORS,
        {"title": "More", "reason": "Because", "date_effect_days": 5, "effort_days": 3},
    ),
    "projects/<int:pk>/change-requests/<int:cr>/decide/": (NOBODY, EXEC, {"decision": "approve"}),
    "projects/<int:pk>/edit/": (
        SPONSORS,
        SPONSORS,
        {
            "name": "Renamed",
            "marketing_sponsor": "__cmo__",
            "it_sponsor": "__cio__",
            "health": "at_risk",
            "version": lambda w, p: w["project"].version,
        },
    ),
    "projects/<int:pk>/milestones/": (NOBODY, SPONSORS, {"title": "M", "due_date": "2027-01-01", "owner": "__cio__"}),
    "projects/<int:pk>/requirements/": (SPONSORS, SPONSORS, {"text": "# New", "based_on": 2}),
    "projects/<int:pk>/requirements/diff/": (ALL, NOBODY, {}),
    "projects/<int:pk>/signoff/<str:department>/": (NOBODY, frozenset({"cmo"}), {"decision": "approved", "version": 2}),
    "projects/<int:pk>/status/": (NOBODY, SPONSORS, {"to": "cancelled", "note": "x"}),
    "projects/goals/": (ALL, NOBODY, {}),
    "projects/goals/<int:pk>/": (
        ALL,
        frozenset({"cmo", "cio", "admin"}),
        {"title": "M", "due_date": "2027-01-01", "owner": "__cio__"},
    ),
    "projects/goals/new/": (
        frozenset({"liaison", "cmo", "cio", "admin"}),
        frozenset({"liaison", "cmo", "cio", "admin"}),
        {"title": "G", "marketing_owner": "__cmo__", "it_owner": "__cio__"},
    ),
    "projects/milestones/<int:pk>/done/": (NOBODY, frozenset({"member", "cmo", "cio", "admin"}), {}),
    "projects/milestones/<int:pk>/reschedule/": (
        frozenset({"member", "cmo", "cio", "admin"}),
        frozenset({"member", "cmo", "cio", "admin"}),
        {"due_date": "2027-03-01", "reason": "late"},
    ),
    "projects/new/": (
        frozenset({"liaison", "cmo", "cio", "head", "admin"}),
        frozenset({"liaison", "cmo", "cio", "head", "admin"}),
        {"name": "P", "marketing_sponsor": "__cmo__", "it_sponsor": "__cio__"},
    ),
    # the ranking routes run with a second ranked project (SETUP): the world's one moves below it
    "projects/ranking/": (
        ALL,
        EXEC,
        {
            "order": lambda w, p: [w["second"].pk, w["project"].pk],
            "reason": "x",
            "version": lambda w, p: ranking_number(),
        },
    ),
    "projects/ranking/<int:pk>/move/": (
        NOBODY,
        EXEC,
        {"direction": "down", "reason": "x", "version": lambda w, p: ranking_number()},
    ),
    "pulse/": (ALL, NOBODY, {}),
    "pulse/<int:pk>/": (ALL, frozenset({"member", "liaison", "cmo", "cio", "admin"}), {"q1": "4"}),
    "pulse/open/<int:year>/q<int:quarter>/": (NOBODY, frozenset({"liaison", "cmo", "cio", "admin"}), {}),
    "reviews/": (ALL, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/": (ALL, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/actions/<int:pk>/done/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {},
    ),
    "reviews/<int:year>/q<int:quarter>/actions/add/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"title": "A", "due_date": "2027-01-01", "owner": "__cio__"},
    ),
    "reviews/<int:year>/q<int:quarter>/decisions/add/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"text": "Decided"},
    ),
    "reviews/<int:year>/q<int:quarter>/export.md": (ALL, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/export.pdf": (ALL, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/inputs/<str:team>/": (
        NOBODY,
        frozenset({"liaison", "cio", "admin"}),  # IT's input (the URL's team): IT's people only, not the CMO
        {"text": "Our input", "version": 1},
    ),
    "reviews/<int:year>/q<int:quarter>/invite.ics": (ALL, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/delete/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {},
    ),
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/edit/": (
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"title": "Edited", "version": 1, "kind": "update", "team": "joint", "time_box_minutes": 10},
    ),
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/move/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"direction": "down"},
    ),
    "reviews/<int:year>/q<int:quarter>/items/add/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"title": "T", "kind": "update", "team": "joint", "time_box_minutes": 5},
    ),
    "reviews/<int:year>/q<int:quarter>/items/reorder/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"order": lambda w, p: list(w["review"].items.order_by("-position").values_list("pk", flat=True))},
    ),
    "reviews/<int:year>/q<int:quarter>/items/suggested/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"key": lambda w, p: review_selectors.suggestions(w["review"], p["member"])[0]["key"]},
    ),
    # the minutes are written from the lock and corrected after publication: nobody before (LOCKED_QBR, PUBLISHED_QBR)
    "reviews/<int:year>/q<int:quarter>/minutes/": (NOBODY, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/minutes/corrections/": (NOBODY, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/print/": (ALL, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/status/": (
        NOBODY,
        frozenset({"liaison", "cmo", "cio", "admin"}),
        {"to": "collecting_input"},
    ),
    "reviews/<int:year>/q<int:quarter>/suggestions/": (ALL, NOBODY, {}),
    "reviews/new/": (
        LEAD,
        LEAD,
        {
            "year": 2030,
            "quarter": 1,
            "scheduled_at": "2030-02-10T10:00",
            "length_minutes": 120,
            "facilitator": "__liaison__",
            "attendees": ["__cmo__", "__cio__"],
        },
    ),
    "search/": (ALL, NOBODY, {}),
    "search/suggest/": (ALL, NOBODY, {}),
    "settings/notifications/": (ALL, ALL, {"digest_hour": 7, "time_zone": "America/New_York"}),
    "settings/tokens/": (
        ALL,
        ALL,
        {"name": "CI", "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat()},
    ),
    "settings/tokens/<int:pk>/revoke/": (NOBODY, frozenset({"member"}), {}),  # the world's token is the member's
    "snags/": (ALL, NOBODY, {}),
    "snags/<str:code>/": (SEE_SNAG, NOBODY, {}),
    "snags/<str:code>/assign/": (NOBODY, TRIAGE, {"owner": "__cio__"}),
    "snags/<str:code>/comments/": (NOBODY, SEE_SNAG, {"body": "A comment"}),
    "snags/<str:code>/comments/<int:pk>/edit/": (frozenset({"member"}), frozenset({"member"}), {"body": "Rewritten"}),
    "snags/<str:code>/edit/": (
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"title": "Retitled", "impact": "low", "version": 1},
    ),
    "snags/<str:code>/me-too/": (NOBODY, SEE_SNAG - {"member"}, {}),  # the member raised it: counted already
    "snags/<str:code>/move/": (NOBODY, TRIAGE, {"to": "in_review", "version": 1}),
    "snags/board/": (ALL, NOBODY, {}),
    "snags/export.csv": (ALL, NOBODY, {}),
    "snags/new/": (ALL, ALL, {"title": "Logged", "impact": "high"}),
    "snags/review/": (
        TRIAGE,
        TRIAGE,
        {
            "code": "__snag__",
            "action": "park",
            "parked_for": "qbr",
            "note": "Later",
            "version": lambda w, p: w["snag"].version,
        },
    ),
    "tools/": (ALL, NOBODY, {}),
    "tools/<int:pk>/": (ALL, NOBODY, {}),
    "tools/<int:pk>/edit/": (
        TOOL_EDITORS,
        TOOL_EDITORS,
        {
            "name": "Renamed",
            "version": 1,
            "category": "crm",
            "department": "marketing",
            "adoption": "shadow",
            "users_count": 4,
            "annual_cost": "100",
        },
    ),
    "tools/<int:pk>/integrations/": (
        NOBODY,
        TOOL_EDITORS,
        {"flow": "sends", "method": "api", "other": lambda w, p: w["third_tool"].pk},
    ),
    "tools/<int:pk>/status/": (NOBODY, IT_LEAD, {"to": "to_retire", "retire_by": "2030-01-01", "version": 1}),
    "tools/export.csv": (ALL, NOBODY, {}),
    "tools/integrations/<int:pk>/remove/": (NOBODY, TOOL_EDITORS, {}),
    "tools/new/": (
        ALL,
        ALL,
        {
            "name": "Registered",
            "category": "crm",
            "department": "sales",
            "adoption": "shadow",
            "users_count": 2,
            "annual_cost": "10",
            "status": "adopted",
        },
    ),
    "tools/requests/": (ALL, NOBODY, {}),
    "tools/requests/<int:pk>/": (ALL, NOBODY, {}),
    "tools/requests/<int:pk>/decide/": (NOBODY, IT_LEAD, {"decision": "reject", "reason": "No", "version": 1}),
    "tools/requests/<int:pk>/project/": (NOBODY, IT_LEAD, {}),
    "tools/requests/new/": (
        ALL,
        ALL,
        {"title": "Need", "need": "x", "category": "other", "users_count": 1, "budget": "0", "urgency": "low"},
    ),
}
# --- the allowed side ------------------------------------------------------------------------------------------
# Where the table lets a persona write, the POST must succeed (the status the view promises) and make its change:
# route → (status, what to read before and after, whether the change is the right one). A reader takes the world
# and the persona's user (None for the anonymous); ``_one_more``, ``_gone`` and ``_becomes`` say the usual changes.
Read = Callable[[dict, Any], Any]


def _count(model: Any, **where: Any) -> Read:
    """How many rows of ``model`` match; a callable value is read from (world, user)."""
    return lambda w, u: model.objects.filter(**{k: v(w, u) if callable(v) else v for k, v in where.items()}).count()


def _one_more(model: Any, **where: Any) -> tuple[Read, Callable[[Any, Any], bool]]:
    return _count(model, **where), lambda before, after: after == before + 1


def _gone(model: Any, **where: Any) -> tuple[Read, Callable[[Any, Any], bool]]:
    return _count(model, **where), lambda before, after: before == 1 and after == 0


def _becomes(read: Read, value: Any) -> tuple[Read, Callable[[Any, Any], bool]]:
    return read, lambda before, after: before != value and after == value


def _changes(read: Read) -> tuple[Read, Callable[[Any, Any], bool]]:
    return read, lambda before, after: before != after


def _field(key: str, name: str) -> Read:
    """A field of a world object, read afresh."""
    return lambda w, u: type(w[key]).objects.values_list(name, flat=True).get(pk=w[key].pk)


def _me(w: dict, u: Any) -> Any:
    return u


EFFECTS: dict[str, tuple[int, tuple[Read, Callable[[Any, Any], bool]]]] = {
    "accounts/login/": (302, _changes(lambda w, u: User.objects.get(username="member").last_login)),
    "accounts/password_change/": (302, _changes(lambda w, u: User.objects.get(pk=u.pk).password)),
    "accounts/password_reset/": (302, (lambda w, u: len(mail.outbox), lambda before, after: after == before + 1)),
    "liaisons/assignments/<int:pk>/checkins/": (302, _one_more(lm.MentorCheckIn, notes="Grows", mentor=_me)),
    "liaisons/assignments/<int:pk>/edit/": (302, _becomes(_field("assignment", "focus_areas"), "changed")),
    "liaisons/assignments/<int:pk>/end/": (302, _becomes(_field("assignment", "status"), "ended")),
    "liaisons/new/": (302, _one_more(lm.LiaisonAssignment, person__username="member", served_department="it")),
    "liaisons/people/<str:username>/log/": (302, _one_more(lm.LogEntry, meeting="Stand-up", liaison__username="liaison")),
    "meetings/<int:pk>/actions/add/": (302, _one_more(lm.ActionItem, title="Act", meeting=lambda w, u: w["meeting"])),
    "meetings/<int:pk>/agenda/<int:item_pk>/move/": (302, _changes(_field("agenda_item", "position"))),
    "meetings/<int:pk>/agenda/<int:item_pk>/remove/": (302, _gone(lm.AgendaItem, pk=lambda w, u: w["agenda_item"].pk)),
    "meetings/<int:pk>/agenda/<int:item_pk>/tick/": (302, _becomes(_field("agenda_item", "done"), True)),
    "meetings/<int:pk>/agenda/add/": (302, _one_more(lm.AgendaItem, title="New item", meeting=lambda w, u: w["meeting"])),
    "meetings/<int:pk>/agenda/reorder/": (302, _changes(
        lambda w, u: list(w["meeting"].agenda.order_by("position").values_list("pk", flat=True)))),
    "meetings/<int:pk>/attendees/": (302, _becomes(
        lambda w, u: list(w["meeting"].attendees.values_list("username", flat=True)), ["liaison"])),
    "meetings/<int:pk>/notes/": (302, _becomes(_field("meeting", "notes"), "n")),
    "meetings/<int:pk>/status/": (302, _becomes(_field("meeting", "status"), "cancelled")),
    "meetings/actions/<int:pk>/done/": (302, _changes(_field("action", "done_at"))),
    "meetings/calendar/regenerate/": (302, _changes(
        lambda w, u: lm.CalendarFeed.objects.filter(user=u).values_list("token", flat=True).first())),
    "meetings/series/<int:pk>/new/": (302, _one_more(lm.Meeting, series=lambda w, u: w["series"], length_minutes=45)),
    "meetings/series/new/": (302, _one_more(lm.MeetingSeries, title="S", organiser__username="cio")),
    "notifications/<int:pk>/read/": (302, _changes(_field("notification", "read_at"))),
    "notifications/read-all/": (302, _becomes(_count(Notification, user=_me, read_at__isnull=True), 0)),
    "projects/<int:pk>/change-requests/": (302, _one_more(pm.ChangeRequest, title="More", raised_by=_me)),
    "projects/<int:pk>/change-requests/<int:cr>/decide/": (302, _changes(
        lambda w, u: pm.ChangeRequest.objects.values_list("marketing_decision", "it_decision").get(pk=w["cr"].pk))),
    "projects/<int:pk>/edit/": (302, _becomes(_field("project", "name"), "Renamed")),
    "projects/<int:pk>/milestones/": (302, _one_more(pm.Milestone, title="M", project=lambda w, u: w["project"])),
    "projects/<int:pk>/requirements/": (302, _one_more(pm.RequirementsVersion, project=lambda w, u: w["project"],
                                                       number=3)),
    "projects/<int:pk>/signoff/<str:department>/": (302, _one_more(pm.SignOff, department="marketing", by=_me,
                                                                   decision="approved")),
    "projects/<int:pk>/status/": (302, _becomes(_field("project", "status"), "cancelled")),
    "projects/goals/<int:pk>/": (302, _one_more(pm.Milestone, title="M", goal=lambda w, u: w["goal"])),
    "projects/goals/new/": (302, _one_more(pm.Goal, title="G")),
    "projects/milestones/<int:pk>/done/": (302, _changes(_field("milestone", "done_on"))),
    "projects/milestones/<int:pk>/reschedule/": (302, _becomes(_field("milestone", "due_date"), date(2027, 3, 1))),
    "projects/new/": (302, _one_more(pm.Project, name="P")),
    "projects/ranking/": (302, _becomes(_field("project", "rank"), 2)),
    "projects/ranking/<int:pk>/move/": (302, _becomes(_field("project", "rank"), 2)),
    "pulse/<int:pk>/": (302, _becomes(lambda w, u: rm.PulseInvitation.objects.filter(pulse=w["pulse"], user=u,
                                                                                      answered=True).count(), 1)),
    "pulse/open/<int:year>/q<int:quarter>/": (302, _one_more(rm.Pulse, review=lambda w, u: w["review"])),
    "reviews/<int:year>/q<int:quarter>/actions/<int:pk>/done/": (302, _changes(_field("review_action", "done_at"))),
    "reviews/<int:year>/q<int:quarter>/actions/add/": (302, _one_more(rm.ActionItem, title="A",
                                                                      review=lambda w, u: w["review"])),
    "reviews/<int:year>/q<int:quarter>/decisions/add/": (302, _one_more(rm.Decision, text="Decided", recorded_by=_me)),
    "reviews/<int:year>/q<int:quarter>/inputs/<str:team>/": (302, _becomes(
        lambda w, u: rm.TeamInput.objects.get(review=w["review"], team="it").text, "Our input")),
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/delete/": (302, _gone(rm.AgendaItem, pk=lambda w, u: w["item"].pk)),
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/edit/": (302, _becomes(_field("item", "title"), "Edited")),
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/move/": (302, _changes(
        lambda w, u: list(w["review"].items.order_by("position").values_list("pk", flat=True)))),
    "reviews/<int:year>/q<int:quarter>/items/add/": (302, _one_more(rm.AgendaItem, title="T", added_by=_me)),
    "reviews/<int:year>/q<int:quarter>/items/reorder/": (302, _changes(
        lambda w, u: list(w["review"].items.order_by("position").values_list("pk", flat=True)))),
    "reviews/<int:year>/q<int:quarter>/items/suggested/": (302, _one_more(rm.AgendaItem, review=lambda w, u: w["review"],
                                                                          source__gt="")),
    "reviews/<int:year>/q<int:quarter>/minutes/": (302, _becomes(_field("review", "summary"), "Minutes")),
    "reviews/<int:year>/q<int:quarter>/minutes/corrections/": (302, _one_more(rm.MinutesAddendum, text="Corrected",
                                                                              by=_me)),
    "reviews/<int:year>/q<int:quarter>/status/": (302, _becomes(_field("review", "status"), "collecting_input")),
    "reviews/new/": (302, _one_more(rm.Review, year=2030, quarter=1)),
    "settings/notifications/": (302, _becomes(lambda w, u: User.objects.get(pk=u.pk).time_zone, "America/New_York")),
    "settings/tokens/": (302, _one_more(ApiToken, user=_me, name="CI")),
    "settings/tokens/<int:pk>/revoke/": (302, _changes(lambda w, u: ApiToken.objects.get(pk=w["api_token"].pk).revoked_at)),
    "snags/<str:code>/assign/": (302, _becomes(_field("snag", "owner__username"), "cio")),
    "snags/<str:code>/comments/": (302, _one_more(Comment, snag=lambda w, u: w["snag"], author=_me, body="A comment")),
    "snags/<str:code>/comments/<int:pk>/edit/": (302, _becomes(_field("comment", "body"), "Rewritten")),
    "snags/<str:code>/edit/": (302, _becomes(_field("snag", "title"), "Retitled")),
    "snags/<str:code>/me-too/": (302, _one_more(MeToo, snag=lambda w, u: w["snag"], user=_me)),
    "snags/<str:code>/move/": (302, _becomes(_field("snag", "status"), "in_review")),
    "snags/new/": (302, _one_more(Snag, title="Logged", raised_by=_me)),
    "snags/review/": (200, _becomes(_field("snag", "status"), "parked")),
    "tools/<int:pk>/edit/": (302, _becomes(_field("tool", "name"), "Renamed")),
    "tools/<int:pk>/integrations/": (302, _one_more(tm.ToolIntegration, target=lambda w, u: w["third_tool"])),
    "tools/<int:pk>/status/": (302, _becomes(_field("tool", "status"), "to_retire")),
    "tools/integrations/<int:pk>/remove/": (302, _gone(tm.ToolIntegration, pk=lambda w, u: w["tool_integration"].pk)),
    "tools/new/": (302, _one_more(tm.Tool, name="Registered", registered_by=_me)),
    "tools/requests/<int:pk>/decide/": (302, _becomes(_field("tool_request", "decision"), "reject")),
    "tools/requests/<int:pk>/project/": (302, _one_more(pm.Project, tool_requests=lambda w, u: w["tool_request"])),
    "tools/requests/new/": (302, _one_more(tm.ToolRequest, title="Need", requested_by=_me)),
}  # fmt: skip


def _second_project(w: dict, p: dict) -> dict:
    second = pm.Project.objects.create(name="Second", marketing_sponsor=p["cmo"], it_sponsor=p["cio"],
                                       status=w["project"].status, rank=2)  # fmt: skip
    pm.Project.objects.filter(pk=w["project"].pk).update(rank=1)
    return {"second": second}


def _second_agenda_items(w: dict, p: dict) -> dict:
    """A second item on the meeting's and the QBR's agendas, so that a move or a new order changes something."""
    lm.AgendaItem.objects.create(meeting=w["meeting"], title="Second", position=10)
    rm.AgendaItem.objects.create(review=w["review"], title="Second", position=w["item"].position + 1)
    return {}


def _approved_project(w: dict, p: dict) -> dict:
    pm.Project.objects.filter(pk=w["project"].pk).update(status="approved", approved_at=timezone.now())
    return {}


def _adopted_request(w: dict, p: dict) -> dict:
    tool_services.request_decide(request=w["tool_request"], by=p["cio"], decision="adopt", reason="Fits", version=1)
    return {}


def _no_pulse_yet(w: dict, p: dict) -> dict:
    rm.Pulse.objects.filter(review=w["review"]).delete()
    return {}


def _third_tool(w: dict, p: dict) -> dict:
    return {"third_tool": tool_services.tool_register(by=p["cio"], name="Third", category="crm")}


def _unread_for_everyone(w: dict, p: dict) -> dict:
    Notification.objects.bulk_create(Notification(user=u, kind="test", title="Unread") for u in p.values())
    return {}


# What a route needs in the world before its POST (made inside the request's savepoint, for every persona, so the
# denied side is tried on the same state).
SETUP: dict[str, Callable[[dict, dict], dict]] = {
    "projects/ranking/": _second_project,
    "projects/ranking/<int:pk>/move/": _second_project,
    "tools/requests/<int:pk>/project/": _adopted_request,
    "projects/<int:pk>/change-requests/": _approved_project,
    "meetings/<int:pk>/agenda/reorder/": _second_agenda_items,
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/move/": _second_agenda_items,
    "reviews/<int:year>/q<int:quarter>/items/reorder/": _second_agenda_items,
    "pulse/open/<int:year>/q<int:quarter>/": _no_pulse_yet,
    "tools/<int:pk>/integrations/": _third_tool,
    "notifications/read-all/": _unread_for_everyone,
}


# The REST API's operations (api/…) authenticate by personal token, never by session: with a session alone every
# one of them answers 401, so this session matrix has nothing to learn there. Their denials are tested in
# tests/api/: every operation's 401 without a token (test_tokens.test_every_operation_answers_401_json_without_a_token),
# each operation's 403/404, and a token never seeing more than its user. The docs and the schema are pages and
# stay in the table above.
API_OPERATIONS = re.compile(r"^api/(?!$|docs$|openapi\.json$)")
NO_DB_CHECK = {"accounts/login/", "accounts/password_reset/"}  # axes / mail bookkeeping on a failed attempt
DENIED = {403, 404, 405}


def _columns(model: Any) -> list[str]:
    """Every column but long text (an edit of those also moves ``version`` or ``updated_at``)."""
    from django.db import models

    return [
        f.column
        for f in model._meta.concrete_fields
        if not isinstance(f, models.TextField) and not (isinstance(f, models.CharField) and (f.max_length or 0) > 300)
    ]


def _tables() -> list[Any]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label not in ("sessions", "axes", "admin", "contenttypes", "auth") and not m._meta.proxy
    ]


def _fingerprint() -> str:
    """A hash of every row of every app table (sessions and security logs aside; long text left out, since an
    edit of it also moves ``version`` or ``updated_at``)."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in _tables():
            columns = ", ".join(f'"{c}"' for c in _columns(model))
            cursor.execute(f'SELECT {columns} FROM "{model._meta.db_table}" ORDER BY 1')  # noqa: S608 - our tables
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


# Postgres counts every row this transaction inserted, updated or deleted, per table: one query tells whether a
# request wrote anything at all (an UPDATE that leaves the values as they were counts too, so this is stricter than
# comparing rows). The same tables are left out as from the fingerprint.
_WRITES = """
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables
    WHERE NOT (relname LIKE ANY (ARRAY['django\\_session', 'axes\\_%', 'django\\_admin\\_log',
                                       'django\\_content\\_type', 'auth\\_%']))
"""


def _db_state() -> str | int:
    """What a denied request must leave as it was: on Postgres the transaction's count of written rows (one
    query; hashing every table twice per denied pair took most of the matrix's two minutes), elsewhere the
    fingerprint of every row."""
    if connection.vendor != "postgresql":
        return _fingerprint()
    with connection.cursor() as cursor:
        cursor.execute(_WRITES)
        return int(cursor.fetchone()[0])


@pytest.fixture
def personas(world, cmo, cio, liaison, member, admin_user, outsider):
    head = UserFactory(username="saleshead", department=Department.SALES, role=Role.MEMBER, is_department_head=True)
    return {"member": member, "liaison": liaison, "cmo": cmo, "cio": cio, "head": head, "admin": admin_user,
            "outsider": outsider}  # fmt: skip


def test_every_url_is_in_the_table():
    missing = [r for r in all_routes() if not SKIP.match(r) and not API_OPERATIONS.match(r) and r not in TABLE]
    assert missing == [], f"add these URLs to the permission table: {missing}"


def test_every_write_has_its_effect():
    """Every route someone may POST to says what the POST must change (the allowed side of the matrix), in the
    open, locked and published QBR alike."""
    writable = {route for t in (TABLE, LOCKED_QBR, PUBLISHED_QBR) for route, (_, may_post, _) in t.items() if may_post}
    assert sorted(writable - EFFECTS.keys()) == [] and sorted(EFFECTS.keys() - writable) == []


_PEOPLE = {"__cio__": "cio", "__cmo__": "cmo", "__member__": "member", "__liaison__": "liaison"}


def _value(value: Any, world: dict, personas: dict) -> Any:
    if callable(value):
        return value(world, personas)
    if isinstance(value, list):
        return [_value(v, world, personas) for v in value]
    if value in _PEOPLE:
        return personas[_PEOPLE[value]].pk
    if value == "__snag__":
        return world["snag"].code
    return value


def _payload(data: dict[str, Any], world: dict, personas: dict) -> dict[str, Any]:
    out = {key: _value(value, world, personas) for key, value in data.items()}
    if "q1" in out:
        question = world["pulse"].questions.first()
        out = {f"q{question.pk}": out["q1"]}
    return out


def _form_errors(response: Any) -> dict[str, Any]:
    """The bound forms' errors in a refused response's context: what the payload got wrong."""
    found: dict[str, Any] = {}
    for context in response.context or []:
        for name, value in context.flatten().items():
            if getattr(value, "is_bound", False) and getattr(value, "errors", None):
                found[name] = dict(value.errors)
    return found


def _turned_away(persona: str, response: Any) -> bool:
    return response.status_code in DENIED or (
        persona == "anonymous" and response.status_code == 302 and "/accounts/login/" in response["Location"]
    )


def _sweep(
    world: dict, personas: dict, table: dict, *, refused_by_views: bool = False
) -> tuple[list[tuple], int, int, int]:
    """Every route of ``table`` × every persona × GET and POST (a denied POST also as htmx). Each POST runs in a
    savepoint rolled back after it, so every persona writes to the same world and one allowed write cannot turn
    the next persona's into a conflict (or hide a denial behind one). ``refused_by_views``: a route nobody may
    POST to here is still one its view answers (a locked or published QBR), so its denials are checked for
    writes too."""
    clients = {"anonymous": Client()}
    for name, user in personas.items():
        clients[name] = Client()
        clients[name].force_login(user)
    users = {"anonymous": None, **personas}
    cells = unexpected = allowed_writes = 0
    problems: list[tuple] = []
    for route, (may_get, may_post, data) in sorted(table.items()):
        url = resolve(route, world)
        for persona in PERSONAS:
            client = clients[persona]
            got = client.get(url)
            cells += 1
            if got.status_code >= 500:
                problems.append((route, persona, "GET", got.status_code))
            if persona in may_get and got.status_code >= 400:
                problems.append((route, persona, "GET allowed but refused", got.status_code))
            if persona not in may_get and route not in ("accounts/login/",) and not _turned_away(persona, got):
                unexpected += 1
                problems.append((route, persona, "GET", got.status_code))
            # a URL nobody may POST to answers 405 before any view code runs: nothing to compare there
            check_db = persona not in may_post and route not in NO_DB_CHECK and (may_post != NOBODY or refused_by_views)
            cookies = copy.deepcopy(client.cookies)  # a login or password change replaces the session
            with transaction.atomic():
                here = {**world, **(SETUP[route](world, personas) if route in SETUP else {})}
                payload = _payload(data, here, personas)
                if persona in may_post:  # the allowed side: the promised answer, and the change it stands for
                    status, (read, right) = EFFECTS[route]
                    before = read(here, users[persona])
                    response = client.post(url, payload)
                    cells += 1
                    allowed_writes += 1
                    after = read(here, users[persona])
                    if response.status_code != status:
                        problems.append((route, persona, "POST allowed", response.status_code, f"expected {status}",
                                         _form_errors(response)))  # fmt: skip
                    elif not right(before, after):
                        problems.append((route, persona, "POST allowed", "wrote", before, "→", after))
                else:  # the denied side, plain and as htmx: turned away, and nothing written
                    state = _db_state() if check_db else None
                    for headers in ({}, {"HX-Request": "true"}):
                        cells += 1
                        response = client.post(url, payload, headers=headers)
                        if response.status_code >= 500:
                            problems.append((route, persona, "POST", bool(headers), response.status_code))
                        if not _turned_away(persona, response):
                            unexpected += 1
                            problems.append((route, persona, "POST", bool(headers), response.status_code))
                    if state is not None and _db_state() != state:
                        problems.append((route, persona, "POST", "database changed"))
                transaction.set_rollback(True)
            client.cookies = cookies
    return problems, cells, unexpected, allowed_writes


ATTENDEES = frozenset({"member", "liaison", "cmo", "cio", "admin"})  # the QBR's attendees, facilitator, admins
FACILITATORS = frozenset({"liaison", "cmo", "cio", "admin"})  # the facilitator (the liaison), executives, admins
# Once the QBR's agenda is locked, its items, their order and the team inputs change for nobody — the facilitator
# and the executives included — until an unlock with a reason; decisions and action items are still every
# attendee's (they are recorded at the meeting, which comes after the lock); the facilitator writes the minutes.
_Q = "reviews/<int:year>/q<int:quarter>/"
_AGENDA = ("items/add/", "items/<int:pk>/delete/", "items/<int:pk>/move/", "items/reorder/", "items/suggested/",
           "inputs/<str:team>/")  # fmt: skip
LOCKED_QBR = {
    **{route: rules for route, rules in TABLE.items() if route.startswith(_Q) and rules[1]},
    **{_Q + route: (TABLE[_Q + route][0], NOBODY, TABLE[_Q + route][2]) for route in _AGENDA},
    _Q + "items/<int:pk>/edit/": (NOBODY, NOBODY, TABLE[_Q + "items/<int:pk>/edit/"][2]),
    _Q + "decisions/add/": (NOBODY, ATTENDEES, TABLE[_Q + "decisions/add/"][2]),
    _Q + "actions/add/": (NOBODY, ATTENDEES, TABLE[_Q + "actions/add/"][2]),
    _Q + "status/": (NOBODY, FACILITATORS, {"to": "collecting_input", "reason": "The CRM figures were restated."}),
    _Q + "minutes/": (NOBODY, FACILITATORS, {"summary": "Minutes",
                                             "version": lambda w, p: rm.Review.objects.get(pk=w["review"].pk).version}),
    _Q + "minutes/corrections/": (NOBODY, NOBODY, {"text": "Corrected"}),
}  # fmt: skip
# Published minutes are final: nothing is recorded or rewritten any more; a correction is a dated addendum.
# (The status route is left out: there is no step after publication, so a facilitator's POST is a 422.)
PUBLISHED_QBR = {
    **{route: rules for route, rules in LOCKED_QBR.items() if route != _Q + "status/"},
    _Q + "decisions/add/": (NOBODY, NOBODY, TABLE[_Q + "decisions/add/"][2]),
    _Q + "actions/add/": (NOBODY, NOBODY, TABLE[_Q + "actions/add/"][2]),
    _Q + "minutes/": (NOBODY, NOBODY, LOCKED_QBR[_Q + "minutes/"][2]),
    _Q + "minutes/corrections/": (NOBODY, FACILITATORS, {"text": "Corrected"}),
}

# What the QBR page offers, by the route its form posts to: shown exactly to those the table lets post there.
OFFERS = {"Record the decision": "decisions/add/", "Add the action item": "actions/add/",
          "Add to the agenda": "items/add/", "Submit IT input": "inputs/<str:team>/",
          "Save the minutes": "minutes/", "Add a dated correction": "minutes/corrections/"}  # fmt: skip


def _offers_match(world: dict, personas: dict, table: dict) -> None:
    url = resolve(_Q, world)
    wrong = []
    for persona, user in personas.items():
        client = Client()
        client.force_login(user)
        page = client.get(url).content.decode()
        for label, route in OFFERS.items():
            if (label in page) != (persona in table[_Q + route][1]):
                wrong.append((persona, label, "offered" if label in page else "not offered"))
    assert wrong == [], wrong


SHARDS = 3  # the matrix in three parts, so the suite's workers share its few thousand requests


@pytest.mark.parametrize("shard", range(SHARDS))
def test_the_matrix(world, personas, shard):
    """Every route of the table, a third of them per part (every SHARDS-th route of the sorted table), and what
    the QBR page offers (in the first part)."""
    part = {route: TABLE[route] for route in sorted(TABLE)[shard::SHARDS]}
    problems, cells, unexpected, allowed = _sweep(world, personas, part)
    print(f"FIGURE permission matrix part {shard + 1}/{SHARDS}: {len(part)} of {len(TABLE)} URLs × {len(PERSONAS)} "
          f"personas × GET, POST, htmx POST = {cells} requests, {unexpected} unexpected, {allowed} allowed writes "
          "checked")  # fmt: skip
    assert problems == [], "\n".join(map(str, problems))
    if shard == 0:
        _offers_match(world, personas, TABLE)


def test_the_matrix_on_a_locked_and_a_published_qbr(world, personas):
    """The review's writes again once its agenda is locked and once its minutes are published, and what the QBR
    page offers in each."""
    from reviews import services as review_services

    review = world["review"]
    facilitator = personas["liaison"]
    review_services.review_transition(review=review, by=facilitator, to="collecting_input")
    review_services.review_transition(review=review, by=facilitator, to="agenda_locked")
    locked = _sweep(world, personas, LOCKED_QBR, refused_by_views=True)
    _offers_match(world, personas, LOCKED_QBR)
    review_services.review_transition(review=review, by=facilitator, to="held")
    review_services.minutes_update(review=review, by=facilitator, summary="Agreed", version=review.version)
    review_services.review_transition(review=review, by=facilitator, to="minutes_published")
    published = _sweep(world, personas, PUBLISHED_QBR, refused_by_views=True)
    print(f"FIGURE permission matrix, locked QBR: {locked[1]} requests, {locked[2]} unexpected, {locked[3]} allowed "
          f"writes checked; published QBR: {published[1]} requests, {published[2]} unexpected, {published[3]} allowed "
          "writes checked")  # fmt: skip
    assert locked[0] + published[0] == [], "\n".join(map(str, locked[0] + published[0]))
    _offers_match(world, personas, PUBLISHED_QBR)


def test_the_write_detector_sees_a_single_changed_row(world):
    """The matrix's check must notice the smallest write a denied request could make: one field of one row,
    even one set to the value it already had (Postgres counts that write; elsewhere the fingerprint of the rows
    can only see a changed value)."""
    snag = world["snag"]
    before = _db_state()
    title = snag.title if connection.vendor == "postgresql" else snag.title + "!"
    type(snag).objects.filter(pk=snag.pk).update(title=title)
    assert _db_state() != before
