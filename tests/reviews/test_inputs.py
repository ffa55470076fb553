"""Team input (issue #23, parts 3 and 4): a team's input is edited by that team only; a team that missed its
deadline shows "missed" on the QBR, the list of reviews and the dashboard; a late submission is marked late
with its time; and at the deadline the team's head and the facilitator are told, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from collab.notifications import services as engine
from collab.notifications.models import Delivery, Notification
from reviews import services
from reviews.models import ReviewStatus, TeamInput

pytestmark = pytest.mark.django_db
URL = "/reviews/2026/q4/"
DEADLINE = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # the fixture's: a week before the review


def _inputs():
    return list(
        TeamInput.objects.order_by("team").values_list("team", "text", "submitted_at", "submitted_by", "edited_by")
    )


def _card(html: str, team: str) -> str:
    """The team's card on the QBR page."""
    start = html.index(f"<h3>{team}</h3>")
    return html[start : html.index("</article>", start)]


def test_a_team_input_is_edited_by_that_team_only(client_as, review, cmo, cio, liaison, member):
    """The CIO no longer overwrites marketing's input, nor does the facilitator from IT."""
    with time_machine.travel(DEADLINE - timedelta(days=2), tick=False):
        before = _inputs()
        for person in (cio, liaison):
            page = client_as(person).get(URL).content.decode()
            assert "Submit Marketing input" not in page and "Submit IT input" in page
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client_as(person).post(URL + "inputs/marketing/", {"text": "IT's words", "version": 1},
                                                  **headers)  # fmt: skip
                assert response.status_code == 403
        assert _inputs() == before
        with pytest.raises(services.PermissionDenied, match="Only Marketing's people"):
            services.input_submit(team_input=review.inputs.get(team="marketing"), by=cio, text="x", version=1)
        for person in (cmo, member):
            page = client_as(person).get(URL).content.decode()
            assert "Submit Marketing input" in page and "Submit IT input" not in page
        assert (
            client_as(member).post(URL + "inputs/marketing/", {"text": "Leads up 12%.", "version": 1}).status_code
            == 302
        )
        assert (
            client_as(cmo).post(URL + "inputs/marketing/", {"text": "Leads up 14%.", "version": 2}).status_code == 302
        )
    marketing = review.inputs.get(team="marketing")
    assert (marketing.text, marketing.submitted_by, marketing.edited_by) == ("Leads up 14%.", member, cmo)
    html = client_as(cio).get(URL).content.decode()
    assert "Submitted</span>\n  by Max Berger" in _card(html, "Marketing") and "Edited by Claire Moreau" in html


def test_the_inputs_freeze_with_the_agenda(client_as, review, liaison, member):
    services.review_transition(review=review, by=liaison, to=ReviewStatus.COLLECTING_INPUT)
    services.review_transition(review=review, by=liaison, to=ReviewStatus.AGENDA_LOCKED)
    before = _inputs()
    with time_machine.travel(DEADLINE - timedelta(days=1), tick=False):  # locked before the deadline
        page = client_as(member).get(URL).content.decode()
    assert "Submit Marketing input" not in page and "Due" not in _card(page, "Marketing")
    assert "Not submitted</span> before the agenda was locked" in _card(page, "Marketing")
    assert client_as(member).post(URL + "inputs/marketing/", {"text": "Too late", "version": 1}).status_code == 403
    assert _inputs() == before


def test_a_too_long_input_gets_its_message_and_nothing_is_saved(client_as, review, member):
    with time_machine.travel(DEADLINE - timedelta(days=1), tick=False):
        response = client_as(member).post(URL + "inputs/marketing/", {"text": "\u00b2" * 100_000, "version": 1})
    html = response.content.decode()
    assert response.status_code == 422 and "at most 20000 characters" in _card(html, "Marketing")
    assert review.inputs.get(team="marketing").submitted_at is None


def test_two_hours_after_the_deadline_a_missing_team_shows_missed_not_due(client_as, review, cmo, member):
    with time_machine.travel(DEADLINE - timedelta(minutes=1), tick=False):
        page = client_as(cmo).get(URL).content.decode()
        assert "Due</span> by" in _card(page, "Marketing") and "Missed" not in page
    with time_machine.travel(DEADLINE + timedelta(hours=2), tick=False):
        page = client_as(cmo).get(URL).content.decode()
        for team in ("IT", "Marketing"):
            card = _card(page, team)
            assert '<span class="badge badge--danger">Missed</span> the deadline of' in card and "Due" not in card
        assert "2 team inputs missed" in page
        assert "2 missed" in client_as(cmo).get("/reviews/").content.decode()
        panel = client_as(cmo).get("/panels/qbr/", HTTP_HX_REQUEST="true").content.decode()
        assert panel.count(">missed</span>") == 2 and "due " not in panel
        md = client_as(cmo).get(URL + "export.md").content.decode()
        assert "### Marketing (missed the deadline of 3 Dec 2026, 14:00)" in md  # company time (Berlin)


def test_a_late_submission_is_marked_late_with_its_time(client_as, review, cio, member):
    with time_machine.travel(DEADLINE + timedelta(hours=5, minutes=20), tick=False):
        response = client_as(member).post(URL + "inputs/marketing/", {"text": "Sorry, here it is.", "version": 1},
                                          follow=True)  # fmt: skip
        assert "It came in after the deadline and is marked late." in response.content.decode()
        page = client_as(cio).get(URL).content.decode()
        card = _card(page, "Marketing")
        assert "Submitted late</span>" in card and "3 Dec 2026, 18:20" in card and "deadline" in card
        assert "1 late" in client_as(cio).get("/reviews/").content.decode()
        panel = client_as(cio).get("/panels/qbr/", HTTP_HX_REQUEST="true").content.decode()
        assert "submitted late" in panel and "18:20" in panel
        assert "submitted late" in page  # the agenda history says so too
    marketing = review.inputs.get(team="marketing")
    assert marketing.state == "late" and marketing.submitted_at == DEADLINE + timedelta(hours=5, minutes=20)


def test_an_edit_after_the_deadline_keeps_an_on_time_submission_on_time(client_as, review, member, cmo):
    with time_machine.travel(DEADLINE - timedelta(hours=1), tick=False):
        services.input_submit(team_input=review.inputs.get(team="marketing"), by=member, text="On time", version=1)
    with time_machine.travel(DEADLINE + timedelta(hours=1), tick=False):
        services.input_submit(team_input=review.inputs.get(team="marketing"), by=cmo, text="A typo fixed", version=2)
        card = _card(client_as(member).get(URL).content.decode(), "Marketing")
    assert '<span class="badge badge--ok">Submitted</span>' in card and "after the deadline" in card
    assert review.inputs.get(team="marketing").submitted_at == DEADLINE - timedelta(hours=1)


def _sweep(now):
    result = engine.sweep(now=now)
    engine.deliveries_send(ids=result.pending_ids, now=now)


def test_at_the_deadline_the_teams_head_and_the_facilitator_are_told_once_each(review, cmo, cio, liaison, member):
    with time_machine.travel(DEADLINE - timedelta(hours=1), tick=False):
        services.input_submit(team_input=review.inputs.get(team="it"), by=cio, text="Platform stable", version=1)
    _sweep(DEADLINE - timedelta(minutes=1))
    assert not Notification.objects.filter(kind="qbr_input_missed").exists()
    for minutes in (0, 1, 30, 600):  # every sweep after it, as beat runs them
        _sweep(DEADLINE + timedelta(minutes=minutes))
    told = Notification.objects.filter(kind="qbr_input_missed")
    assert sorted(told.values_list("user__username", "title")) == [
        ("cmo", "Marketing missed the input deadline for QBR 2026 Q4"),  # marketing's head
        ("liaison", "Marketing missed the input deadline for QBR 2026 Q4"),  # the facilitator
    ]  # IT submitted: nobody is told about IT; the member is not told
    assert Delivery.objects.filter(kind="qbr_input_missed").values("recipient", "channel").distinct().count() == (
        Delivery.objects.filter(kind="qbr_input_missed").count()
    )


def test_a_facilitator_who_heads_the_team_is_told_once(review, cmo, liaison):
    TeamInput.objects.filter(review=review).update(submitted_at=DEADLINE - timedelta(days=1))
    TeamInput.objects.filter(review=review, team="marketing").update(submitted_at=None)
    type(review).objects.filter(pk=review.pk).update(facilitator=cmo)
    _sweep(DEADLINE + timedelta(minutes=2))
    assert list(Notification.objects.filter(kind="qbr_input_missed").values_list("user__username", flat=True)) == [
        "cmo"
    ]
