"""Plain text written into a Markdown document (exports), so that any Markdown viewer shows it as typed.

``&``, ``<`` and ``>`` become entities (no raw HTML survives, and CommonMark and Python-Markdown both decode
entities back to the character); every other ASCII punctuation character that Markdown gives a meaning to is
backslash-escaped, so a title cannot start a heading, a list, a quote, a table cell, a link or emphasis.
Newlines stay; a line break never lets the next line start a block of its own.
"""

from __future__ import annotations

import re

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:\"'$%^])")


def md_text(value: object) -> str:
    """``value`` as Markdown text that renders as exactly that text (see the module doc)."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = "".join(_ENTITIES.get(ch, ch) for ch in text)
    # leading spaces would make an indented code block; a trailing double space a hard break: neither matters as
    # text, so trim each line
    return "\n".join(line.strip() for line in text.split("\n"))
