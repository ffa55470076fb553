"""Liaison Markdown (meeting notes and decisions, focus areas) is stored as sanitised HTML on every write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from liaison import services
from liaison.models import LiaisonAssignment, Meeting
from tests.liaison.conftest import make_meeting

pytestmark = pytest.mark.django_db


def test_saving_meeting_notes_updates_their_stored_html(sync_series, cmo):
    m = make_meeting(sync_series, datetime(2027, 1, 5, 9, tzinfo=UTC))
    services.meeting_notes_save(meeting=m, by=cmo, version=1, notes="**agreed**", decisions="- ship <b>it</b>")
    saved = Meeting.objects.get(pk=m.pk)
    assert saved.notes_html == "<p><strong>agreed</strong></p>\n"
    assert saved.decisions_html == "<ul>\n<li>ship &lt;b&gt;it&lt;/b&gt;</li>\n</ul>\n"


def test_editing_focus_areas_updates_their_stored_html(assignment, cio):
    assert LiaisonAssignment.objects.get(pk=assignment.pk).focus_areas_html == "<p>Campaign tooling</p>\n"
    services.assignment_update(assignment=assignment, by=cio, version=assignment.version, focus_areas="_CRM_")
    assert LiaisonAssignment.objects.get(pk=assignment.pk).focus_areas_html == "<p><em>CRM</em></p>\n"
