"""Each API operation: the happy path and the denial path, through the same services and permissions as the
pages; field messages on bad input; a token never sees more than its user; flat query counts on the snag list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from collab.notifications.models import Delivery, Notification
from liaison import services as liaison_services
from parkinglot import services as snag_services
from parkinglot.models import Comment, Snag, SnagEvent
from reviews import services as review_services
from tests.api.conftest import T0

pytestmark = pytest.mark.django_db


# --- snags ---------------------------------------------------------------------------------
def test_the_snag_list_uses_the_pages_filters_and_paginates(api_as, member, snag, finance_snag, liaison):
    snag_services.snag_create(raised_by=member, title="Slow VPN for the agency", impact="low", now=T0)
    client = api_as(member)
    body = client.get("/api/snags").json()
    assert body["count"] == 2 and body["page"] == 1 and body["pages"] == 1
    codes = {s["code"] for s in body["items"]}
    assert snag.code in codes and finance_snag.code not in codes  # the member does not see finance's snags
    high = client.get("/api/snags", {"impact": "high"}).json()
    assert [s["code"] for s in high["items"]] == [snag.code]
    assert high["items"][0]["raised_by"]["username"] == "member"
    found = client.get("/api/snags", {"q": "VPN"}).json()
    assert [s["title"] for s in found["items"]] == ["Slow VPN for the agency"]
    paged = client.get("/api/snags", {"page_size": 1, "page": 2, "sort": "oldest"}).json()
    assert paged["pages"] == 2 and len(paged["items"]) == 1
    assert client.get("/api/snags", {"status": "resolved"}).json()["count"] == 0
    # the liaison (a lead) sees the finance snag too
    assert api_as(liaison).get("/api/snags", {"department": "finance"}).json()["count"] == 1


def test_an_unknown_filter_value_is_a_422_with_the_field_named(api_as, member):
    got = api_as(member).get("/api/snags", {"status": "sideways", "page": 0})
    assert got.status_code == 422
    places = {tuple(e["loc"]) for e in got.json()["detail"]}
    assert ("query", "status") in places and ("query", "page") in places
    assert all(e["msg"] for e in got.json()["detail"])


def test_the_snag_list_runs_a_fixed_number_of_queries(api_as, member, cmo, cio, liaison, django_assert_num_queries):
    client = api_as(member)
    client.get("/api/snags")  # the token's last_used_at is written on first use
    for i in range(3):
        snag_services.snag_create(raised_by=member, title=f"Snag {i}", now=T0)
    with django_assert_num_queries(3) as small:  # the token with its user, the count, the page
        assert client.get("/api/snags").json()["count"] == 3
    for i in range(20):
        snag_services.snag_create(raised_by=cmo if i % 2 else member, title=f"More {i}", now=T0)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/api/snags").json()["count"] == 23
    print(f"FIGURE api snag list: {len(small.captured_queries)} queries for 3 or 23 snags")


def test_logging_a_snag_goes_through_the_service(api_as, member, cmo, project):
    got = api_as(member).post(
        "/api/snags",
        {"title": "  Campaign tracking pixel missing ", "details": "On **every** page", "impact": "critical",
         "project_id": project.pk},
        content_type="application/json",
    )  # fmt: skip
    assert got.status_code == 201, got.content
    body = got.json()
    snag = Snag.objects.get(code=body["code"])
    assert snag.title == "Campaign tracking pixel missing" and snag.raised_by == member
    assert snag.project == project and snag.impact == "critical"
    assert body["owner"]["username"] == "cmo"  # the service's default owner: the marketing head
    assert SnagEvent.objects.filter(snag=snag, kind="created").count() == 1
    assert body["url"] == f"/snags/{snag.code}/"


def test_a_bad_snag_is_a_422_with_field_messages_and_nothing_saved(api_as, member, cmo):
    client = api_as(member)
    got = client.post("/api/snags", {"title": "", "impact": "enormous"}, content_type="application/json")
    assert got.status_code == 422
    fields = {e["loc"][-1]: e["msg"] for e in got.json()["detail"]}
    assert set(fields) >= {"title", "impact"}
    closed = client.post("/api/snags", {"title": "x", "project_id": 999}, content_type="application/json")
    assert closed.status_code == 422
    assert closed.json()["detail"] == [
        {"loc": ["body", "project_id"], "msg": "Choose an active project; that one does not exist or is closed.",
         "type": "value_error"}
    ]  # fmt: skip
    nul = client.post("/api/snags", {"title": "a\x00b"}, content_type="application/json")
    assert nul.status_code == 422
    broken = client.post("/api/snags", "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json() == {"detail": "Cannot parse request body"}
    nul_query = client.get("/api/snags", {"q": "a\x00b"})  # refused before any query, in the API's shape
    assert nul_query.status_code == 400 and nul_query.json() == {"detail": "A request cannot contain NUL bytes."}
    assert Snag.objects.count() == 0


def test_one_snag_is_a_404_for_someone_who_may_not_see_it(api_as, member, finance_snag, outsider):
    assert api_as(member).get(f"/api/snags/{finance_snag.code}").status_code == 404
    got = api_as(outsider).get(f"/api/snags/{finance_snag.code}")
    assert got.status_code == 200 and got.json()["title"] == "Invoices stuck"


def test_commenting_goes_through_the_service_and_needs_a_visible_snag(api_as, member, snag, finance_snag):
    client = api_as(member)
    got = client.post(f"/api/snags/{snag.code}/comments", {"body": "Still blocked"}, content_type="application/json")
    assert got.status_code == 201 and got.json()["author"]["username"] == "member"
    assert Comment.objects.filter(snag=snag, body="Still blocked").exists()
    assert "Still blocked" in Snag.objects.get(pk=snag.pk).search_document
    denied = client.post(f"/api/snags/{finance_snag.code}/comments", {"body": "x"}, content_type="application/json")
    assert denied.status_code == 404 and not Comment.objects.filter(snag=finance_snag).exists()
    empty = client.post(f"/api/snags/{snag.code}/comments", {"body": ""}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][-1] == "body"


def test_moving_a_snag_uses_the_same_rules_as_the_page(api_as, member, liaison, snag):
    denied = api_as(member).post(f"/api/snags/{snag.code}/move", {"to": "in_review"}, content_type="application/json")
    assert denied.status_code == 403 and denied.json() == {"detail": "You may not make this move on this snag."}
    snag.refresh_from_db()
    assert snag.status == "new" and snag.version == 1
    client = api_as(liaison)
    no_note = client.post(f"/api/snags/{snag.code}/move", {"to": "answered"}, content_type="application/json")
    assert no_note.status_code == 422 and "Write an answer" in no_note.json()["detail"][0]["msg"]
    answered = client.post(
        f"/api/snags/{snag.code}/move", {"to": "answered", "note": "Use the fast lane", "version": 1},
        content_type="application/json",
    )  # fmt: skip
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["status"] == "answered" and body["version"] == 2
    assert body["comments"][-1]["is_answer"] and "resolved" not in body["allowed_moves"]
    # the raiser is told, as on the page
    assert Delivery.objects.filter(recipient=member, kind="snag_answered").exists()
    stale = client.post(
        f"/api/snags/{snag.code}/move", {"to": "in_review", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409 and "Someone changed this snag first" in stale.json()["detail"]
    impossible = client.post(f"/api/snags/{snag.code}/move", {"to": "parked"}, content_type="application/json")
    assert impossible.status_code == 422
    # the raiser confirms the answer
    done = api_as(member).post(f"/api/snags/{snag.code}/move", {"to": "resolved"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "resolved"


# --- projects and the ranking --------------------------------------------------------------
def test_projects_and_the_ranking_are_readable(api_as, member, project):
    client = api_as(member)
    listed = client.get("/api/projects", {"status": "active"}).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["name"] == "Spring campaign site" and item["marketing_sponsor"]["username"] == "cmo"
    assert item["departments"] == ["marketing"] and item["next_milestone"]["title"] == "Launch"
    assert client.get("/api/projects", {"status": "closed"}).json()["count"] == 0
    one = client.get(f"/api/projects/{project.pk}")
    assert one.status_code == 200 and one.json()["signoff"] == "No requirements yet"
    assert client.get("/api/projects/999999").status_code == 404
    ranking = client.get("/api/ranking").json()
    assert [r["project"]["id"] for r in ranking["rows"]] == [project.pk] and ranking["rows"][0]["rank"] == 1
    assert client.get("/api/projects", {"health": "purple"}).status_code == 422


def test_project_reads_are_not_open_to_writes(api_as, member, project):
    got = api_as(member).post("/api/ranking", {}, content_type="application/json")
    assert got.status_code == 405


# --- meetings and reviews ------------------------------------------------------------------
def test_meetings_are_readable_and_mine_filters(api_as, member, cmo, cio):
    series = liaison_services.series_create(
        by=cmo, title="CMO–CIO sync", kind="cmo_cio_sync", cadence="monthly", organiser=cmo,
        default_attendees=[cio], default_length_minutes=60, default_location="Room 4",
    )  # fmt: skip
    meeting = liaison_services.meeting_create(
        by=cmo, series=series, start=datetime(2027, 1, 5, 9, 0, tzinfo=UTC), status="planned", now=T0
    )
    listed = api_as(member).get("/api/meetings").json()
    assert listed["count"] == 1 and listed["items"][0]["series_title"] == "CMO–CIO sync"
    assert api_as(member).get("/api/meetings", {"mine": "true"}).json()["count"] == 0
    assert api_as(cio).get("/api/meetings", {"mine": "true"}).json()["count"] == 1
    one = api_as(member).get(f"/api/meetings/{meeting.pk}").json()
    assert [a["username"] for a in one["attendees"]] == ["cio"] and one["organiser"]["username"] == "cmo"
    assert api_as(member).get("/api/meetings/999999").status_code == 404


def test_reviews_are_readable(api_as, member, cmo, liaison):
    review = review_services.review_create(
        by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
        location="Board room", facilitator=liaison, attendees=[cmo, member],
    )  # fmt: skip
    review_services.item_add(
        review=review, by=cmo, title="Campaign results", kind="result", team="joint", presenter=cmo,
        time_box_minutes=15, notes="",
    )  # fmt: skip
    review_services.action_item_add(
        review=review, by=cmo, title="Fix tracking", owner=member, due_date=date(2027, 1, 10)
    )
    client = api_as(member)
    listed = client.get("/api/reviews").json()
    assert [r["label"] for r in listed] == ["2026 Q4"] and listed[0]["agenda_minutes"] == 15
    one = client.get("/api/reviews/2026/q4").json()
    assert one["agenda"][0]["title"] == "Campaign results" and one["action_items"][0]["owner"]["username"] == "member"
    assert client.get("/api/reviews/2025/q1").status_code == 404


def test_a_review_says_if_it_is_locked_which_inputs_were_missed_and_its_corrections(api_as, member, cmo, liaison):
    import time_machine

    from reviews.models import ReviewStatus

    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        review = review_services.review_create(
            by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
            location="", facilitator=liaison, attendees=[cmo, member],
        )  # fmt: skip
    with time_machine.travel(datetime(2026, 12, 3, 15, 0, tzinfo=UTC), tick=False):  # two hours after the deadline
        review_services.input_submit(team_input=review.inputs.get(team="marketing"), by=member, text="Late", version=1)
        for step in ("collecting_input", "agenda_locked", "held"):
            review_services.review_transition(review=review, by=liaison, to=step)
        review_services.minutes_update(review=review, by=liaison, summary="Agreed", version=review.version)
        review_services.review_transition(review=review, by=liaison, to=ReviewStatus.MINUTES_PUBLISHED)
        review_services.addendum_add(review=review, by=liaison, text="The budget is 40k.")
        listed = api_as(member).get("/api/reviews").json()[0]
        one = api_as(member).get("/api/reviews/2026/q4").json()
    assert listed["locked"] is True and listed["inputs_missed"] == 1 and listed["inputs_submitted"] == 1
    assert [(i["team"], i["state"]) for i in one["inputs"]] == [("it", "missed"), ("marketing", "late")]
    assert one["inputs"][1]["submitted_by"]["username"] == "member"
    assert [(a["text"], a["by"]["username"]) for a in one["minutes_addenda"]] == [("The budget is 40k.", "liaison")]
    assert one["summary"] == "Agreed"


# --- notifications -------------------------------------------------------------------------
def test_notifications_are_your_own_and_marked_read_through_the_service(api_as, member, cio):
    mine = Notification.objects.create(user=member, kind="test", title="Yours", link="/")
    theirs = Notification.objects.create(user=cio, kind="test", title="The CIO's", link="/")
    client = api_as(member)
    listed = client.get("/api/notifications").json()
    assert [n["title"] for n in listed["items"]] == ["Yours"] and listed["unread"] == 1
    denied = client.post(f"/api/notifications/{theirs.pk}/read")
    assert denied.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    read = client.post(f"/api/notifications/{mine.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.get("/api/notifications", {"unread": "true"}).json()["count"] == 0
    Notification.objects.create(user=member, kind="test", title="Another")
    assert client.post("/api/notifications/read-all").json() == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None  # read-all never touches someone else's


def test_a_token_never_sees_more_than_its_user(api_as, member, outsider, finance_snag, snag, cio):
    """The outsider (finance) sees finance's snag and not marketing's; the member the other way round; neither
    reads another person's notifications."""
    Notification.objects.create(user=cio, kind="test", title="Private to the CIO")
    outsider_codes = {s["code"] for s in api_as(outsider).get("/api/snags", {"status": "all"}).json()["items"]}
    member_codes = {s["code"] for s in api_as(member).get("/api/snags", {"status": "all"}).json()["items"]}
    assert outsider_codes == {finance_snag.code} and member_codes == {snag.code}
    assert api_as(outsider).get(f"/api/snags/{snag.code}").status_code == 404
    for user in (member, outsider):
        assert api_as(user).get("/api/notifications").json()["count"] == 0


def test_every_list_runs_a_fixed_number_of_queries(
    api_as, member, cmo, cio, liaison, django_assert_num_queries, django_assert_max_num_queries
):
    """Projects, the ranking, meetings, reviews and notifications: the same queries for 1 row as for 6."""
    from collab.projects import models as pm

    series = liaison_services.series_create(
        by=cmo, title="Sync", kind="cmo_cio_sync", cadence="monthly", organiser=cmo, default_attendees=[cio],
        default_length_minutes=60, default_location="Room",
    )  # fmt: skip

    def add(n: int) -> None:
        p = pm.Project.objects.create(name=f"P{n}", marketing_sponsor=cmo, it_sponsor=cio, rank=n + 1)
        pm.ProjectDepartment.objects.create(project=p, department="it")
        pm.Milestone.objects.create(title="M", project=p, owner=cio, due_date=date(2027, 1, 1))
        liaison_services.meeting_create(
            by=cmo, series=series, start=datetime(2027, 1, 5 + n, 9, 0, tzinfo=UTC), status="planned", now=T0
        )
        review_services.review_create(
            by=cmo, year=2020 + n, quarter=1, scheduled_at=datetime(2020 + n, 3, 1, tzinfo=UTC), length_minutes=60,
            location="", facilitator=liaison, attendees=[cmo],
        )  # fmt: skip
        Notification.objects.create(user=member, kind="test", title=f"N{n}")

    client = api_as(member)
    urls = ["/api/projects", "/api/ranking", "/api/meetings", "/api/reviews", "/api/notifications"]
    add(0)
    client.get("/api/ranking")  # the token's first use writes last_used_at
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(10) as q:
            assert client.get(url).status_code == 200
        counts[url] = len(q.captured_queries)
    for n in range(1, 6):
        add(n)
    for url in urls:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200
    print("FIGURE api list queries:", counts)
