"""Search everywhere: the registry every app adds its own search to, the query parser, the database matching
and the safe snippets. Floor 0: it knows no app; each app registers a ``Provider`` in its ``AppConfig.ready()``
through the ``search.providers`` hook, and the search page (``collab.dashboard``) asks them all.

How a provider matches (``matches``):

- **Postgres.** Each searchable table has a stored ``search_vector`` column (``GENERATED ALWAYS AS … STORED``,
  added by a Postgres-only migration and invisible to the ORM) that weighs the title ``A`` above the body ``B``,
  with a GIN index, and a ``pg_trgm`` GIN index on the title. A plain query (no quotes, ``-word`` or ``or``)
  matches every word, the last one as a prefix (``crm exp`` finds "CRM export"), ranked by ``ts_rank`` plus the
  title's trigram word-similarity; when no kind matches, a second pass lets each word be a typo of a word of the
  title (``crm exprt``, through the trigram index), and when that finds nothing either, a third accepts any of
  the words (the hits are marked ``partial``). ``search`` runs each pass across every kind before the next, so
  the common case is one query per kind whatever the data size (three per kind when nothing is found at all).
  A query with websearch syntax goes to ``websearch_to_tsquery`` (one query per kind).
- **Elsewhere (SQLite, the embedded default)** — the documented fallback: each word is a case-insensitive
  substring of the title or a body field (``-word`` excludes, quotes and ``or`` are ignored); title matches
  first, then newest. No stemming, no typo tolerance; SQLite folds case for ASCII letters only.

Snippets are built here, never from HTML: user text is escaped first and only then are the matches wrapped in
``<mark>``, so the only markup in a snippet is ours.

Adding a kind (e.g. the technology register): give its table a ``search_vector`` column in a migration
(copy any app's search migration), then in its ``AppConfig.ready()``::

    search.register(search.Provider(kind="tool", label="Tools", order=70, search=selectors.search_tools))

where ``search_tools(user, query, limit)`` filters to what ``user`` may see, calls ``matches`` and returns
``Hit``s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import connection
from django.db.models import BooleanField, Case, FloatField, Model, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from collab.lib import hooks

HOOK = "search.providers"
MIN_LENGTH = 2
MAX_LENGTH = 200
CONFIG = "english"
M = TypeVar("M", bound=Model)
_WORD = re.compile(r"[^\W_]+")
_OPERATORS = re.compile(r'"|(?:^|\s)-\w|(?:^|\s)or(?:\s|$)', re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    """A search as typed, and what the matchers need from it."""

    text: str
    words: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    plain: bool = True
    #: which pass of a plain query on Postgres to run: "all" words, a "typo" of them, "any" word; "" = each in
    #: turn until one finds something (``search`` runs them across every provider at once: see there)
    stage: str = ""

    @classmethod
    def parse(cls, raw: str | None) -> Query:
        text = " ".join((raw or "").split())[:MAX_LENGTH]
        plain = not _OPERATORS.search(text)
        words: list[str] = []
        excluded: list[str] = []
        for token in text.replace('"', " ").split():
            if token.lower() == "or" and not plain:
                continue
            target = excluded if token.startswith("-") and len(token) > 1 else words
            target.extend(w.lower() for w in _WORD.findall(token))
        return cls(text=text, words=tuple(dict.fromkeys(words)), excluded=tuple(dict.fromkeys(excluded)), plain=plain)

    @property
    def usable(self) -> bool:
        """Long enough to search: two characters, and at least one word."""
        return len(self.text) >= MIN_LENGTH and bool(self.words)


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    code: str = ""
    title_html: SafeString = field(default_factory=lambda: mark_safe(""))  # noqa: S308 - empty
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))  # noqa: S308 - empty
    status: str = ""
    date: date | datetime | None = None
    rank: float = 0.0
    partial: bool = False
    context: str = ""  # where it lives, e.g. "QBR 2026 Q3" or "Customer data platform"


def hit(row: Any, query: Query, partial: bool, *, kind: str, title: str, **fields: Any) -> Hit:
    """A ``Hit`` for a row ``matches`` found: its rank, whether it matched only some words, and its title with the
    matches marked (pass ``title_html`` to mark it otherwise). Providers give the rest: url, snippet, status…"""
    fields.setdefault("title_html", highlight(title, query))
    return Hit(kind=kind, title=title, rank=float(getattr(row, "search_rank", 0.0)), partial=partial, **fields)


@dataclass(frozen=True)
class Provider:
    """One kind of thing to find. ``search(user, query, limit)`` returns at most ``limit`` hits, best first,
    only of things ``user`` may open."""

    kind: str
    label: str
    search: Callable[[Any, Query, int], list[Hit]]
    order: int = 100
    do_not_call_in_templates = True  # a class attribute, not a field: templates read the label, never call it

    def __call__(self, user: Any, query: Query, limit: int) -> list[Hit]:
        return self.search(user, query, limit)


def register(provider: Provider) -> None:
    hooks.provide(HOOK, provider)


def providers() -> list[Provider]:
    found = [p for p in hooks.providers(HOOK) if isinstance(p, Provider)]
    return sorted(found, key=lambda p: (p.order, p.kind))


@dataclass
class Group:
    provider: Provider
    hits: list[Hit]
    more: bool

    @property
    def partial(self) -> bool:
        return all(h.partial for h in self.hits)

    @property
    def best(self) -> float:
        return max((h.rank for h in self.hits), default=0.0)


def search(user: Any, query: Query, *, limit: int, kind: str = "") -> list[Group]:
    """Every provider's best ``limit`` hits (or one provider's, with ``kind``): groups that hold every word first,
    then by their best rank."""
    if not query.usable:
        return []
    # A plain query on Postgres runs its passes across every kind at once: the typo pass only when no kind holds
    # every word, the any-word pass only when no kind holds a typo either. One query per kind in the common case
    # (the page stays within its query budget), and no kind shows loose matches beside another's exact ones.
    stages = ("all", "typo", "any") if query.plain and connection.vendor == "postgresql" else ("",)
    groups: list[Group] = []
    for stage in stages:
        staged = replace(query, stage=stage)
        for provider in providers():
            if kind and provider.kind != kind:
                continue
            hits = provider(user, staged, limit + 1)
            if hits:
                groups.append(Group(provider, hits[:limit], more=len(hits) > limit))
        if groups:
            break
    order = {p.kind: i for i, p in enumerate(providers())}
    return sorted(groups, key=lambda g: (g.partial, -g.best, order[g.provider.kind]))


# --- matching -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Columns:
    """Where a model's text lives. ``vector`` and ``title_sql`` are SQL (Postgres) on the queryset's tables;
    ``title`` and ``body`` are ORM paths for the fallback."""

    vector: str
    title_sql: str
    title: str
    body: Sequence[str] = ()
    tiebreak: Sequence[str] = ("-pk",)


# English words too common to search by (Postgres' english configuration drops them from a tsquery too)
STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is of on or that the this to was were with".split()
)
TRIGRAM_THRESHOLD = 0.5


def trigram_threshold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new Postgres connection: how alike a word must be to a title's word (``<%``) to count as a typo
    of it ("exprt" ~ "export" is 0.5; pg_trgm's default is 0.6). Connected in ``collab.lib``'s ``ready()``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET pg_trgm.word_similarity_threshold = {TRIGRAM_THRESHOLD}")


def _terms(query: Query) -> list[str]:
    return [w for w in query.words if w not in STOPWORDS] or list(query.words)


def matches(qs: QuerySet[M], cols: Columns, query: Query, limit: int) -> tuple[list[M], bool]:
    """The best ``limit`` rows of ``qs`` for ``query`` (each with ``.search_rank``), and whether they match only
    some of the words. One query for a staged query (``query.stage``), at most three otherwise."""
    if not query.usable:
        return [], False
    if connection.vendor != "postgresql":
        return _fallback(qs, cols, query, limit), False
    if not query.plain:
        tsquery = f"websearch_to_tsquery('{CONFIG}', %s)"
        where = RawSQL(f"{cols.vector} @@ {tsquery}", (query.text,), output_field=BooleanField())  # noqa: S611
        rank = RawSQL(f"ts_rank({cols.vector}, {tsquery})", (query.text,), output_field=FloatField())  # noqa: S611
        return _ranked(qs, cols, where, rank, limit), False
    terms = _terms(query)
    # 1. every word is in the text, the last one as a prefix (as you type): the GIN index alone, fast at any size
    every_word = " & ".join(terms) + ":*"
    if query.stage in ("", "all"):
        found = _fts(qs, cols, every_word, query.text, limit)
        if found or query.stage:
            return found, False
    # 2. a typo: each word is in the text or like a word of the title (the trigram index; only when 1 found none,
    #    since the similarity test costs far more than the full-text one)
    conditions, params = [], []
    for i, word in enumerate(terms):
        prefix = ":*" if i == len(terms) - 1 else ""
        if len(word) >= 3:
            conditions.append(f"({cols.vector} @@ to_tsquery('{CONFIG}', %s) OR %s <%% {cols.title_sql})")
            params += [word + prefix, word]
        else:
            conditions.append(f"{cols.vector} @@ to_tsquery('{CONFIG}', %s)")
            params.append(word + prefix)
    if query.stage in ("", "typo") and any(len(w) >= 3 for w in terms):
        where = RawSQL(" AND ".join(conditions), params, output_field=BooleanField())  # noqa: S611 - words are params
        rank = RawSQL(  # noqa: S611
            f"ts_rank({cols.vector}, to_tsquery('{CONFIG}', %s)) + word_similarity(%s, {cols.title_sql})",
            (every_word, query.text),
            output_field=FloatField(),
        )
        found = _ranked(qs, cols, where, rank, limit)
        if found or len(terms) < 2 or query.stage:
            return found, False
    if len(terms) < 2 or query.stage not in ("", "any"):
        return [], False
    # 3. nothing holds every word: any of them will do, marked as a partial match
    return _fts(qs, cols, " | ".join(terms) + ":*", None, limit), True


def _fts(qs: QuerySet[M], cols: Columns, tsquery_text: str, title_like: str | None, limit: int) -> list[M]:
    """Rows whose vector matches ``tsquery_text`` (``to_tsquery`` syntax of safe words), by ``ts_rank``; with
    ``title_like``, plus how alike the title is to it (cheap on the few matched rows)."""
    tsquery = f"to_tsquery('{CONFIG}', %s)"
    where = RawSQL(f"{cols.vector} @@ {tsquery}", (tsquery_text,), output_field=BooleanField())  # noqa: S611
    if title_like is None:
        rank = RawSQL(f"ts_rank({cols.vector}, {tsquery})", (tsquery_text,), output_field=FloatField())  # noqa: S611
    else:
        rank = RawSQL(  # noqa: S611
            f"ts_rank({cols.vector}, {tsquery}) + word_similarity(%s, {cols.title_sql})",
            (tsquery_text, title_like),
            output_field=FloatField(),
        )
    return _ranked(qs, cols, where, rank, limit)


def _ranked(qs: QuerySet[M], cols: Columns, where: RawSQL, rank: RawSQL, limit: int) -> list[M]:
    return list(qs.filter(where).annotate(search_rank=rank).order_by("-search_rank", *cols.tiebreak)[:limit])


def _fallback(qs: QuerySet[M], cols: Columns, query: Query, limit: int) -> list[M]:
    fields = (cols.title, *cols.body)
    in_title = Q()
    for word in query.words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        qs = qs.filter(any_field)
        in_title &= Q(**{f"{cols.title}__icontains": word})
    for word in query.excluded:
        for name in fields:
            qs = qs.exclude(**{f"{name}__icontains": word})
    rank = Case(When(in_title, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    return list(qs.annotate(search_rank=rank).order_by("-search_rank", *cols.tiebreak).distinct()[:limit])


# --- snippets -----------------------------------------------------------------------------------------------
_MARKDOWN = re.compile(r"[*_`#>|~]+|!?\[([^\]]*)\]\([^)]*\)")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    stems = sorted({_stem(w) for w in words if len(w) >= 2}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def plain_text(text: str) -> str:
    """Markdown source as one line of plain words (links keep their text)."""
    return " ".join(_MARKDOWN.sub(lambda m: m.group(1) or "", text or "").split())


def highlight(text: str, query: Query, *, width: int = 0, markdown: bool = False) -> SafeString:
    """``text`` escaped, with each word of the query (and its endings) in ``<mark>``. With ``width``, a window of
    about that many characters around the first match (or the start), with ellipses. ``markdown``: the text is
    Markdown source; its marks are dropped first."""
    text = plain_text(text) if markdown else " ".join((text or "").split())
    pattern = _pattern(query.words)
    found = pattern.search(text) if pattern else None
    if width and len(text) > width:
        start = 0 if found is None else max(0, found.start() - width // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < found.start() else start  # type: ignore[union-attr]
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        text = ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of user text is escaped above


def snippet(query: Query, *texts: str, width: int = 160) -> SafeString:
    """A window of the first text that holds a match (else of the first non-empty one)."""
    pattern = _pattern(query.words)
    chosen = next((t for t in texts if t and pattern and pattern.search(plain_text(t))), None)
    chosen = chosen or next((t for t in texts if t), "")
    return highlight(chosen, query, width=width, markdown=True)
