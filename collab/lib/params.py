"""Reading integers and choices from a query string or a form by hand, one way everywhere: a value that is not
what the page expects is ignored (the default comes back) or, with ``strict=True``, a 400 — never a 500.

Only ASCII digits count. ``str.isdigit()`` and ``str.isdecimal()`` accept digits of every script (``²``, ``٣``,
``①``, full-width ``３``) and ``int()`` refuses some of those and silently converts others, so neither is a test
for "a number someone typed in a URL"::

    page = int_param(request.GET, "page", default=1, min=1, max=pages)
    owner = id_param(request.GET, "owner")                      # None unless a positive id
    show = choice_param(request.GET, "show", ("all", "unread"), default="all")
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from django.core.exceptions import BadRequest

T = TypeVar("T")

#: the largest id a URL may name: Postgres' ``bigint`` (and SQLite's integer); past it a lookup would overflow
MAX_ID = 2**63 - 1
#: the last page a list page or the API pages to (past it, the page is not a number the page can mean)
MAX_PAGE = 100_000
#: an optional sign and at most 19 ASCII digits (nothing may be longer than ``MAX_ID``)
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(raw: Any, *, min: int | None = None, max: int | None = None) -> int | None:  # noqa: A002
    """``raw`` as an int if it is one written in ASCII digits (spaces around allowed) within ``min``..``max``;
    else None."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    if (min is not None and value < min) or (max is not None and value > max):
        return None
    return value


def _raw(data: Mapping[str, Any], name: str) -> Any:
    return data.get(name)


def int_param(
    data: Mapping[str, Any],
    name: str,
    *,
    default: T,
    min: int | None = None,  # noqa: A002
    max: int | None = None,  # noqa: A002
    clamp: bool = False,
    strict: bool = False,
) -> int | T:
    """``data[name]`` as an int in ``min``..``max``; ``default`` when missing or not a number. ``clamp`` brings a
    number out of range to the nearest bound (a page past the end shows the last page); without it an
    out-of-range number counts as bad. ``strict`` turns a bad value into a 400 (``BadRequest``)."""
    raw = _raw(data, name)
    if raw in (None, ""):
        return default
    value = parse_int(raw)
    if value is not None and clamp:
        value = value if min is None else (min if value < min else value)
        value = value if max is None else (max if value > max else value)
    elif value is not None and ((min is not None and value < min) or (max is not None and value > max)):
        value = None
    if value is None:
        if strict:
            raise BadRequest(f"The {name} parameter must be a whole number.")
        return default
    return value


def id_param(data: Mapping[str, Any], name: str, *, strict: bool = False) -> int | None:
    """``data[name]`` as a row id (1..``MAX_ID``), else None (or a 400 with ``strict``)."""
    return int_param(data, name, default=None, min=1, max=MAX_ID, strict=strict)


def id_list(values: Collection[Any]) -> list[int] | None:
    """Every value a row id (``request.POST.getlist("order")``), or None if any is not one."""
    ids = [parse_int(v, min=1, max=MAX_ID) for v in values]
    return None if any(i is None for i in ids) else [i for i in ids if i is not None]


def choice_param(
    data: Mapping[str, Any], name: str, choices: Collection[str], *, default: str = "", strict: bool = False
) -> str:
    """``data[name]`` if it is one of ``choices``; else ``default`` (or a 400 with ``strict``)."""
    raw = _raw(data, name)
    if raw in (None, ""):
        return default
    if isinstance(raw, str) and raw in choices:
        return raw
    if strict:
        raise BadRequest(f"Unknown value for {name}.")
    return default
