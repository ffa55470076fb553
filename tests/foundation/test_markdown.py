"""User Markdown: a renderer linear on any input, rendered once on save into a stored HTML column, never on a
page view; and a length limit on every Markdown field."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.template import Context, Template, TemplateSyntaxError

from collab.lib import markdown, search
from collab.lib.markdown import MarkdownField, MarkdownHTMLField, html_fields, render_markdown

N = 100_000
#: the inputs that made the renderer before this one (or the search snippets) take quadratic time, or crash
PATHOLOGICAL = {
    "brackets": "[" * N,
    "brackets then closers": "[" * (N // 2) + "]" * (N // 2),
    "nested emphasis": "*" * (N // 2) + "a" + "_" * (N // 2),
    "emphasis runs": "*a " * (N // 3),
    "backticks": "`a``" * (N // 4),
    "links": "[a](" * (N // 4),
    "images": "![" * (N // 2),
    "nested lists": "".join("  " * i + "- a\n" for i in range(300)) + "- a\n" * ((N - 100_000) // 4 + 1),
    "nested quotes": ">" * N,
    "raw html": "<" * N,
    "raw html tags": "<a " * (N // 3),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_the_renderer_finishes_on_each_pathological_input_at_100k_characters(name):
    html = str(render_markdown(PATHOLOGICAL[name]))
    assert html.startswith(("<p>", "<ul>", "<blockquote>", "<pre>"))
    assert "<script" not in html and "<a " not in html.replace('<a href="', "")


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_search_snippets_finish_on_each_pathological_input_at_100k_characters(name):
    query = search.Query.parse("printer")
    text = PATHOLOGICAL[name] + " the printer jams"
    assert "<mark>printer</mark>" in str(search.snippet(query, text, width=160))


def test_the_renderer_keeps_commonmark_tables_and_strikethrough_and_drops_raw_html():
    html = str(render_markdown("**bold** ~~gone~~\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n<b onclick=x>raw</b>"))
    assert "<strong>bold</strong>" in html and "<s>gone</s>" in html
    assert "<table>" in html and "<td>2</td>" in html  # nh3 drops the alignment's style attribute
    assert "<b onclick" not in html and "&lt;b onclick=x&gt;raw&lt;/b&gt;" in html


def test_links_are_sanitised_by_nh3_after_the_renderer():
    html = str(render_markdown("[x](javascript:alert(1)) [y](https://example.org)"))
    assert 'href="javascript' not in html and "[x](javascript:alert(1))" in html  # not a link: left as text
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">y</a>' in html


def test_every_markdown_field_of_every_model_has_its_stored_html_beside_it():
    found = []
    for model in apps.get_models():
        sources = {f.name for f in model._meta.get_fields() if isinstance(f, MarkdownField)}
        assert set(html_fields(model)) == sources, model
        found += [f"{model._meta.label}.{name}" for name in sorted(sources)]
    assert {"parkinglot.Snag.details", "parkinglot.Comment.body", "reviews.TeamInput.text",
            "liaison.Meeting.notes", "projects.RequirementsVersion.text", "projects.ToolRequest.need"} <= set(found)  # fmt: skip


def test_no_template_renders_markdown_and_the_filter_is_gone():
    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [str(p) for p in root.rglob("*.html") if "|markdown" in p.read_text()]
    assert offenders == []
    with pytest.raises(TemplateSyntaxError):
        Template("{% load collab_tags %}{{ text|markdown }}").render(Context({"text": "x"}))


def test_a_model_with_stored_html_must_extend_save_for_update_fields():
    from django.core.exceptions import ImproperlyConfigured
    from django.db import models

    with pytest.raises(ImproperlyConfigured, match="RendersMarkdown"):

        class Careless(models.Model):  # noqa: DJ008 - never made: its definition is refused
            text = MarkdownField()
            text_html = MarkdownHTMLField(source="text")

            class Meta:
                app_label = "parkinglot"


@pytest.mark.django_db
def test_save_bulk_create_update_fields_and_update_all_fill_the_stored_html(member):
    from parkinglot.models import Snag
    from parkinglot.services import snag_create

    snag = snag_create(raised_by=member, title="t", details="**one**", impact="low")
    assert Snag.objects.get(pk=snag.pk).details_html == "<p><strong>one</strong></p>\n"
    snag.details = "_two_"
    snag.save(update_fields=["details"])
    assert Snag.objects.get(pk=snag.pk).details_html == "<p><em>two</em></p>\n"
    Snag.objects.filter(pk=snag.pk).update(**markdown.with_html(Snag, {"details": "`three`"}))
    assert Snag.objects.get(pk=snag.pk).details_html == "<p><code>three</code></p>\n"
    copy = Snag.objects.get(pk=snag.pk)
    copy.pk, copy.code, copy.details = None, "SNAG-10", "# h\n\n### kept"
    [made] = Snag.objects.bulk_create([copy])
    assert Snag.objects.get(pk=made.pk).details_html == "h\n<h3>kept</h3>\n"  # h1 is not allowed; its text stays


def test_the_stored_html_reads_back_safe_for_templates():
    field = MarkdownHTMLField(source="x")
    assert Template("{{ v }}").render(Context({"v": field.from_db_value("<p>a</p>", None, None)})) == "<p>a</p>"


def test_a_markdown_field_refuses_text_over_its_limit_in_full_clean():
    field = MarkdownField(max_length=10)
    field.clean("x" * 10, None)
    with pytest.raises(ValidationError, match="at most 10 characters"):
        field.clean("x" * 11, None)
