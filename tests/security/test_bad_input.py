"""The inputs that were server errors (issue 22, finding 9), each exactly as it was found, and the classes behind
them: integers and choices read by hand (``collab.lib.params``), search text handed to Postgres' tsquery parser
(``search.websearch_text``), and API errors that came back as HTML."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client

from collab.lib import params, search
from parkinglot import services as snag_services
from reviews import pulse
from reviews import services as review_services

pytestmark = pytest.mark.django_db

DASHES = "-" * 40
SUPERSCRIPT_TWO = "\u00b2"  # "²": ``"²".isdigit()`` is True and ``int("²")`` raises


@pytest.fixture
def snag(member):
    return snag_services.snag_create(raised_by=member, title="The CRM export stalls every Monday")


@pytest.mark.parametrize(
    "url",
    [
        "/snags/?q=" + "-" * 33,
        '/search/?q="a" ' + DASHES,
        f"/projects/ranking/?page={SUPERSCRIPT_TWO}",
        f"/projects/ranking/?move={SUPERSCRIPT_TWO}",
        f"/snags/?owner={SUPERSCRIPT_TWO}",
        f"/snags/?project={SUPERSCRIPT_TWO}",
        f"/snags/export.csv?owner={SUPERSCRIPT_TWO}",
    ],
)
def test_the_reported_get_inputs_answer_200(client_as, member, snag, url):
    assert client_as(member).get(url).status_code == 200


def test_the_suggestions_take_an_operator_run(client_as, member, snag):
    response = client_as(member).get("/search/suggest/", {"q": "a or " + DASHES}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_a_unicode_digit_filter_is_ignored_with_a_note(client_as, member, snag):
    response = client_as(member).get("/snags/", {"owner": "\u0663", "status": "all"})  # "٣": int() would take it
    assert response.status_code == 200
    assert "The owner filter must be a number; ignored." in response.content.decode()
    assert snag.code in response.content.decode()


def test_posting_a_unicode_page_to_the_ranking_is_no_server_error(client_as, cmo):
    response = client_as(cmo).post("/projects/ranking/", {"page": SUPERSCRIPT_TWO, "reason": "x", "version": 0})
    assert response.status_code == 422  # no order: the form's own error, shown on page 1


def test_a_pulse_answer_named_with_a_unicode_digit_is_refused_whole(client_as, cmo, cio, liaison, member):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False):
        review = review_services.review_create(
            by=cmo, year=2026, quarter=4, scheduled_at=datetime(2026, 12, 10, 13, 0, tzinfo=UTC), length_minutes=60,
            location="Room", facilitator=liaison, attendees=[cmo, cio, member],
        )  # fmt: skip
        p = pulse.pulse_open(review=review, by=liaison)
        question = p.questions.first()
        response = client_as(member).post(f"/pulse/{p.pk}/", {f"q{SUPERSCRIPT_TWO}": "1", f"q{question.pk}": "4"})
    assert response.status_code == 422
    assert p.answers.count() == 0


def test_the_api_snag_search_takes_a_dash_run(api_as, member, snag):
    response = api_as(member).get("/api/snags", {"q": "-" * 33, "status": "all"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


# --- the parsing helper ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw", ["\u00b2", "\u0663", "\u2460", "\uff13", "1\u00b2", "", " ", "1.0", "1e3", "0x10", "1_000", "\x00", "9" * 20]
)
def test_only_ascii_digits_are_a_number(raw):
    assert params.parse_int(raw) is None
    assert params.int_param({"page": raw}, "page", default=7) == 7


def test_int_param_bounds_clamps_and_refuses():
    from django.core.exceptions import BadRequest

    assert params.int_param({"page": " 12 "}, "page", default=1, min=1, max=50) == 12
    assert params.int_param({"page": "-3"}, "page", default=1, min=1) == 1
    assert params.int_param({"page": "900"}, "page", default=1, min=1, max=50, clamp=True) == 50
    assert params.id_param({"owner": str(2**63)}, "owner") is None
    assert params.id_list(["3", "1"]) == [3, 1] and params.id_list(["3", "\u00b2"]) is None
    assert params.choice_param({"show": ["unread"]}, "show", ("all", "unread"), default="all") == "all"
    with pytest.raises(BadRequest):
        params.int_param({"to": "\u00b2"}, "to", default=1, strict=True)


def test_a_bad_version_in_the_diff_is_a_400(client_as, member, cmo, cio):
    from collab.projects.models import Project

    project = Project.objects.create(name="CDP", marketing_sponsor=cmo, it_sponsor=cio, status="requirements", rank=1)
    project.requirement_versions.create(number=1, text="v1", created_by=cmo)
    assert client_as(member).get(f"/projects/{project.pk}/requirements/diff/?to={SUPERSCRIPT_TWO}").status_code == 400


# --- search text ------------------------------------------------------------------------------
HOSTILE_SEARCHES = [
    "-" * 33,
    '"a" ' + DASHES,
    "a or " + DASHES,
    " or " * 20,
    '""""',
    "<-> <-> a <-> b",
    "a " + "-" * 100 + "b",
    '"' + " ".join(["word"] * 60) + '"',
    "-" + "-a " * 60,
    "a | b & !c (d) :* 'e'",
    "x\x00y\x07z",
    "crm " * 5000,
]


@pytest.mark.parametrize("raw", HOSTILE_SEARCHES)
def test_websearch_text_is_always_something_postgres_parses(raw):
    text = search.websearch_text(raw)
    assert len(text) <= search.MAX_LENGTH and "\x00" not in text
    assert len(search._WORD.findall(text)) <= search.MAX_TERMS
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT websearch_to_tsquery('english', %s)::text", [text])


def test_websearch_text_keeps_what_people_mean():
    assert search.websearch_text('"crm export" or slack -teams') == '"crm export" or slack -teams'
    assert search.websearch_text("--crm or or or export or") == "-crm or export"
    assert search.websearch_text("e-mail") == '"e mail"'


@pytest.mark.parametrize("raw", HOSTILE_SEARCHES[:8])
def test_hostile_searches_answer_200_everywhere(client_as, api_as, member, snag, raw):
    client = client_as(member)
    for url in ("/snags/", "/search/"):
        assert client.get(url, {"q": raw, "status": "all"}).status_code == 200, url
    assert client.get("/search/suggest/", {"q": raw}, HTTP_HX_REQUEST="true").status_code == 200
    api = api_as(member).get("/api/snags", {"q": raw})
    assert api.status_code == (200 if len(raw) <= 200 else 422)  # the API's q is at most 200 characters


def test_an_operator_run_still_finds_the_words_around_it(client_as, member, snag):
    if connection.vendor != "postgresql":
        pytest.skip("the snag list's SQLite fallback matches the text as one substring")
    body = client_as(member).get("/snags/", {"q": "crm " + DASHES + " export", "status": "all"}).content.decode()
    assert snag.code in body


# --- API errors are JSON ----------------------------------------------------------------------
def _json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response["Content-Type"])
    return json.loads(response.content)


def test_api_errors_are_json(api_as, member, snag):
    client = api_as(member)
    assert client.get("/api/no-such-path").status_code == 404
    assert _json(client.get("/api/no-such-path"))["detail"]
    assert client.get("/api/snags/SNAG-999999").status_code == 404
    _json(client.get("/api/snags/SNAG-999999"))
    wrong_method = client.delete("/api/snags")
    assert wrong_method.status_code == 405 and "GET" in wrong_method["Allow"]
    _json(wrong_method)
    invalid = client.get("/api/snags", {"page": SUPERSCRIPT_TWO})
    assert invalid.status_code == 422 and _json(invalid)["detail"][0]["loc"][-1] == "page"
    not_json = client.post("/api/snags", "{not json", content_type="application/json")
    assert not_json.status_code == 400
    _json(not_json)
    nul = client.get("/api/snags", {"q": "a\x00"})
    assert nul.status_code == 400
    _json(nul)


def test_an_api_server_error_is_json_and_logged(token_for, member, monkeypatch, caplog):
    from parkinglot import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "snag_list", broken)
    client = Client(headers={"Authorization": f"Bearer {token_for(member)}"}, raise_request_exception=False)
    response = client.get("/api/snags")
    assert response.status_code == 500
    assert _json(response) == {"detail": "Server error."}
    assert any(r.getMessage() == "api server error" for r in caplog.records)


def test_a_server_error_outside_the_api_handlers_is_json_under_api(rf):
    from collab.views import server_error

    assert server_error(rf.get("/api/snags"))["Content-Type"].startswith("application/json")
    assert server_error(rf.get("/snags/"))["Content-Type"].startswith("text/html")
