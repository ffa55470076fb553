from __future__ import annotations

import json
from typing import Any

from django import template

# No Markdown filter: user Markdown is rendered once, when it is saved, into a ``*_html`` field beside it
# (``collab.lib.markdown``); templates show that field and never render Markdown on a page view.
register = template.Library()


@register.filter(name="to_json")
def to_json(value: Any) -> str:
    """JSON for a ``data-*`` attribute; the template's autoescaping makes it safe there."""
    return json.dumps(value, default=str)


SAFE_SCHEMES = ("http://", "https://", "mailto:")


@register.filter(name="safe_url")
def safe_url(value: Any) -> str:
    """A link a user typed, kept only if it is a web or mail address or a path on this site; anything else
    (``javascript:``, ``data:``, protocol-relative ``//``) becomes ``#``."""
    url = str(value or "").strip()
    squashed = "".join(ch for ch in url if ch.isprintable() and not ch.isspace()).lower()
    if squashed.startswith(SAFE_SCHEMES) or (url.startswith("/") and not url.startswith("//")):
        return url
    if url.startswith(("#", "?")):
        return url
    return "#"


@register.filter(name="md_text")
def md_text_filter(value: object) -> str:
    """User text inside a Markdown export: shown as typed, never as HTML or Markdown (``collab.lib.mdtext``)."""
    from collab.lib.mdtext import md_text

    return md_text(value)
