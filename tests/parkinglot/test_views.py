"""The parking lot's pages: quick add (dialog and no-JS), the list with filters and CSV, the detail page,
the board (htmx and no-JS), review mode — and the denials, which change nothing."""

from __future__ import annotations

import csv
import io

import pytest

from parkinglot import services
from parkinglot.models import Comment, Snag, SnagEvent, SnagStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _rows():
    return (
        list(Snag.objects.order_by("pk").values_list("pk", "status", "title", "owner_id", "version", "me_too_count")),
        SnagEvent.objects.count(),
        Comment.objects.count(),
    )


# --- quick add -------------------------------------------------------------------------------------------
def test_quick_add_in_the_dialog_answers_with_the_code(client_as, member, cmo):
    form = client_as(member).get("/snags/new/", **HX)
    body = form.content.decode()
    assert form.status_code == 200 and "<html" not in body
    for label in ("Title", "Details", "Impact", "Project"):
        assert f">{label}" in body
    done = client_as(member).post("/snags/new/", {"title": "Cannot export leads", "impact": "high"}, **HX)
    snag = Snag.objects.get()
    assert done.status_code == 200 and snag.code in done.content.decode()
    assert done["HX-Trigger"] == "snagLogged"


def test_quick_add_without_javascript_redirects_to_the_snag(client_as, member, cmo):
    response = client_as(member).post("/snags/new/", {"title": "VPN drops", "impact": "low"})
    snag = Snag.objects.get()
    assert response.status_code == 302 and response.url == snag.get_absolute_url()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Give the snag a title"),
        ({"title": "x" * 201}, "at most 200"),
        ({"title": "ok", "project": "999999"}, "Choose a project from the list"),
        ({"title": "ok", "impact": "apocalyptic"}, "Select a valid choice"),
    ],
)
def test_bad_quick_add_shows_the_form_again_and_saves_nothing(client_as, member, data, message):
    for extra in ({}, HX):
        response = client_as(member).post("/snags/new/", data, **extra)
        assert response.status_code == 422 and message in response.content.decode()
    assert not Snag.objects.exists()


def test_every_page_has_the_log_a_snag_button(client_as, member):
    page = client_as(member).get("/snags/").content.decode()
    assert 'data-open-dialog="quick-add"' in page and 'id="quick-add"' in page


# --- list ------------------------------------------------------------------------------------------------
def test_list_filters_and_keeps_them_in_the_url(client_as, make_snag, member, cio, cmo, liaison):
    it_person = UserFactory(department="it")
    make_snag(title="Tag missing on product pages", impact="critical")
    make_snag(by=it_person, title="Campaign freeze clash", impact="low")
    page = client_as(liaison).get("/snags/?impact=critical").content.decode()
    assert "Tag missing" in page and "Campaign freeze" not in page
    page = client_as(liaison).get("/snags/?department=it").content.decode()
    assert "Campaign freeze" in page and "Tag missing" not in page
    page = client_as(liaison).get("/snags/?q=freeze").content.decode()
    assert "Campaign freeze" in page and "Tag missing" not in page
    fragment = client_as(liaison).get("/snags/?impact=low&sort=oldest", **HX)
    assert "<html" not in fragment.content.decode() and "impact=low" in fragment["HX-Push-Url"]
    assert "HX-Request" in fragment["Vary"]


def test_list_finds_a_snag_by_its_code(client_as, snag, liaison):
    page = client_as(liaison).get(f"/snags/?q={snag.code}&status=all").content.decode()
    assert snag.title in page


def test_unknown_filters_are_ignored_with_a_message_not_a_500(client_as, snag, liaison):
    response = client_as(liaison).get("/snags/?status=lost&impact=huge&owner=abc&sort=random")
    assert response.status_code == 200 and "Unknown status filter" in response.content.decode()


def test_list_query_count_stays_flat_from_10_to_1000_snags(client_as, liaison, cmo, member, django_assert_num_queries):
    people = [UserFactory(department="marketing") for _ in range(5)]

    def add(n):
        start = Snag.objects.count()
        Snag.objects.bulk_create(
            [
                Snag(
                    code=f"SNAG-{9000 + start + i}",
                    title=f"Snag {start + i}",
                    raised_by=people[i % 5],
                    raiser_department="marketing",
                    owner=cmo,
                    respond_by=services.timezone.now(),
                    created_at=services.timezone.now(),
                )
                for i in range(n)
            ]
        )

    client = client_as(liaison)
    add(10)
    client.get("/snags/")  # warm the session
    with django_assert_num_queries(7) as small:
        client.get("/snags/")
    add(990)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get("/snags/")
    assert "1000 snags" in page.content.decode()


def test_csv_export_of_the_filtered_list(client_as, make_snag, liaison, cmo):
    make_snag(title="=HYPERLINK(evil)", impact="critical")
    make_snag(title="Plain one", impact="low")
    response = client_as(liaison).get("/snags/export.csv?impact=critical")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "code" and len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(evil)"  # no formula injection


# --- detail and actions ----------------------------------------------------------------------------------
def test_detail_shows_history_comments_and_only_allowed_actions(client_as, snag, member, liaison):
    services.comment_add(snag=snag, author=member, body="**Bold** claim <script>alert(1)</script>")
    page = client_as(member).get(snag.get_absolute_url()).content.decode()
    assert "<strong>Bold</strong>" in page and "<script>alert(1)" not in page
    assert "logged it" in page and "Save the move" not in page  # members cannot triage a new snag
    page = client_as(liaison).get(snag.get_absolute_url()).content.decode()
    assert "Save the move" in page and "Reassign" in page


def test_unknown_or_foreign_code_is_404(client_as, make_snag, outsider, member, cmo):
    snag = make_snag()
    assert client_as(member).get("/snags/SNAG-999999/").status_code == 404
    assert client_as(outsider).get(snag.get_absolute_url()).status_code == 404  # finance sees finance's snags
    before = _rows()
    assert client_as(outsider).post(f"{snag.get_absolute_url()}me-too/").status_code == 404
    assert _rows() == before


def test_answer_from_the_detail_page_with_htmx_and_without(client_as, snag, liaison, member):
    url = f"{snag.get_absolute_url()}move/"
    bad = client_as(liaison).post(url, {"to": "answered", "note": "", "version": 1}, **HX)
    assert bad.status_code == 422 and "Write an answer" in bad.content.decode()
    ok = client_as(liaison).post(url, {"to": "answered", "note": "Use staging", "version": 1})
    assert ok.status_code == 302
    snag.refresh_from_db()
    assert snag.status == SnagStatus.ANSWERED
    confirm = client_as(member).post(url, {"to": "resolved", "version": snag.version})
    assert confirm.status_code == 302
    snag.refresh_from_db()
    assert snag.status == SnagStatus.RESOLVED


def test_a_member_cannot_move_someone_elses_snag_and_nothing_changes(client_as, snag, member):
    other = UserFactory(department="marketing")
    before = _rows()
    response = client_as(other).post(f"{snag.get_absolute_url()}move/", {"to": "answered", "note": "x", "version": 1})
    assert response.status_code == 403
    assert _rows() == before


def test_edit_with_a_stale_version_shows_the_other_change(client_as, snag, member, liaison):
    services.snag_update(snag=snag, by=liaison, version=1, title="Liaison wording", impact="high")
    response = client_as(member).post(
        f"{snag.get_absolute_url()}edit/", {"title": "My wording", "impact": "high", "version": 1, "days_lost": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 422 and "Liaison wording" in body and "My wording" in body
    snag.refresh_from_db()
    assert snag.title == "Liaison wording"


def test_edit_is_denied_to_others(client_as, snag, outsider):
    other = UserFactory(department="marketing")
    assert client_as(other).get(f"{snag.get_absolute_url()}edit/").status_code == 403


def test_comments_me_too_and_assign(client_as, snag, member, liaison, cio):
    url = snag.get_absolute_url()
    empty = client_as(liaison).post(f"{url}comments/", {"body": ""}, **HX)
    assert empty.status_code == 422 and "Write a comment first" in empty.content.decode()
    added = client_as(liaison).post(f"{url}comments/", {"body": "Looking into it"}, **HX)
    assert added.status_code == 200 and "Looking into it" in added.content.decode()
    comment = Comment.objects.get()
    assert client_as(member).get(f"{url}comments/{comment.pk}/edit/").status_code == 403
    assert client_as(member).post(f"{url}comments/{comment.pk}/edit/", {"body": "hijack"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Looking into it"
    assert client_as(cio).post(f"{url}me-too/", **HX).status_code == 200
    snag.refresh_from_db()
    assert snag.me_too_count == 1
    before = _rows()
    assert client_as(member).post(f"{url}assign/", {"owner": member.pk}).status_code == 403
    assert _rows() == before
    assert client_as(liaison).post(f"{url}assign/", {"owner": cio.pk}).status_code == 302
    snag.refresh_from_db()
    assert snag.owner == cio


# --- board -----------------------------------------------------------------------------------------------
def test_board_move_with_htmx_and_without(client_as, snag, liaison):
    board = client_as(liaison).get("/snags/board/").content.decode()
    assert snag.code in board and 'data-status="in_review"' in board
    url = f"{snag.get_absolute_url()}move/"
    moved = client_as(liaison).post(url, {"to": "in_review", "from": "board", "version": 1}, **HX)
    assert moved.status_code == 200 and 'id="board"' in moved.content.decode()
    snag.refresh_from_db()
    assert snag.status == SnagStatus.IN_REVIEW
    refused = client_as(liaison).post(url, {"to": "resolved", "from": "board", "version": snag.version}, **HX)
    assert refused.status_code == 422 and "cannot move" in refused.content.decode()
    nojs = client_as(liaison).post(
        url, {"to": "parked", "note": "to the QBR", "parked_for": "qbr", "from": "board", "version": snag.version}
    )
    assert nojs.status_code == 302 and nojs.url == "/snags/board/"
    snag.refresh_from_db()
    assert snag.status == SnagStatus.PARKED


# --- review mode -----------------------------------------------------------------------------------------
def test_review_mode_walks_escalated_first_then_oldest(client_as, make_snag, liaison, cmo):
    from datetime import timedelta

    from tests.parkinglot.conftest import T0

    old = make_snag(title="Oldest", now=T0 - timedelta(days=10))
    newer = make_snag(title="Newer", now=T0 - timedelta(days=2))
    escalated = make_snag(title="Escalated one", now=T0 - timedelta(days=1))
    Snag.objects.filter(pk=escalated.pk).update(escalation_level=2)
    client = client_as(liaison)
    assert "Escalated one" in client.get("/snags/review/").content.decode()
    skipped = client.post("/snags/review/", {"code": escalated.code, "action": "skip", "version": 1}, **HX)
    assert "Oldest" in skipped.content.decode()
    answered = client.post(
        "/snags/review/",
        {"code": old.code, "action": "answer", "note": "Here you go", "version": 1, "skipped": [escalated.code]},
        **HX,
    )
    body = answered.content.decode()
    assert f"{old.code} answered" in body and "Newer" in body
    parked = client.post(
        "/snags/review/",
        {"code": newer.code, "action": "park", "note": "", "version": 1, "skipped": [escalated.code]},
        **HX,
    )
    assert parked.status_code == 422 and "Write a reason" in parked.content.decode()


def test_review_mode_is_for_triagers_only(client_as, member):
    assert client_as(member).get("/snags/review/").status_code == 403


def test_search_covers_details_and_comments(client_as, make_snag, liaison, member, cmo):
    snag = make_snag(title="Exports fail", details="The **segment** builder times out")
    make_snag(title="Unrelated")
    services.comment_add(snag=snag, author=member, body="Happens with the webinar audience too")
    for word in ("segment", "webinar"):
        page = client_as(liaison).get(f"/snags/?q={word}").content.decode()
        assert "Exports fail" in page and "Unrelated" not in page, word


def test_board_asks_for_the_note_on_the_card_when_a_move_needs_one(client_as, snag, liaison):
    url = f"{snag.get_absolute_url()}move/"
    for extra in ({}, HX):
        response = client_as(liaison).post(url, {"to": "parked", "from": "board", "version": 1, "note": ""}, **extra)
        body = response.content.decode()
        assert response.status_code == 422 and "Write a reason" in body
        assert f'id="note-{snag.code}"' in body and 'id="note-SNAG-' in body  # only this card is expanded
    snag.refresh_from_db()
    assert snag.status == SnagStatus.NEW
    done = client_as(liaison).post(
        url, {"to": "parked", "from": "board", "version": 1, "note": "QBR", "parked_for": "qbr", "department": "it"}
    )
    assert done.status_code == 302 and done.url == "/snags/board/?department=it"


def test_owners_are_liaisons_executives_or_heads_so_the_picker_stays_short(client_as, snag, liaison, member, cio):
    plain = UserFactory(department="it", first_name="Plain", last_name="Person")
    page = client_as(liaison).get(snag.get_absolute_url()).content.decode()
    assert "Plain Person" not in page and cio.display_name in page
    response = client_as(liaison).post(f"{snag.get_absolute_url()}assign/", {"owner": plain.pk}, follow=True)
    assert "Choose a liaison, an executive or a department head" in response.content.decode()
    snag.refresh_from_db()
    assert snag.owner != plain


def test_a_search_sorts_by_best_match_unless_told_otherwise():
    from parkinglot.selectors import SnagFilter

    assert SnagFilter.from_query({"q": "export"}).sort == "relevance"
    assert SnagFilter.from_query({"q": "export", "sort": "oldest"}).sort == "oldest"
    assert SnagFilter.from_query({}).sort == "newest"
