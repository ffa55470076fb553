"""The permission matrix: eight personas × every URL of the URL conf (resolved with real objects) × {GET, POST,
htmx POST}. The table below says, per URL, who may read it and who may write through it; everyone else must be
turned away (403 / 404 / 405, or the login page for the anonymous) and every denied write must leave the
database exactly as it was. A URL missing from the table fails the test, so new URLs get an entry."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from collab.accounts.models import Department, Role
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

# route → (who may GET it, who may POST to it, a POST that would change something if allowed)
TABLE: dict[str, tuple[frozenset[str], frozenset[str], dict[str, Any]]] = {
    "": (ALL, NOBODY, {}),
    "accounts/login/": (PUBLIC, PUBLIC, {"username": "nobody", "password": "wrong"}),
    "api/": (NOBODY, NOBODY, {}),
    "api/docs": (ALL, NOBODY, {}),
    "api/openapi.json": (ALL, NOBODY, {}),
    "accounts/password_change/": (ALL, ALL, {}),
    "accounts/password_change/done/": (ALL, NOBODY, {}),
    "accounts/password_reset/": (PUBLIC, PUBLIC, {"email": "nobody@example.com"}),
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
    "liaisons/assignments/<int:pk>/edit/": (LEAD, LEAD, {"focus_areas": "changed"}),
    "liaisons/assignments/<int:pk>/end/": (NOBODY, LEAD, {"end_date": "2026-12-01"}),
    "liaisons/new/": (LEAD, LEAD, {"served_department": "it", "start_date": "2026-01-01"}),
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
        {"title": "Act", "due_date": "2027-01-01"},
    ),
    "meetings/<int:pk>/agenda/<int:item_pk>/move/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {"direction": "up"}),
    "meetings/<int:pk>/agenda/<int:item_pk>/remove/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {}),
    "meetings/<int:pk>/agenda/<int:item_pk>/tick/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {}),
    "meetings/<int:pk>/agenda/add/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {"title": "New item"}),
    "meetings/<int:pk>/agenda/reorder/": (NOBODY, frozenset({"cmo", "cio", "admin"}), {"order": []}),
    "meetings/<int:pk>/attendees/": (NOBODY, LEAD, {"attendees": []}),
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
        {"start": "2027-02-01T10:00"},
    ),
    "meetings/series/new/": (TRIAGE, TRIAGE, {"title": "S", "kind": "other", "cadence": "weekly"}),
    "notifications/": (ALL, NOBODY, {}),
    "notifications/<int:pk>/read/": (NOBODY, frozenset({"admin"}), {}),
    "notifications/bell/": (ALL, NOBODY, {}),
    "notifications/read-all/": (NOBODY, ALL, {}),
    "panels/<slug:key>/": (ALL, NOBODY, {}),
    "projects/": (ALL, NOBODY, {}),
    "projects/<int:pk>/": (ALL, NOBODY, {}),
    "projects/<int:pk>/change-requests/": (NOBODY, SPONSORS, {"title": "More", "reason": "Because"}),
    "projects/<int:pk>/change-requests/<int:cr>/decide/": (NOBODY, EXEC, {"decision": "approved"}),
    "projects/<int:pk>/edit/": (SPONSORS, SPONSORS, {"name": "Renamed"}),
    "projects/<int:pk>/milestones/": (NOBODY, SPONSORS, {"title": "M", "due_date": "2027-01-01"}),
    "projects/<int:pk>/requirements/": (SPONSORS, SPONSORS, {"text": "# New", "base_version": 2}),
    "projects/<int:pk>/requirements/diff/": (ALL, NOBODY, {}),
    "projects/<int:pk>/signoff/<str:department>/": (NOBODY, frozenset({"cmo"}), {"decision": "approved", "version": 2}),
    "projects/<int:pk>/status/": (NOBODY, SPONSORS, {"to": "cancelled", "note": "x"}),
    "projects/goals/": (ALL, NOBODY, {}),
    "projects/goals/<int:pk>/": (ALL, frozenset({"cmo", "cio", "admin"}), {"title": "M", "due_date": "2027-01-01"}),
    "projects/goals/new/": (
        frozenset({"liaison", "cmo", "cio", "admin"}),
        frozenset({"liaison", "cmo", "cio", "admin"}),
        {"title": "G"},
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
        {"name": "P"},
    ),
    "projects/ranking/": (ALL, EXEC, {"order": [], "reason": "x", "version": 0}),
    "projects/ranking/<int:pk>/move/": (NOBODY, EXEC, {"direction": "down", "reason": "x", "version": 0}),
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
        {"title": "A", "due_date": "2027-01-01"},
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
        frozenset({"liaison", "cio", "cmo", "admin"}),
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
        {"title": "Edited", "version": 1},
    ),
    "reviews/<int:year>/q<int:quarter>/items/<int:pk>/move/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"direction": "up"},
    ),
    "reviews/<int:year>/q<int:quarter>/items/add/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"title": "T", "kind": "update", "team": "joint", "time_box_minutes": 5},
    ),
    "reviews/<int:year>/q<int:quarter>/items/reorder/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"order": []},
    ),
    "reviews/<int:year>/q<int:quarter>/items/suggested/": (
        NOBODY,
        frozenset({"member", "liaison", "cmo", "cio", "admin"}),
        {"key": "none"},
    ),
    "reviews/<int:year>/q<int:quarter>/print/": (ALL, NOBODY, {}),
    "reviews/<int:year>/q<int:quarter>/status/": (
        NOBODY,
        frozenset({"liaison", "cmo", "cio", "admin"}),
        {"to": "collecting_input"},
    ),
    "reviews/<int:year>/q<int:quarter>/suggestions/": (ALL, NOBODY, {}),
    "reviews/new/": (LEAD, LEAD, {"year": 2030, "quarter": 1}),
    "search/": (ALL, NOBODY, {}),
    "search/suggest/": (ALL, NOBODY, {}),
    "settings/notifications/": (ALL, ALL, {}),
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
    "snags/<str:code>/me-too/": (NOBODY, SEE_SNAG, {}),
    "snags/<str:code>/move/": (NOBODY, TRIAGE, {"to": "in_review", "version": 1}),
    "snags/board/": (ALL, NOBODY, {}),
    "snags/export.csv": (ALL, NOBODY, {}),
    "snags/new/": (ALL, ALL, {"title": "Logged"}),
    "snags/review/": (TRIAGE, TRIAGE, {"code": "__snag__", "action": "skip", "version": 1}),
    "tools/": (ALL, NOBODY, {}),
    "tools/<int:pk>/": (ALL, NOBODY, {}),
    "tools/<int:pk>/edit/": (TOOL_EDITORS, TOOL_EDITORS, {"name": "Renamed", "version": 1}),
    "tools/<int:pk>/integrations/": (NOBODY, TOOL_EDITORS, {"flow": "sends", "method": "api"}),
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
    ),  # fmt: skip
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


def _payload(data: dict[str, Any], world: dict, personas: dict) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if value == "__cio__":
            value = personas["cio"].pk
        elif value == "__snag__":
            value = world["snag"].code
        out[key] = value
    if "q1" in out:
        question = world["pulse"].questions.first()
        out = {f"q{question.pk}": out["q1"]}
    return out


def test_the_matrix(world, personas):
    clients = {"anonymous": Client()}
    for name, user in personas.items():
        clients[name] = Client()
        clients[name].force_login(user)
    cells = unexpected = 0
    problems: list[tuple] = []
    for route, (may_get, may_post, data) in sorted(TABLE.items()):
        url = resolve(route, world)
        payload = _payload(data, world, personas)
        for persona in PERSONAS:
            client = clients[persona]
            got = client.get(url)
            cells += 1
            if got.status_code >= 500:
                problems.append((route, persona, "GET", got.status_code))
            if persona not in may_get and route not in ("accounts/login/",):
                ok = got.status_code in DENIED or (
                    persona == "anonymous" and got.status_code == 302 and "/accounts/login/" in got["Location"]
                )
                if not ok:
                    unexpected += 1
                    problems.append((route, persona, "GET", got.status_code))
            # a URL nobody may POST to answers 405 before any view code runs: nothing to compare there
            check_db = persona not in may_post and route not in NO_DB_CHECK and may_post != NOBODY
            before = _db_state() if check_db else None
            # an allowed persona's write is sent once (it must not fail); a denied one plain and as htmx
            variants = ({},) if persona in may_post else ({}, {"HX-Request": "true"})
            for headers in variants:
                cells += 1
                response = client.post(url, payload, headers=headers)
                if response.status_code >= 500:
                    problems.append((route, persona, "POST", bool(headers), response.status_code))
                if persona in may_post:
                    continue
                denied = response.status_code in DENIED or (
                    persona == "anonymous"
                    and response.status_code == 302
                    and "/accounts/login/" in response["Location"]
                )
                if not denied:
                    unexpected += 1
                    problems.append((route, persona, "POST", bool(headers), response.status_code))
            if before is not None and _db_state() != before:  # after both the plain and the htmx POST
                problems.append((route, persona, "POST", "database changed"))
    print(f"FIGURE permission matrix: {len(TABLE)} URLs × {len(PERSONAS)} personas × GET, POST, htmx POST = {cells} requests, "
          f"{unexpected} unexpected")  # fmt: skip
    assert problems == [], "\n".join(map(str, problems))


def test_the_write_detector_sees_a_single_changed_row(world):
    """The matrix's check must notice the smallest write a denied request could make: one field of one row,
    even one set to the value it already had (Postgres counts that write; elsewhere the fingerprint of the rows
    can only see a changed value)."""
    snag = world["snag"]
    before = _db_state()
    title = snag.title if connection.vendor == "postgresql" else snag.title + "!"
    type(snag).objects.filter(pk=snag.pk).update(title=title)
    assert _db_state() != before
