"""The QBR Markdown export shows user text as typed: no payload becomes HTML or Markdown in any viewer."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from collab.lib.mdtext import md_text
from reviews import exports, services
from tests.security.xss import PAYLOADS, executable_markup

pytestmark = pytest.mark.django_db


def _renderings(text: str) -> list[str]:
    """Any Markdown viewer: CommonMark with raw HTML passed through (the most permissive), and GFM-like."""
    return [
        MarkdownIt("commonmark", {"html": True}).render(text),
        MarkdownIt("gfm-like", {"html": True, "linkify": False}).render(text),
    ]


def test_every_payload_in_agenda_titles_renders_as_text(review, member):
    for i, payload in enumerate(PAYLOADS[:60]):
        services.item_add(
            review=review, by=member, title=payload[:200], kind="update", team="joint", presenter=None,
            time_box_minutes=1, notes=payload,
        )  # fmt: skip
        del i
    document = exports.markdown(review, member)
    assert "<img" not in document and "<script" not in document.lower()
    for html in _renderings(document):
        assert executable_markup(html) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_text_leaves_no_executable_markup_in_any_renderer(payload):
    for html in _renderings(f"- {md_text(payload)}\n\n{md_text(payload)}\n"):
        assert executable_markup(html) == [], payload


@pytest.mark.parametrize(
    "text", ["# Not a heading", "- not a list", "1. not a list", "> not a quote", "**not bold**", "[x](http://e.x)",
             "a | b", "<b>x</b> & y", "`code`"],
)  # fmt: skip
def test_markdown_controls_render_as_the_characters_typed(text):
    for html in _renderings(md_text(text)):
        assert html.strip().startswith("<p>") and html.count("<") == 2, html  # one paragraph, no other element
