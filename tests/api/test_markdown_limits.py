"""Too-long Markdown sent to the API is a JSON 422 (never a 500), and nothing is saved."""

from __future__ import annotations

import pytest

from parkinglot import services
from parkinglot.models import Comment, Snag

pytestmark = pytest.mark.django_db


def test_too_long_snag_details_and_comment_are_a_json_422_and_nothing_is_saved(api_as, member, cmo):
    api = api_as(member)
    response = api.post("/api/snags", {"title": "Long", "details": "[" * 10_001}, content_type="application/json")
    assert response.status_code == 422 and response["Content-Type"].startswith("application/json")
    assert "10000" in response.content.decode()
    assert not Snag.objects.exists()
    snag = services.snag_create(raised_by=member, title="Short", impact="low")
    response = api.post(f"/api/snags/{snag.code}/comments", {"body": "[" * 10_001}, content_type="application/json")
    assert response.status_code == 422 and response["Content-Type"].startswith("application/json")
    assert not Comment.objects.exists()


def test_ten_thousand_brackets_fit_and_come_back_as_source_text(api_as, member, cmo):
    response = api_as(member).post(
        "/api/snags", {"title": "Brackets", "details": "[" * 10_000}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["details"] == "[" * 10_000
    assert Snag.objects.get().details_html == "<p>" + "[" * 10_000 + "</p>\n"
