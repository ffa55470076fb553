from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from collab.lib.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Render user Markdown, sanitised: ``{{ snag.details|markdown }}``."""
    return render_markdown(text)
