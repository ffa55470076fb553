"""A snag's Markdown is rendered when it is saved; its page shows the stored HTML and never renders Markdown,
so ten thousand ``[`` cost nothing on a page view. Too-long text is a form error or a 422, and nothing is saved."""

from __future__ import annotations

import pytest

from collab.lib import markdown
from parkinglot import services
from parkinglot.models import Comment, Snag

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def no_rendering(monkeypatch):
    """From here on, any call of the renderer fails the request."""

    def boom(*args, **kwargs):
        raise AssertionError("a page view rendered Markdown")

    def arm():
        monkeypatch.setattr(markdown, "render_markdown", boom)
        monkeypatch.setattr(markdown._md, "render", boom)

    return arm


def test_a_snag_of_ten_thousand_brackets_renders_its_page_without_running_markdown(
    client_as, make_snag, member, liaison, no_rendering
):
    snag = make_snag(details="[" * 10_000)
    services.comment_add(snag=snag, author=liaison, body="[" * 10_000)
    no_rendering()
    for path in (snag.get_absolute_url(), f"/snags/review/?code={snag.code}", "/snags/", "/snags/board/"):
        response = client_as(liaison).get(path)
        assert response.status_code == 200, path
    body = client_as(member).get(snag.get_absolute_url()).content.decode()
    assert body.count("[" * 10_000) == 2  # the details and the comment, as text


def test_editing_a_snag_and_a_comment_updates_their_stored_html(client_as, make_snag, member):
    snag = make_snag(details="**first**")
    assert Snag.objects.get(pk=snag.pk).details_html == "<p><strong>first</strong></p>\n"
    response = client_as(member).post(
        f"{snag.get_absolute_url()}edit/",
        {"title": snag.title, "details": "_second_", "impact": "high", "version": snag.version, "days_lost": "0"},
    )
    assert response.status_code == 302
    assert Snag.objects.get(pk=snag.pk).details_html == "<p><em>second</em></p>\n"
    comment = services.comment_add(snag=snag, author=member, body="`one`")
    assert Comment.objects.get(pk=comment.pk).body_html == "<p><code>one</code></p>\n"
    services.comment_edit(comment=comment, by=member, body="~~two~~")
    assert Comment.objects.get(pk=comment.pk).body_html == "<p><s>two</s></p>\n"
    assert "<s>two</s>" in client_as(member).get(snag.get_absolute_url()).content.decode()


def test_too_long_details_or_comment_is_a_clear_form_error_and_nothing_is_saved(client_as, make_snag, member):
    too_long = "[" * 10_001
    for extra in ({}, HX):
        response = client_as(member).post(
            "/snags/new/", {"title": "Long", "impact": "low", "details": too_long}, **extra
        )
        assert response.status_code == 422
        assert "at most 10000 characters (it has 10001)" in response.content.decode()
    assert not Snag.objects.filter(title="Long").exists()
    snag = make_snag()
    response = client_as(member).post(f"{snag.get_absolute_url()}comments/", {"body": too_long}, **HX)
    assert response.status_code == 422 and "at most 10000 characters" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_service_refuses_too_long_details_whoever_calls_it(make_snag, member):
    with pytest.raises(Exception, match="10000"):
        make_snag(details="x" * 10_001)
    assert not Snag.objects.exists()
