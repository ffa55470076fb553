"""User text is Markdown: rendered once, when it is saved, then cleaned with nh3. Never trust it as HTML.

The renderer is markdown-it-py (CommonMark, plus tables and strikethrough, raw HTML off): its time is linear in
the length of the text whatever the text holds (a run of ten thousand ``[`` included), which the renderer before
it was not. Pages never render Markdown: each Markdown field has a ``MarkdownHTMLField`` beside it that holds the
sanitised HTML, filled on every write:

- ``save()`` and ``bulk_create()`` fill it themselves (the field's ``pre_save``);
- ``save(update_fields=[...])`` on a ``RendersMarkdown`` model adds the HTML field of each source it names;
- ``QuerySet.update()`` skips both, so a service that writes a source that way passes its values through
  ``with_html(Model, {...})``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import nh3
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",  # markdown-it writes ~~strikethrough~~ as <s>
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

#: the longest Markdown text a person may save in one field (a form says so; the API answers 422)
MAX_LENGTH = 10_000
#: the longest plain free text (a note, a reason) that is not Markdown
MAX_PLAIN_LENGTH = 5_000

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def render_markdown(text: str | None) -> SafeString:
    """Markdown → HTML → sanitised HTML, safe to put in a template. Linear in ``len(text)``."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    clean = nh3.clean(
        _md.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - cleaned by nh3 just above


class MarkdownHTMLField(models.TextField):  # type: ignore[type-arg]
    """The sanitised HTML of the Markdown field ``source`` of the same model, rendered whenever the row is written.
    Templates show it with ``{{ obj.source_html }}`` (it is stored already clean, so it is marked safe on read)."""

    description = "Sanitised HTML rendered from a Markdown field"

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("blank", True), ("editable", False), ("default", "")):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        # historical models in migrations have plain bases; the real ones must extend save(update_fields=...)
        if cls.__module__ != "__fake__" and not issubclass(cls, RendersMarkdown):
            raise ImproperlyConfigured(
                f"{cls.__name__}.{name}: a model with a MarkdownHTMLField extends RendersMarkdown"
            )

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        html = render_markdown(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, html)
        return html

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> SafeString:
        return mark_safe(value or "")  # noqa: S308 - written only by pre_save/with_html, i.e. cleaned by nh3


def html_fields(model: type[models.Model] | models.Model) -> dict[str, str]:
    """``{source: html field name}`` of each Markdown field of ``model``."""
    return {f.source: f.name for f in model._meta.get_fields() if isinstance(f, MarkdownHTMLField)}


def with_html(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` for ``QuerySet.update()``, plus the rendered HTML of each Markdown source among them."""
    out = dict(values)
    for source, html_name in html_fields(model).items():
        if source in values:
            out[html_name] = render_markdown(values[source])
    return out


class RendersMarkdown:
    """Mixin for a model with ``MarkdownHTMLField``s: ``save(update_fields=[source])`` also saves its HTML."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields: Iterable[str] | None = kwargs.get("update_fields")
        if update_fields is not None:
            named = set(update_fields)
            extra = [html for source, html in html_fields(type(self)).items() if source in named and html not in named]  # type: ignore[arg-type]
            kwargs["update_fields"] = [*named, *extra]
        super().save(*args, **kwargs)  # type: ignore[misc]


class MarkdownField(models.TextField):  # type: ignore[type-arg]
    """A Markdown source: a text of at most ``max_length`` characters (``MAX_LENGTH`` unless told), a limit that
    ``full_clean`` checks as well as every form (a plain ``TextField`` leaves it to the form alone)."""

    description = "Markdown text"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == MAX_LENGTH:
            del kwargs["max_length"]
        return name, path, args, kwargs


def fill_html_operation(app_label: str, *model_names: str) -> Any:
    """A data migration's ``RunPython`` that renders the stored HTML of every row of these models from its
    Markdown sources (the historical models keep their ``MarkdownHTMLField``s, so the sources are known)."""
    from django.db import migrations

    def fill(apps: Any, schema_editor: Any) -> None:
        for model_name in model_names:
            model = apps.get_model(app_label, model_name)
            fields = html_fields(model)
            batch: list[Any] = []
            for row in model._default_manager.using(schema_editor.connection.alias).only("pk", *fields).iterator(500):
                for source, html_name in fields.items():
                    setattr(row, html_name, render_markdown(getattr(row, source)))
                batch.append(row)
                if len(batch) >= 500:
                    model._default_manager.bulk_update(batch, list(fields.values()))
                    batch = []
            if batch:
                model._default_manager.bulk_update(batch, list(fields.values()))

    return migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)
