from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.safestring import SafeString

from collab.lib.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Render user Markdown, sanitised: ``{{ snag.details|markdown }}``."""
    return render_markdown(text)


@register.filter(name="to_json")
def to_json(value: Any) -> str:
    """JSON for a ``data-*`` attribute; the template's autoescaping makes it safe there."""
    return json.dumps(value, default=str)
