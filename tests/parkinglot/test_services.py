"""The lifecycle of a snag, its history, owners, deadlines, edits with versions, comments and me-too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from collab.lib import hooks
from parkinglot import services
from parkinglot.models import Comment, ResponseSettings, Snag, SnagEvent, SnagStatus
from tests.parkinglot.conftest import T0

pytestmark = pytest.mark.django_db
S = SnagStatus


def test_a_snag_gets_a_code_an_owner_a_deadline_and_a_first_history_row(snag, member, cmo):
    assert snag.code == f"SNAG-{1000 + snag.pk}"
    assert snag.raiser_department == "marketing"
    assert snag.owner == cmo  # no liaison covers marketing: the department head
    assert snag.respond_by == T0 + timedelta(days=3)
    event = SnagEvent.objects.get(snag=snag)
    assert (event.kind, event.by, event.to_status) == ("created", member, "new")


@pytest.mark.parametrize(("impact", "days"), [("critical", 1), ("high", 3), ("medium", 7), ("low", 14)])
def test_response_deadline_by_impact(make_snag, cmo, impact, days):
    assert make_snag(impact=impact).respond_by == T0 + timedelta(days=days)


def test_deadlines_come_from_the_settings_row(make_snag, cmo):
    row = ResponseSettings.current()
    row.critical_days = 2
    row.save()
    assert make_snag(impact="critical").respond_by == T0 + timedelta(days=2)


def test_the_covering_liaison_owns_the_snag_when_there_is_one(make_snag, liaison, cmo):
    def covering(department, served_by=None):
        return liaison.pk if department == "marketing" else None

    hooks.provide("liaison.covering", covering)
    try:
        assert make_snag().owner == liaison
    finally:
        hooks.withdraw("liaison.covering", covering)


def test_an_empty_title_saves_nothing(member):
    with pytest.raises(ValidationError):
        services.snag_create(raised_by=member, title="   ")
    assert not Snag.objects.exists() and not SnagEvent.objects.exists()


def test_an_over_long_title_saves_nothing(member):
    with pytest.raises(ValidationError):
        services.snag_create(raised_by=member, title="x" * 201)
    assert not Snag.objects.exists()


def _move(snag, by, to, note="", **kw):
    return services.snag_transition(snag=snag, by=by, to=to, note=note, now=T0 + timedelta(hours=2), **kw)


def test_the_happy_path_with_history(snag, liaison, member):
    _move(snag, liaison, S.IN_REVIEW)
    _move(snag, liaison, S.ANSWERED, "Use the staging workspace until Friday.")
    assert snag.first_answered_at == T0 + timedelta(hours=2)
    assert Comment.objects.get(snag=snag).is_answer
    _move(snag, member, S.RESOLVED)
    assert snag.status == S.RESOLVED and snag.resolved_at is not None
    moves = list(snag.events.filter(kind="transition").values_list("from_status", "to_status", "by__username"))
    assert moves == [
        ("new", "in_review", "liaison"),
        ("in_review", "answered", "liaison"),
        ("answered", "resolved", "member"),
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("new", "resolved"),
        ("in_review", "new"),
        ("resolved", "answered"),
        ("wont_fix", "parked"),
        ("answered", "parked"),
    ],
)
def test_moves_outside_the_lifecycle_are_refused_with_a_clear_message(snag, liaison, start, to):
    Snag.objects.filter(pk=snag.pk).update(status=start, parked_for="")
    snag.refresh_from_db()
    before = list(SnagEvent.objects.values_list("id", flat=True))
    with pytest.raises(ValidationError, match="cannot move"):
        _move(snag, liaison, to, "note")
    snag.refresh_from_db()
    assert snag.status == start and list(SnagEvent.objects.values_list("id", flat=True)) == before


@pytest.mark.parametrize("to", [S.ANSWERED, S.PARKED, S.WONT_FIX])
def test_answer_park_and_wont_fix_need_a_note(snag, liaison, to):
    with pytest.raises(ValidationError, match="Write"):
        _move(snag, liaison, to, "  ")
    snag.refresh_from_db()
    assert snag.status == S.NEW


def test_parking_records_what_it_waits_for(snag, liaison):
    _move(snag, liaison, S.PARKED, "Needs both sponsors", parked_for="qbr")
    assert snag.parked_for == "qbr"
    _move(snag, liaison, S.IN_REVIEW)
    assert snag.parked_for == ""


def test_members_cannot_triage_and_nothing_changes(snag, member, outsider):
    for person in (member, outsider):
        with pytest.raises(PermissionDenied):
            _move(snag, person, S.ANSWERED, "I answer myself")
    snag.refresh_from_db()
    assert snag.status == S.NEW and not Comment.objects.exists()


def test_only_the_raiser_confirms_an_answer(snag, liaison, member, make_snag):
    from tests.factories import UserFactory

    _move(snag, liaison, S.ANSWERED, "Done")
    other = UserFactory(department="marketing")
    with pytest.raises(PermissionDenied):
        _move(snag, other, S.RESOLVED)
    with pytest.raises(PermissionDenied):
        _move(snag, liaison, S.RESOLVED)  # the liaison answered; the raiser confirms
    _move(snag, member, S.RESOLVED)


def test_reopening_gives_a_fresh_deadline_and_clears_escalation(snag, liaison, member):
    Snag.objects.filter(pk=snag.pk).update(escalation_level=2)
    snag.refresh_from_db()
    _move(snag, liaison, S.ANSWERED, "Try again now")
    services.snag_transition(snag=snag, by=member, to=S.IN_REVIEW, note="Still broken", now=T0 + timedelta(days=5))
    assert snag.escalation_level == 0 and snag.respond_by == T0 + timedelta(days=8)


def test_a_stale_version_is_refused_and_nothing_is_overwritten(snag, liaison, member):
    services.snag_update(snag=snag, by=member, version=1, title="Better title", impact="high")
    with pytest.raises(services.ConflictError) as caught:
        services.snag_update(snag=snag, by=liaison, version=1, title="Liaison's title", impact="low")
    assert caught.value.current.title == "Better title"
    snag.refresh_from_db()
    assert snag.title == "Better title" and snag.impact == "high" and snag.version == 2


def test_a_stale_version_on_a_move_is_a_conflict(snag, liaison, cmo):
    services.snag_update(snag=snag, by=cmo, version=1, title="Edited", impact="high")
    with pytest.raises(services.ConflictError):
        _move(snag, liaison, S.IN_REVIEW, version=1)


def test_others_cannot_edit_a_snag(snag, outsider):
    with pytest.raises(PermissionDenied):
        services.snag_update(snag=snag, by=outsider, version=1, title="Mine now", impact="low")
    snag.refresh_from_db()
    assert snag.title != "Mine now"


def test_nobody_edits_another_persons_comment(snag, member, liaison):
    comment = services.comment_add(snag=snag, author=member, body="It fails on Mondays")
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, by=liaison, body="rewritten")
    comment.refresh_from_db()
    assert comment.body == "It fails on Mondays"
    services.comment_edit(comment=comment, by=member, body="It fails on Mondays and Tuesdays")
    comment.refresh_from_db()
    assert comment.edited_at is not None


def test_me_too_counts_each_person_once_and_not_the_raiser(snag, member, liaison, cio):
    assert services.me_too(snag=snag, user=liaison)
    assert not services.me_too(snag=snag, user=liaison)
    assert not services.me_too(snag=snag, user=member)
    assert services.me_too(snag=snag, user=cio)
    snag.refresh_from_db()
    assert snag.me_too_count == 2


def test_me_too_is_unique_in_the_database(snag, liaison):
    from parkinglot.models import MeToo

    MeToo.objects.create(snag=snag, user=liaison)
    with pytest.raises(IntegrityError):
        MeToo.objects.create(snag=snag, user=liaison)


def test_only_liaisons_and_executives_reassign(snag, liaison, member, cio):
    with pytest.raises(PermissionDenied):
        services.snag_assign(snag=snag, by=member, owner=member)
    services.snag_assign(snag=snag, by=liaison, owner=cio)
    snag.refresh_from_db()
    assert snag.owner == cio
    assert snag.events.filter(kind="assigned").count() == 1


def test_database_refuses_an_unknown_status_and_a_parked_snag_without_target(snag):
    with pytest.raises(IntegrityError):
        Snag.objects.filter(pk=snag.pk).update(status="lost")


def test_database_refuses_a_parked_snag_that_does_not_say_what_for(snag):
    with pytest.raises(IntegrityError):
        Snag.objects.filter(pk=snag.pk).update(status="parked", parked_for="")
