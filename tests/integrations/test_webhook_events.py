"""The project and review events reach a subscribed webhook once, after the change commits."""

from __future__ import annotations

import json

import pytest

from collab.projects import selectors
from collab.projects import services as projects
from reviews import services as reviews
from reviews.models import ReviewStatus
from tests.projects.test_services import _approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(httpserver, make_webhook):
    make_webhook(httpserver.url_for("/hook"), events=["ranking.changed", "change_request.decided", "review.locked"])
    httpserver.expect_request("/hook").respond_with_data("ok")

    def events():
        return [json.loads(req.get_data()) for req, _ in httpserver.log]

    return events


def test_ranking_change_and_change_request_decision(
    receiver, make_project, project, cmo, cio, sales_head, django_capture_on_commit_callbacks
):
    other = make_project(name="Web shop")
    with django_capture_on_commit_callbacks(execute=True):
        projects.ranking_move(
            by=cmo, project=other, to_rank=1, version=selectors.ranking_version(), reason="Board decision"
        )
    (ranking,) = receiver()
    assert ranking["event"] == "ranking.changed" and ranking["data"]["reason"] == "Board decision"
    assert {"project": "Web shop", "project_id": other.pk, "old_rank": 2, "new_rank": 1} in ranking["data"]["changes"]
    _approve(project, cmo, cio, sales_head)
    cr = projects.change_request_raise(project=project, by=cmo, title="Loyalty", reason="Launch", effort_days=3)
    with django_capture_on_commit_callbacks(execute=True):
        projects.change_request_decide(change_request=cr, by=cmo, approve=True)
    assert len(receiver()) == 1  # one sponsor's approval decides nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        projects.change_request_decide(change_request=cr, by=cio, approve=True)
    decided = receiver()[-1]
    assert decided["event"] == "change_request.decided"
    assert decided["data"]["change_request"]["status"] == "approved"
    assert decided["data"]["project"] == {"id": project.pk, "name": project.name}


def test_review_locked(receiver, review, liaison, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_transition(review=review, by=liaison, to=ReviewStatus.COLLECTING_INPUT)
        reviews.review_transition(review=review, by=liaison, to=ReviewStatus.AGENDA_LOCKED)
    (locked,) = receiver()
    assert locked["event"] == "review.locked"
    assert locked["data"]["review"]["quarter"] == 4 and locked["data"]["locked_by"] == "liaison"
    assert locked["data"]["review"]["url"].startswith("http://127.0.0.1:8000/reviews/")
