"""collab/accounts/permissions.py: the one place roles are decided."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from collab.accounts import permissions as perm
from collab.accounts.models import Department, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_roles(cmo, cio, liaison, member, admin_user):
    assert perm.is_executive(cmo) and perm.is_executive(cio)
    assert not perm.is_executive(liaison) and not perm.is_executive(member)
    assert perm.is_liaison(liaison) and not perm.is_liaison(member)
    assert perm.is_admin(admin_user) and not perm.is_admin(cmo)
    assert perm.is_leader(cmo) and perm.is_leader(admin_user) and not perm.is_leader(liaison)


def test_anonymous_and_inactive_users_may_do_nothing(cmo):
    anon = AnonymousUser()
    assert not perm.can_view_app(anon)
    assert not perm.can_rank_projects(anon)
    cmo.is_active = False
    assert not perm.can_rank_projects(cmo)
    assert not perm.can_sign_off(cmo, Department.MARKETING)


def test_only_department_heads_sign_off_for_their_own_department(cmo, cio, member):
    assert perm.can_sign_off(cmo, Department.MARKETING)
    assert not perm.can_sign_off(cmo, Department.IT)
    assert perm.can_sign_off(cio, Department.IT)
    assert not perm.can_sign_off(member, Department.MARKETING)


def test_only_the_two_sponsors_decide_change_requests(cmo, cio, member):
    project = SimpleNamespace(marketing_sponsor_id=member.pk, it_sponsor_id=cio.pk)
    assert perm.can_decide_change_request(member, project)
    assert perm.can_decide_change_request(cio, project)
    assert not perm.can_decide_change_request(cmo, project)


def test_only_executives_rank(cmo, liaison, admin_user):
    assert perm.can_rank_projects(cmo)
    assert not perm.can_rank_projects(liaison)
    assert not perm.can_rank_projects(admin_user)


def test_triage_is_for_liaisons_leaders_and_the_owner(liaison, member, cmo, outsider):
    snag = SimpleNamespace(owner_id=outsider.pk, raised_by_id=member.pk)
    assert perm.can_triage_snag(liaison, snag)
    assert perm.can_triage_snag(cmo, snag)
    assert perm.can_triage_snag(outsider, snag)
    assert not perm.can_triage_snag(member, snag)
    assert perm.can_confirm_snag_answer(member, snag)
    assert not perm.can_confirm_snag_answer(liaison, snag)


def test_nobody_edits_another_persons_comment(member, liaison):
    comment = SimpleNamespace(author_id=member.pk)
    assert perm.can_edit_comment(member, comment)
    assert not perm.can_edit_comment(liaison, comment)


def test_mentors_are_executives(cmo, liaison):
    assert perm.can_be_mentor(cmo)
    assert not perm.can_be_mentor(liaison)


def test_meeting_rules(cmo, member, outsider):
    meeting = SimpleNamespace(organiser_id=member.pk)
    assert perm.can_manage_meeting(member, meeting)
    assert perm.can_manage_meeting(cmo, meeting)
    assert not perm.can_manage_meeting(outsider, meeting)
    assert perm.can_edit_meeting_agenda(outsider, SimpleNamespace(organiser_id=None), attendee_ids={outsider.pk})
    assert not perm.can_edit_meeting_agenda(outsider, SimpleNamespace(organiser_id=None), attendee_ids=set())


def test_one_active_head_per_department(cmo):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="other-head", department=Department.MARKETING, role=Role.MEMBER, is_department_head=True)
