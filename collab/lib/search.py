"""Search everywhere: the registry every app adds its own search to, the query parser, the database matching
and the safe snippets. Floor 0: it knows no app; each app registers a ``Provider`` in its ``AppConfig.ready()``
through the ``search.providers`` hook, and the search page (``collab.dashboard``) asks them all.

How a provider matches (``matches``):

- **Postgres.** Each searchable table has a stored ``search_vector`` column (``GENERATED ALWAYS AS … STORED``,
  added by a Postgres-only migration and invisible to the ORM: see ``search_migrations`` before altering a
  column it reads) that weighs the title ``A`` above the body ``B``, with a GIN index, and a ``pg_trgm`` GIN
  index on the title. Words Postgres' ``english`` configuration ignores ("it", "up", "not" …) are dropped first,
  by asking Postgres once per search (``with_terms``). A plain query (no quotes, ``-word`` or ``or``) then has
  three passes, and *each kind* takes the first that finds something in it: every word, the last one as a
  prefix (``crm exp`` finds "CRM export"), ranked by ``ts_rank`` plus the title's trigram word-similarity; else
  every word or a typo of a title word (``crm exprt``, through the trigram index); else any of the words (the
  hits are marked ``partial`` and their kind is listed after the kinds that hold every word). The passes are
  one ``UNION ALL`` query whose looser arms Postgres skips once a stricter arm has rows, so the page runs one
  query per kind plus the stop-word query whatever is found and however much data there is. A query with
  websearch syntax goes to ``websearch_to_tsquery`` (one query per kind).
- **Elsewhere (SQLite, the embedded default)** — the documented fallback: each word is a case-insensitive
  substring of the title or a body field (``-word`` excludes, quotes and ``or`` are ignored); title matches
  first, then newest. No stemming, no typo tolerance, no stop words; SQLite folds case for ASCII letters only.
  ``SEARCH_SUBSTRING_FALLBACK = True`` forces it on Postgres too (the tests run it there).

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

from django.conf import settings
from django.core.exceptions import EmptyResultSet
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
    #: the words Postgres searches by (its stop words dropped); None until ``with_terms`` asked it
    terms: tuple[str, ...] | None = None

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

    @property
    def only_excluded(self) -> bool:
        """Only words to leave out (``-export``): nothing to look for."""
        return bool(self.excluded) and not self.words


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
    # One query for Postgres' stop words, then one per kind: each kind picks its own pass (see ``matches``), so
    # a kind that holds only some of the words still shows, below the kinds that hold them all.
    query = with_terms(query)
    groups: list[Group] = []
    for provider in providers():
        if kind and provider.kind != kind:
            continue
        hits = provider(user, query, limit + 1)
        if hits:
            groups.append(Group(provider, hits[:limit], more=len(hits) > limit))
    order = {p.kind: i for i, p in enumerate(providers())}
    return sorted(groups, key=lambda g: (g.partial, -g.best, order[g.provider.kind]))


# --- matching -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parent:
    """A title kept on a parent row (a meeting's series title): matched through the parent table's own indexed
    ``search_vector`` and title, then by the foreign key (``fk = ANY(ARRAY(…))``, a btree lookup), so each table's
    GIN index serves its own text instead of a combined vector no index can answer."""

    fk_sql: str  # the child's foreign key column, e.g. "liaison_meeting.series_id"
    table: str  # the parent table, e.g. "liaison_meetingseries" (joined by the provider's select_related)
    title_sql: str = "title"  # the parent's trigram-indexed title column


@dataclass(frozen=True)
class Columns:
    """Where a model's text lives. ``vector`` and ``title_sql`` are SQL (Postgres) on the queryset's tables;
    ``title`` and ``body`` are ORM paths for the fallback."""

    vector: str
    title_sql: str
    title: str
    body: Sequence[str] = ()
    tiebreak: Sequence[str] = ("-pk",)
    parent: Parent | None = None

    def __post_init__(self) -> None:
        table, _, column = self.vector.partition(".")
        TABLES.setdefault(table, set())
        title_table, _, title_column = self.title_sql.partition(".")
        if self.parent is not None:
            TABLES.setdefault(self.parent.table, set()).add(self.parent.title_sql)
        elif title_table == table:
            TABLES[table].add(title_column)


#: every table a ``Columns`` searches (its ``search_vector`` and GIN index) → the title columns it reads with a
#: trigram index; filled as the selectors are imported. ``tests/search`` checks the database has them all.
TABLES: dict[str, set[str]] = {}


TRIGRAM_THRESHOLD = 0.5
_TERMS_SQL = (  # the query's words Postgres keeps, in order (a stop word leaves an empty vector, and no NOTICE)
    "SELECT w FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) "
    "WHERE length(to_tsvector(%s::regconfig, w)) > 0 ORDER BY n"
)
ALL, TYPO, ANY = 0, 1, 2  # the passes of a plain query, strictest first


def trigram_threshold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new Postgres connection: how alike a word must be to a title's word (``<%``) to count as a typo
    of it ("exprt" ~ "export" is 0.5; pg_trgm's default is 0.6). Connected in ``collab.lib``'s ``ready()``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET pg_trgm.word_similarity_threshold = {TRIGRAM_THRESHOLD}")


def full_text() -> bool:
    """Postgres full-text search, unless ``SEARCH_SUBSTRING_FALLBACK`` forces the substring fallback (tests run
    the fallback on Postgres that way; SQLite always uses it)."""
    return connection.vendor == "postgresql" and not getattr(settings, "SEARCH_SUBSTRING_FALLBACK", False)


def with_terms(query: Query) -> Query:
    """``query`` with the words Postgres' ``english`` configuration keeps (its own stop list, not ours: "it",
    "up", "do", "not" … would otherwise each be a condition no row can meet). One query, once per search."""
    if query.terms is not None or not query.plain or not query.words or not full_text():
        return query
    with connection.cursor() as cursor:
        cursor.execute(_TERMS_SQL, [list(query.words), CONFIG])
        return replace(query, terms=tuple(row[0] for row in cursor.fetchall()))


def matches(qs: QuerySet[M], cols: Columns, query: Query, limit: int) -> tuple[list[M], bool]:
    """The best ``limit`` rows of ``qs`` for ``query`` (each with ``.search_rank``), and whether they match only
    some of the words. Always one query (plus one for the stop words if ``query`` did not come through
    ``search``, which asks once for every kind).

    A plain query is three passes, and each kind takes the first pass that finds something *in that kind*:
    every word (the last as a prefix), else every word or a typo of a title word (trigrams), else any word
    (``partial``). The passes are the arms of one ``UNION ALL``; a looser arm carries "the stricter arm counts no
    rows", which Postgres evaluates once, before scanning, so a kind with a full match never pays for the
    costly trigram scan."""
    if not query.usable:
        return [], False
    if not full_text():
        return _fallback(qs, cols, query, limit), False
    if not query.plain:
        where, rank = _pass(cols, "websearch_to_tsquery", query.text)
        return _ranked(qs, cols, where, rank, limit), False
    terms = with_terms(query).terms or ()
    if not terms:  # only stop words: nothing Postgres can look for
        return [], False
    every_word = " & ".join(terms) + ":*"
    arms = {ALL: _pass(cols, "to_tsquery", every_word, title_like=query.text)}
    if any(len(w) >= 3 for w in terms):
        arms[TYPO] = _typo_pass(cols, terms, every_word, query.text)
    if len(terms) >= 2:
        arms[ANY] = _pass(cols, "to_tsquery", " | ".join(terms) + ":*")
    parts: list[QuerySet[M]] = []
    stricter: list[RawSQL] = []
    for stage, (where, rank) in arms.items():
        part = qs.filter(where)
        for earlier in stricter:
            try:
                inner = qs.filter(earlier).order_by().values("pk").query
                sql, params = inner.get_compiler(connection=connection).as_sql()
            except EmptyResultSet:  # ``qs`` is ``none()`` (e.g. an inactive user's): nothing to find
                return [], False
            # "the stricter arm found nothing" as a count, not NOT EXISTS: for EXISTS Postgres plans to stop at the
            # first row and picks a sequential scan, which reads all 100k snags computing trigrams when there is
            # no such row (600 ms); a count is planned to read every match, through the GIN indexes (a few ms)
            none_sql = f"(SELECT count(*) FROM ({sql}) AS stricter) = 0"  # noqa: S608 - our SQL, words are params
            part = part.filter(RawSQL(none_sql, params, output_field=BooleanField()))  # noqa: S611
        stricter.append(where)
        part = part.annotate(search_pass=Value(stage), search_rank=rank)
        parts.append(part.order_by("-search_rank", *cols.tiebreak)[:limit])
    local = [f for f in cols.tiebreak if "__" not in f]
    combined = (
        parts[0].union(*parts[1:], all=True).order_by("search_pass", "-search_rank", *local) if parts[1:] else parts[0]
    )
    rows = list(combined[:limit])
    return rows, bool(rows) and rows[0].search_pass == ANY  # type: ignore[attr-defined]


def _match(cols: Columns, function: str, text: str) -> tuple[str, list[Any]]:
    """SQL for "the row's text matches ``function('english', text)``", and its params."""
    tsquery = f"{function}('{CONFIG}', %s)"
    if cols.parent is None:
        return f"{cols.vector} @@ {tsquery}", [text]
    p = cols.parent
    parent = f"{p.fk_sql} = ANY(ARRAY(SELECT id FROM {p.table} WHERE {p.table}.search_vector @@ {tsquery}))"  # noqa: S608 - our names
    return f"({cols.vector} @@ {tsquery} OR {parent})", [text, text]


def _title_like(cols: Columns, word: str) -> tuple[str, list[Any]]:
    """SQL for "``word`` is like a word of the title" (the trigram index), and its params."""
    if cols.parent is None:
        return f"%s <%% {cols.title_sql}", [word]
    p = cols.parent
    sql = f"{p.fk_sql} = ANY(ARRAY(SELECT id FROM {p.table} WHERE %s <%% {p.table}.{p.title_sql}))"  # noqa: S608
    return sql, [word]  # the names are ours, the word a param


def _rank(cols: Columns, function: str, text: str, title_like: str | None) -> RawSQL:
    """``ts_rank`` of the row's vector (and its parent's), plus with ``title_like`` how alike the title is to it
    (cheap: only the few matched rows are ranked)."""
    tsquery = f"{function}('{CONFIG}', %s)"
    sql, params = f"ts_rank({cols.vector}, {tsquery})", [text]
    if cols.parent is not None:
        sql += f" + ts_rank({cols.parent.table}.search_vector, {tsquery})"
        params.append(text)
    if title_like is not None:
        sql += f" + word_similarity(%s, {cols.title_sql})"
        params.append(title_like)
    return RawSQL(sql, params, output_field=FloatField())  # noqa: S611 - words are params


def _pass(cols: Columns, function: str, text: str, title_like: str | None = None) -> tuple[RawSQL, RawSQL]:
    sql, params = _match(cols, function, text)
    return RawSQL(sql, params, output_field=BooleanField()), _rank(cols, function, text, title_like)  # noqa: S611


def _typo_pass(cols: Columns, terms: Sequence[str], every_word: str, text: str) -> tuple[RawSQL, RawSQL]:
    """Each word is in the text (the last as a prefix) or, from three letters, like a word of the title."""
    conditions, params = [], []
    for i, word in enumerate(terms):
        sql, p = _match(cols, "to_tsquery", word + (":*" if i == len(terms) - 1 else ""))
        if len(word) >= 3:
            like, q = _title_like(cols, word)
            sql, p = f"({sql} OR {like})", p + q
        conditions.append(sql)
        params += p
    where = RawSQL(" AND ".join(conditions), params, output_field=BooleanField())  # noqa: S611 - words are params
    return where, _rank(cols, "to_tsquery", every_word, text)


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
