"""A cache that never takes the page down: if the cache server is unreachable, compute and carry on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")
log = logging.getLogger("collab.cache")
_MISSING = object()


def cached(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """``compute()`` at most once per ``seconds`` for ``key``; a cache error only costs the computation."""
    try:
        found: Any = cache.get(key, _MISSING)
    except Exception:  # the cache server is down: the page still works
        log.warning("cache unavailable", exc_info=True)
        return compute()
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception:
        log.warning("cache unavailable", exc_info=True)
    return value
