"""Stored text that names a snag (an agenda item made from a parked snag, its history line) is shown only to
people who may open that snag: everyone else sees a placeholder.

The parking lot answers which texts name a snag the viewer may not open (the ``snags.hidden_in`` hook), so
apps on any floor hide them without importing it; with no parking lot installed nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from collab.lib import hooks

PLACEHOLDER = "A snag you cannot open"


def names_hidden_snag(user: Any, texts: list[str]) -> list[bool]:
    """For each text, whether it names a snag ``user`` may not open (one query for all of them)."""
    answer: list[bool] | None = hooks.first("snags.hidden_in", user, texts, default=None)
    return answer if answer is not None else [False] * len(texts)


def hide(user: Any, objects: Iterable[Any], fields: tuple[str, ...], placeholder: str = PLACEHOLDER) -> int:
    """Blank, in memory only (never saved), the ``fields`` of each object whose fields name a snag ``user``
    may not open: the first field becomes ``placeholder``, the others empty (their stored ``*_html`` too).
    Marks each hidden object ``hides_snag = True`` and answers how many there were."""
    rows = list(objects)
    texts = [" ".join(str(getattr(o, f, "") or "") for f in fields) for o in rows]
    hidden = 0
    for obj, secret in zip(rows, names_hidden_snag(user, texts), strict=True):
        obj.hides_snag = secret
        if not secret:
            continue
        hidden += 1
        for i, name in enumerate(fields):
            setattr(obj, name, placeholder if i == 0 else "")
            if hasattr(obj, f"{name}_html"):
                setattr(obj, f"{name}_html", "")
    return hidden
