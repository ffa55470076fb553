"""One page of a long list, in the shape every REST API list answers with: the total, the page, how many pages,
and the page's items."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.paginator import Paginator
from django.db.models import QuerySet

T = TypeVar("T")


def page_of(
    rows: QuerySet[Any] | Sequence[Any], *, page: int, page_size: int, item: Callable[[Any], T]
) -> dict[str, Any]:
    """``count``, ``page``, ``pages`` and ``items`` (each row through ``item``) for a ``*Page`` schema. A page past
    the end is the last one, as on the pages (``Paginator.get_page``)."""
    paginator = Paginator(rows, page_size)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [item(row) for row in current.object_list],
    }
