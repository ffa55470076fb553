"""Search everywhere: ranking, websearch syntax, typos, permissions, safe snippets, flat query counts (Postgres);
the substring fallback (SQLite); the page's empty states and the as-you-type suggestions (both)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collab.accounts.models import Department, Role
from collab.lib import search
from collab.projects import models as pm
from parkinglot.models import Snag
from parkinglot.selectors import SNAG_SEARCH
from tests.factories import UserFactory
from tests.search.conftest import NOW, fill, on_postgres, on_sqlite, snag
from tests.security.xss import executable_markup

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def titles(user, text: str, kind: str = "") -> list[str]:
    groups = search.search(user, search.Query.parse(text), limit=10, kind=kind)
    return [h.title for g in groups for h in g.hits]


def test_query_parsing_knows_plain_text_from_websearch_syntax():
    q = search.Query.parse('  CRM   "lead status" -export or  ')
    assert (q.plain, q.words, q.excluded) == (False, ("crm", "lead", "status"), ("export",))
    assert search.Query.parse("crm exprt").plain and search.Query.parse("crm exprt").words == ("crm", "exprt")
    assert not search.Query.parse("a").usable and not search.Query.parse("!!").usable
    assert search.Query.parse("x" * 500).text == "x" * 200


def test_snippets_escape_user_text_and_mark_only_the_matches():
    q = search.Query.parse("export")
    html = search.snippet(q, "<img src=x onerror=alert(1)> **Exports** fail & [docs](javascript:x)")
    assert str(html) == "&lt;img src=x onerror=alert(1) <mark>Exports</mark> fail &amp; docs"  # markdown marks go
    long = "word " * 100 + "the export broke " + "tail " * 100
    cut = str(search.snippet(q, "", long, width=80))
    assert cut.startswith("… ") and cut.endswith(" …") and "<mark>export</mark>" in cut and len(cut) < 130


@on_postgres
def test_a_title_match_ranks_above_a_body_match(member):
    snag(member, "Quarterly attribution report is late", details="The numbers are fine.")
    snag(member, "Dashboards differ", details="Because the attribution model changed last week.")
    assert titles(member, "attribution", "snag") == ["Quarterly attribution report is late", "Dashboards differ"]


@on_postgres
def test_websearch_syntax_phrases_exclusions_and_or(member):
    snag(member, "Lead status differs between CRM and automation")
    snag(member, "Status of the lead form")
    snag(member, "CRM export fails")
    snag(member, "Consent banner blocks tests")
    assert titles(member, '"lead status"', "snag") == ["Lead status differs between CRM and automation"]
    assert titles(member, "crm -export", "snag") == ["Lead status differs between CRM and automation"]
    assert set(titles(member, "consent or export", "snag")) == {"CRM export fails", "Consent banner blocks tests"}


@on_postgres
def test_typos_and_prefixes_still_find_the_title(member):
    snag(member, "Cannot export segment lists from the CRM")
    snag(member, "Laptop not ready")
    assert titles(member, "crm exprt") == ["Cannot export segment lists from the CRM"]
    assert titles(member, "segm") == ["Cannot export segment lists from the CRM"]  # as you type


@on_postgres
def test_when_no_row_holds_every_word_any_word_will_do_marked_partial(member):
    snag(member, "CRM export fails")
    (group,) = search.search(member, search.Query.parse("crm export problem"), limit=5)
    assert [h.title for h in group.hits] == ["CRM export fails"] and group.hits[0].partial


@on_postgres
def test_each_kind_takes_its_own_pass_so_no_kind_vanishes(member, cmo, cio):
    snag(member, "CRM export problem again")  # all three words
    pm.Project.objects.create(name="CRM export rebuild", summary="Lists", marketing_sponsor=cmo, it_sponsor=cio)
    pm.Goal.objects.create(title="One CRM for exprts", marketing_owner=cmo, it_owner=cio)  # a typo, no "problem"
    groups = search.search(member, search.Query.parse("crm export problem"), limit=5)
    found = [(g.provider.kind, [h.title for h in g.hits], g.partial) for g in groups]
    assert found[0] == ("snag", ["CRM export problem again"], False)  # every word first
    assert sorted(found[1:]) == [("goal", ["One CRM for exprts"], True), ("project", ["CRM export rebuild"], True)]
    typo = {g.provider.kind: g for g in search.search(member, search.Query.parse("crm exprt"), limit=5)}
    assert typo["project"].hits[0].title == "CRM export rebuild" and not typo["project"].partial  # a typo pass
    assert typo["goal"].hits[0].title == "One CRM for exprts" and not typo["goal"].partial  # the exact pass
    body = _page(member, "/search/?q=crm+export+problem")
    assert body.index(" again</a>") < body.index(" rebuild</a>")
    assert body.count("Nothing held every word") == 2


@on_postgres
def test_words_postgres_ignores_do_not_break_typo_tolerance(member):
    snag(member, "Laptop for the new starter")
    snag(member, "CRM export stopped working")
    for text, title in (
        ("it laptp", "Laptop for the new starter"),
        ("crm exprt not working", "CRM export stopped working"),
    ):
        (group,) = search.search(member, search.Query.parse(text), limit=5)
        assert [h.title for h in group.hits] == [title] and not group.partial, text
    assert search.with_terms(search.Query.parse("we do not crm up my export")).terms == ("crm", "export")
    assert search.search(member, search.Query.parse("it is up to us"), limit=5) == []  # only stop words


@on_postgres
def test_a_meeting_is_found_by_its_series_title_or_its_own_notes(member, cmo):
    from liaison import models as lm

    series = lm.MeetingSeries.objects.create(title="Consent steering", organiser=cmo)
    lm.Meeting.objects.create(series=series, start=timezone.now(), organiser=cmo, notes="Banner copy agreed")
    other = lm.MeetingSeries.objects.create(title="Weekly sync", organiser=cmo)
    lm.Meeting.objects.create(series=other, start=timezone.now(), organiser=cmo, notes="The consent audit moved")
    assert len(titles(member, "consent", "meeting")) == 2
    assert titles(member, "consnt steering", "meeting")[0].startswith("Consent steering")  # a typo in the series
    assert titles(member, "banner", "meeting")[0].startswith("Consent steering")


def test_a_snag_found_by_a_comment_shows_that_comment(member):
    from parkinglot.models import Comment

    found = snag(member, "Lists are slow", details="Since Monday.")
    Comment.objects.create(snag=found, author=member, body="The webhook retries flood the queue", created_at=NOW)
    found.search_document = "Lists are slow\nSince Monday.\nThe webhook retries flood the queue"
    found.save(update_fields=["search_document"])
    (group,) = search.search(member, search.Query.parse("webhook"), limit=5)
    assert "<mark>webhook</mark> retries flood" in str(group.hits[0].snippet)


def test_a_result_the_user_cannot_open_never_appears(member, outsider, liaison):
    snag(outsider, "Finance roadmap snag")  # finance: not shared with marketing
    snag(member, "Marketing roadmap snag")
    assert titles(member, "roadmap snag") == ["Marketing roadmap snag"]
    assert set(titles(liaison, "roadmap snag")) == {"Finance roadmap snag", "Marketing roadmap snag"}
    assert set(titles(outsider, "roadmap snag")) == {"Finance roadmap snag"}
    outsider.is_active = False
    assert titles(outsider, "roadmap snag") == []
    body = _page(member, "/search/?q=roadmap+snag")
    assert "Finance" not in body and "Marketing <mark>roadmap</mark>" in body


def _page(user, url: str, **headers) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_results_page_shows_no_html_from_user_text(member, cmo, cio):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)> crm export"
    snag(member, payload[:200], details=payload * 3)
    pm.Project.objects.create(name=payload, summary=payload, marketing_sponsor=cmo, it_sponsor=cio)
    for url, headers in (("/search/?q=crm+export", {}), ("/search/suggest/?q=crm+export", HX)):
        body = _page(member, url, **headers)
        assert executable_markup(body) == [], url
        assert "&lt;script&gt;" in body and "<mark>crm</mark>" in body.lower()
        assert set(re.findall(r"<mark>", body)) == {"<mark>"}


def test_query_count_stays_flat_as_data_grows(cmo, cio, member, client_as):
    # a full match, a typo, some words only, nothing at all, the suggestions: on Postgres one query for the stop
    # words and the lexicon and one per kind whichever pass each kind needs (none when the lexicon says no row
    # anywhere holds or resembles any word); the fallback has no lexicon query
    urls = ("/search/?q=roadmap", "/search/?q=roadmp+snag", "/search/?q=roadmap+exprt+zzz", "/search/?q=zzqq+xxyy",
            "/search/suggest/?q=roadm")  # fmt: skip
    client = client_as(member)
    postgres = search.full_text()
    finds = [True, postgres, postgres, False, True]  # the fallback has no typos and no partial matches

    def counts() -> list[int]:
        out = []
        for url, expected in zip(urls, finds, strict=True):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, headers=HX if "suggest" in url else {})
            assert response.status_code == 200
            found = "<li><a" if "suggest" in url else 'class="search-hit"'
            assert (found in response.content.decode()) == expected, url
            out.append(len(ctx))
        return out

    fill(5, cmo, cio, member)
    few = counts()
    fill(45, cmo, cio, member)
    many = counts()
    assert many == few
    kinds = len(search.providers())
    terms = 1 if postgres else 0
    page = 2 + terms + kinds + 1  # session and user, the stop words and lexicon, the kinds, the bell
    nothing = page - kinds if postgres else page  # no word is in the lexicon: no kind is asked
    assert many == [page, page, page, nothing, page - 1] and page <= 15  # the suggestions have no bell
    print(f"FIGURE search queries (full, typo, partial, none, suggestions): {many} at 5 and at 50 rows of each kind")
    body = _page(member, "/search/?q=roadmap")
    assert body.count('class="search-hit"') == kinds * 5 and body.count("&amp;kind=") == kinds  # top 5, "more"
    listed = re.findall(r"kind=(\w+)", body)
    assert set(listed) == {"snag", "project", "goal", "meeting", "meeting_item", "qbr_item", "qbr_decision",
                          "qbr_action", "tool", "tool_request", "meeting_action"}  # fmt: skip
    one_kind = _page(member, "/search/?q=roadmap&kind=qbr_action")
    assert one_kind.count('class="search-hit"') == 50 and "Action items" in one_kind


def _fallback_finds_every_word_case_insensitively(member):
    snag(member, "CRM Export fails", details="nothing else")
    snag(member, "Consent banner", details="blocks the crm export test")
    snag(member, "CRM import")
    assert titles(member, "crm export", "snag") == ["CRM Export fails", "Consent banner"]  # title match first
    assert titles(member, "crm -export", "snag") == ["CRM import"]
    assert titles(member, '"export fails"', "snag") == ["CRM Export fails"]
    assert titles(member, "it crm export", "snag") == []  # no stop words in the fallback: every word must be there


@on_sqlite
def test_the_sqlite_fallback_matches_every_word_case_insensitively(member):
    _fallback_finds_every_word_case_insensitively(member)


def test_the_substring_fallback_forced_on_any_database_matches_every_word(member, settings):
    settings.SEARCH_SUBSTRING_FALLBACK = True
    assert not search.full_text()
    _fallback_finds_every_word_case_insensitively(member)


def test_an_empty_or_too_short_query_explains_instead_of_failing(member):
    assert "Type what you remember" in _page(member, "/search/")
    assert "at least two letters" in _page(member, "/search/?q=a")
    assert "at least two letters" in _page(member, "/search/?q=%21%21")
    only_out = _page(member, "/search/?q=-export")
    assert "needs at least one word to look for" in only_out and "two letters" not in only_out
    body = _page(member, "/search/?q=zzzqqq")
    assert "Nothing you may open matches" in body and 'value="zzzqqq"' in body  # the query stays in the box
    assert "Unknown kind" in _page(member, "/search/?q=zzzqqq&kind=bogus")
    assert _page(member, "/search/?q=zzzqqq", **HX).lstrip().startswith('<div id="search-results">')


def test_suggestions_top_three_per_kind_and_no_js_goes_to_the_results_page(member, cmo, cio, client_as):
    fill(5, cmo, cio, member, word="webinar")
    body = _page(member, "/search/suggest/?q=webin", **HX)
    assert body.count("<li><a") == len(search.providers()) * 3 and "All results for" in body
    assert _page(member, "/search/suggest/?q=x", **HX).strip() == ""
    response = client_as(member).get("/search/suggest/?q=webinar+leads")
    assert response.status_code == 302 and response["Location"] == "/search/?q=webinar+leads"
    assert "HX-Request" in client_as(member).get("/search/suggest/?q=we", headers=HX)["Vary"]


def test_every_page_has_the_header_search_box(member, client_as):
    body = _page(member, "/")
    assert 'role="search"' in body and '<label for="site-search-q"' in body and ">Search</label>" in body
    assert 'hx-trigger="input changed delay:250ms"' in body and "js/search.js" in body


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in ("/search/?q=crm", "/search/suggest/?q=crm"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_department_head_of_another_department_sees_only_their_department(outsider):
    head = UserFactory(username="saleshead", department=Department.SALES, role=Role.MEMBER, is_department_head=True)
    snag(outsider, "Invoice export snag")
    snag(head, "Sales export snag")
    assert titles(head, "export snag") == ["Sales export snag"]


def test_the_xss_payload_world_stays_inert_in_results_and_suggestions(world, admin_user, member):
    """Every payload of the XSS suite is stored somewhere searchable; searching for the words they share brings
    them up (as snippets and highlighted titles), and not one piece of executable markup comes back."""
    checked = marks = 0
    for user in (admin_user, member):
        client = Client()
        client.force_login(user)
        for text in ("alert", "script alert", "onerror", "javascript", "svg onload", '"img src"', "iframe -zzz"):
            for url, headers in (("/search/", {}), ("/search/suggest/", HX)):
                response = client.get(url, {"q": text}, headers=headers)
                assert response.status_code == 200, (url, text)
                body = response.content.decode()
                assert executable_markup(body) == [], (url, text)
                checked += 1
                marks += body.count("<mark>")
    assert checked == 28 and marks > 100  # the payloads were found and shown


def test_meeting_and_log_action_items_are_found_and_link_to_where_they_live(member, cmo, liaison):
    from datetime import date

    from liaison import models as lm

    series = lm.MeetingSeries.objects.create(title="Monthly sync", organiser=cmo)
    meeting = lm.Meeting.objects.create(series=series, start=timezone.now(), organiser=cmo)
    entry = lm.LogEntry.objects.create(liaison=liaison, date=date(2026, 11, 2), meeting="Content stand-up", learned="x")
    lm.ActionItem.objects.create(meeting=meeting, title="Send the consent audit", owner=cmo, due_date=date(2027, 1, 5))
    lm.ActionItem.objects.create(
        log_entry=entry, title="Share the consent FAQ", owner=liaison, due_date=date(2027, 1, 6)
    )
    (group,) = search.search(member, search.Query.parse("consent"), limit=5, kind="meeting_action")
    urls = {h.title: h.url for h in group.hits}
    assert urls == {
        "Send the consent audit": f"/meetings/{meeting.pk}/#actions",
        "Share the consent FAQ": f"/liaisons/people/{liaison.username}/#log",
    }


def test_a_whole_snag_code_opens_that_snag_and_a_foreign_one_finds_nothing(member, outsider, client_as):
    found = snag(member, "Consent banner blocks tests")
    answer = client_as(member).get(f"/search/?q={found.code.lower()}")
    assert answer.status_code == 302 and answer.headers["Location"] == found.get_absolute_url()
    page = client_as(outsider).get(f"/search/?q={found.code}")  # not theirs to open: no redirect, no result
    assert page.status_code == 200 and 'class="search-hit"' not in page.content.decode()


def _lexicon_has(*stems: str) -> list[bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme FROM search_lexeme WHERE lexeme = ANY(%s)", [list(stems)])
        found = {row[0] for row in cursor.fetchall()}
    return [s in found for s in stems]


@on_postgres
def test_the_lexicon_learns_the_words_of_new_bulk_and_edited_rows(member, cmo, cio):
    s = snag(member, "Xylophone budget", "the glockenspiel invoice")
    assert _lexicon_has("xylophon", "glockenspiel", "marimba") == [True, True, False]
    pm.Goal.objects.bulk_create([pm.Goal(title="Theremin rollout", marketing_owner=cmo, it_owner=cio)])  # one INSERT
    s.title = "Marimba budget"
    s.save(update_fields=["title"])  # the vector changed: the row's words are added
    assert _lexicon_has("theremin", "marimba") == [True, True]


@on_postgres
def test_a_typo_of_a_word_only_in_the_body_is_found_too(member):
    snag(member, "Month end is late", "The invoice reconciliation report times out")
    snag(member, "Laptop not ready")
    (group,) = search.search(member, search.Query.parse("reconcilation report"), limit=5)
    assert [h.title for h in group.hits] == ["Month end is late"] and not group.partial


@on_postgres
def test_words_no_row_holds_are_left_out_and_the_rest_must_all_match(member):
    snag(member, "CRM export fails")
    snag(member, "CRM login is slow")
    snag(member, "Export of budgets")
    query = search.with_terms(search.Query.parse("crm export zzqq"))
    held = [(t.word, bool(t.tables or t.alternatives)) for t in query.lexicon or ()]
    assert held == [("crm", True), ("export", True), ("zzqq", False)]  # no row holds zzqq or anything like it
    (group,) = search.search(member, query, limit=5)
    assert [h.title for h in group.hits] == ["CRM export fails"] and group.partial  # it lacks "zzqq"
    assert search.search(member, search.Query.parse("zzqq xxyy"), limit=5) == []


@on_postgres
def test_a_kind_whose_rows_hold_none_of_the_words_is_not_asked(member, cmo, cio):
    snag(member, "Printer jam on floor two")
    pm.Goal.objects.create(title="Printers everywhere", marketing_owner=cmo, it_owner=cio)
    pm.Project.objects.create(name="Badge printrs", summary="Lanyards", marketing_sponsor=cmo, it_sponsor=cio)
    with CaptureQueriesContext(connection) as ctx:
        groups = search.search(member, search.Query.parse("printer"), limit=5)
    assert sorted(g.provider.kind for g in groups) == ["goal", "project", "snag"]  # the project by a typo
    assert len(ctx) == 1 + 3  # the lexicon, then only the three kinds that hold the word or one like it


@on_postgres
def test_a_looser_pass_reads_the_stricter_ones_result_instead_of_searching_again(member):
    snag(member, "CRM export fails")  # every word
    snag(member, "CRM login is slow")  # one word: only the any-word pass would find it
    with CaptureQueriesContext(connection) as ctx:
        found, partial = search.matches(
            Snag.objects.all(), SNAG_SEARCH, search.with_terms(search.Query.parse("crm export")), 5
        )
    assert [s.title for s in found] == ["CRM export fails"] and not partial
    (sql,) = [q["sql"] for q in ctx.captured_queries if "parkinglot_snag" in q["sql"]]
    assert sql.startswith("WITH search_arm_0 AS MATERIALIZED (") and "NOT EXISTS (SELECT 1 FROM search_arm_0)" in sql
    assert sql.count("@@") == 2  # each arm's text search once
