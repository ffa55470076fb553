"""Search everywhere: the registry every app adds its own search to, the query parser, the database matching
and the safe snippets. Floor 0: it knows no app; each app registers a ``Provider`` in its ``AppConfig.ready()``
through the ``search.providers`` hook, and the search page (``collab.dashboard``) asks them all.

How a provider matches (``matches``):

- **Postgres.** Each searchable table has a stored ``search_vector`` column (``GENERATED ALWAYS AS … STORED``,
  added by a Postgres-only migration and invisible to the ORM: see ``search_migrations`` before altering a
  column it reads) that weighs the title ``A`` above the body ``B``, with a GIN index. Triggers keep a lexicon
  (``search_lexeme``) of every word each table's vectors hold, with a ``pg_trgm`` index. Once per search
  (``with_terms``) one query drops the words Postgres' ``english`` configuration ignores ("it", "up", "not" …)
  and asks the lexicon, for each word left, which tables hold it (the last word as a prefix) and which known
  words it is like (``exprt`` → ``export``: its typos). A plain query then has three passes, each a
  ``tsquery`` the GIN index answers, and *each kind* takes the first that finds something in it: every word,
  the last one as a prefix (``crm exp`` finds "CRM export"), ranked by ``ts_rank`` plus the title's trigram
  word-similarity; else every word or one of its typos, leaving out words no row of the kind holds or
  resembles (``zzqq``; the hits are then ``partial``); else any of the words (``partial``, and their kind is
  listed after the kinds that hold every word). The lexicon knows which table holds each word, so a kind is
  only asked the passes that can find something in it, and not at all when it holds none of the words. The
  passes are one ``UNION ALL`` query whose looser arms Postgres skips once a stricter arm has rows, so the
  page runs at most one query per kind plus the lexicon's, whatever is found and however much data there is. A query with websearch syntax goes to ``websearch_to_tsquery`` (one
  query per kind).
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
from django.db import connection, connections
from django.db.models import BooleanField, Case, FloatField, Model, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query as SQLQuery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from collab.lib import hooks
from collab.lib.search_migrations import LEXICON
from collab.lib.snag_mentions import names_hidden_snag

HOOK = "search.providers"
MIN_LENGTH = 2
MAX_LENGTH = 200
CONFIG = "english"
M = TypeVar("M", bound=Model)
_WORD = re.compile(r"[^\W_]+")
_OPERATORS = re.compile(r'"|(?:^|\s)-\w|(?:^|\s)or(?:\s|$)', re.IGNORECASE)
MAX_TERMS = 16  # a search looks for at most this many words (and a phrase holds at most PHRASE_WORDS of them)
PHRASE_WORDS = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TOKEN = re.compile(r'(-*)"([^"]*)"?|(\S+)')


def clean_text(raw: str | None) -> str:
    """What was typed, as one line: control characters (NUL included) and runs of spaces gone, at most
    ``MAX_LENGTH`` characters."""
    return " ".join(_CONTROL.sub(" ", raw or "").split())[:MAX_LENGTH]


def websearch_text(raw: str | None) -> str:
    """A search in websearch syntax rewritten so that ``websearch_to_tsquery`` can never fail on it, whatever was
    typed: every term is words only (``a-b`` becomes the phrase ``"a b"``; punctuation, ``<->`` and other
    tsquery operators are dropped), a run of ``-`` is one "leave out", ``or`` stands only between two terms
    (a run of them is one), an unclosed quote closes at the end, and there are at most ``MAX_TERMS`` terms.
    Postgres nests one level of its parse stack per ``-`` and per word of a phrase, and gives up ("tsquery stack
    too small") at 32: a run of dashes or a long phrase typed in the box was a server error. Empty when nothing
    searchable is left."""
    terms: list[str] = []
    words = 0
    for match in _TOKEN.finditer(clean_text(raw)):
        dashes, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            if terms and terms[-1] != "or":
                terms.append("or")
            continue
        negate = (dashes or "") if phrase is not None else bare[: len(bare) - len(bare.lstrip("-"))]
        found = [w.lower() for w in _WORD.findall(phrase if phrase is not None else bare)][:PHRASE_WORDS]
        if not found:
            continue
        if words >= MAX_TERMS:
            break
        found = found[: MAX_TERMS - words]
        words += len(found)
        term = found[0] if len(found) == 1 else '"' + " ".join(found) + '"'
        terms.append(("-" if negate else "") + term)
    while terms and terms[-1] == "or":
        terms.pop()
    return " ".join(terms)


@dataclass(frozen=True)
class Query:
    """A search as typed, and what the matchers need from it."""

    text: str
    words: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    plain: bool = True
    #: the words Postgres searches by (its stop words dropped) as the lexicon knows them (stems, the tables that
    #: hold them, their possible typos); None until ``with_terms`` asked it
    lexicon: tuple[Term, ...] | None = None

    @classmethod
    def parse(cls, raw: str | None) -> Query:
        text = clean_text(raw)
        plain = not _OPERATORS.search(text)
        words: list[str] = []
        excluded: list[str] = []
        for token in text.replace('"', " ").split():
            if token.lower() == "or" and not plain:
                continue
            target = excluded if token.startswith("-") and len(token) > 1 else words
            target.extend(w.lower() for w in _WORD.findall(token))
        words, excluded = list(dict.fromkeys(words))[:MAX_TERMS], list(dict.fromkeys(excluded))[:MAX_TERMS]
        return cls(text=text, words=tuple(words), excluded=tuple(excluded), plain=plain)

    @property
    def usable(self) -> bool:
        """Long enough to search: two characters, and at least one word."""
        return len(self.text) >= MIN_LENGTH and bool(self.words)

    @property
    def terms(self) -> tuple[str, ...] | None:
        """The words Postgres searches by, as typed (its stop words dropped); None until ``with_terms`` asked."""
        return None if self.lexicon is None else tuple(t.word for t in self.lexicon)

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
    found: list[tuple[Provider, list[Hit]]] = []
    for provider in providers():
        if kind and provider.kind != kind:
            continue
        hits = provider(user, query, limit + 1)
        if hits:
            found.append((provider, hits))
    # stored text made from a snag (an agenda item "SNAG-1042: …") shows only to people who may open that snag:
    # one question for every hit of every kind
    every = [h for p, hits in found if p.kind != "snag" for h in hits]  # the snag provider asks visible_to itself
    secret = names_hidden_snag(user, [f"{h.title} {h.snippet} {h.url}" for h in every])
    hidden = {id(h) for h, s in zip(every, secret, strict=True) if s}
    groups: list[Group] = []
    for provider, hits in found:
        kept = [h for h in hits if id(h) not in hidden]
        if kept:
            groups.append(Group(provider, kept[:limit], more=len(kept) > limit))
    order = {p.kind: i for i, p in enumerate(providers())}
    return sorted(groups, key=lambda g: (g.partial, -g.best, order[g.provider.kind]))


# --- matching -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parent:
    """A title kept on a parent row (a meeting's series title): matched through the parent table's own indexed
    ``search_vector``, then by the foreign key (``fk = ANY(ARRAY(…))``, a btree lookup), so each table's GIN
    index serves its own text instead of a combined vector no index can answer."""

    fk_sql: str  # the child's foreign key column, e.g. "liaison_meeting.series_id"
    table: str  # the parent table, e.g. "liaison_meetingseries" (joined by the provider's select_related)


@dataclass(frozen=True)
class Columns:
    """Where a model's text lives. ``vector`` and ``title_sql`` (the title the rank compares the query with)
    are SQL (Postgres) on the queryset's tables; ``title`` and ``body`` are ORM paths for the fallback."""

    vector: str
    title_sql: str
    title: str
    body: Sequence[str] = ()
    tiebreak: Sequence[str] = ("-pk",)
    parent: Parent | None = None

    @property
    def tables(self) -> frozenset[str]:
        """The tables whose ``search_vector`` this kind matches (its own and its parent's)."""
        own = self.vector.partition(".")[0]
        return frozenset((own, self.parent.table) if self.parent else (own,))

    def __post_init__(self) -> None:
        TABLES.update(self.tables)


#: every table a ``Columns`` searches (its ``search_vector``, GIN index and lexicon triggers); filled as the
#: selectors are imported. ``tests/search`` checks the database has them all.
TABLES: set[str] = set()


TYPO_SIMILARITY = 0.4  # how alike (pg_trgm similarity) a known word must be to a typed one to count as its typo
# (``%`` picks candidates through the trigram index at pg_trgm's own cut-off, 0.3; the query keeps those this alike)
TYPO_ALTERNATIVES = 3  # at most this many known words stand in for a typed word
_TERMS_SQL = f"""
WITH typed AS (
    SELECT u.w, u.n, (tsvector_to_array(to_tsvector(%s::regconfig, u.w)))[1] AS stem
    FROM unnest(%s::text[]) WITH ORDINALITY AS u(w, n)
), kept AS (
    SELECT w, n, stem COLLATE "C" AS stem, n = max(n) OVER () AS last FROM typed WHERE stem IS NOT NULL
)
SELECT w, stem,
    CASE WHEN last
        THEN ARRAY(SELECT DISTINCT l.tbl FROM {LEXICON} l WHERE l.lexeme >= stem AND l.lexeme < stem || chr(1114111))
        ELSE ARRAY(SELECT l.tbl FROM {LEXICON} l WHERE l.lexeme = stem) END,
    CASE WHEN length(w) >= 3 THEN (
        SELECT coalesce(json_agg(json_build_array(a.lexeme, a.tables) ORDER BY a.alike DESC, a.lexeme), '[]')
        FROM (
            SELECT l.lexeme, similarity(l.lexeme, stem) AS alike, array_agg(l.tbl) AS tables FROM {LEXICON} l
            WHERE l.lexeme %% stem AND l.lexeme !~ '[0-9]' AND l.lexeme <> stem AND similarity(l.lexeme, stem) >= %s
            GROUP BY l.lexeme ORDER BY alike DESC, l.lexeme LIMIT %s
        ) AS a
    ) ELSE '[]'::json END
FROM kept ORDER BY n"""  # noqa: S608 - our table name; the words are params
ALL, TYPO, ANY = 0, 1, 2  # the passes of a plain query, strictest first


def full_text() -> bool:
    """Postgres full-text search, unless ``SEARCH_SUBSTRING_FALLBACK`` forces the substring fallback (tests run
    the fallback on Postgres that way; SQLite always uses it)."""
    return connection.vendor == "postgresql" and not getattr(settings, "SEARCH_SUBSTRING_FALLBACK", False)


@dataclass(frozen=True)
class Term:
    """A word Postgres searches by: as typed, as Postgres stems it, the tables any row of which holds it (the last
    word as a prefix), and the known words it may be a typo of, each with the tables that hold it."""

    word: str
    stem: str
    tables: frozenset[str] = frozenset()
    alternatives: tuple[tuple[str, frozenset[str]], ...] = ()

    def options(self, tables: frozenset[str]) -> tuple[str, ...]:
        """What may stand for this word in a kind whose rows live in ``tables``: the word itself if they hold it,
        then its typos they hold."""
        own = (self.stem,) if self.tables & tables else ()
        return own + tuple(alt for alt, where in self.alternatives if where & tables)


def with_terms(query: Query) -> Query:
    """``query`` with the words Postgres' ``english`` configuration keeps (its own stop list, not ours: "it",
    "up", "do", "not" … would otherwise each be a condition no row can meet), each looked up in the lexicon:
    which tables hold it, and which known words it may be a typo of. One query, once per search."""
    if query.lexicon is not None or not query.plain or not query.words or not full_text():
        return query
    with connection.cursor() as cursor:
        cursor.execute(_TERMS_SQL, [CONFIG, list(query.words), TYPO_SIMILARITY, TYPO_ALTERNATIVES])
        found = tuple(
            Term(w, stem, frozenset(tables), tuple((alt, frozenset(where)) for alt, where in alternatives))
            for w, stem, tables, alternatives in cursor.fetchall()
        )
    return replace(query, lexicon=found)


def _lexeme(text: str, prefix: bool) -> str:
    """One word as a ``tsquery`` literal, used as is (already stemmed)."""
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + (":*" if prefix else "")


def _tsquery(options: Sequence[Sequence[str]], joiner: str) -> str:
    """One ``tsquery`` literal: each word's options (``a | b``) joined by ``&`` or ``|``; the last as a prefix
    (as you type)."""
    parts = []
    for i, choices in enumerate(options):
        last = i == len(options) - 1
        alts = " | ".join(_lexeme(o, last) for o in choices)
        parts.append(f"( {alts} )" if len(choices) > 1 else alts)
    return f" {joiner} ".join(parts)


def matches(qs: QuerySet[M], cols: Columns, query: Query, limit: int) -> tuple[list[M], bool]:
    """The best ``limit`` rows of ``qs`` for ``query`` (each with ``.search_rank``), and whether they match only
    some of the words. Always one query (plus the lexicon's if ``query`` did not come through ``search``, which
    asks once for every kind).

    A plain query is up to three passes, and each kind takes the first pass that finds something *in that
    kind*: every word (the last as a prefix); else every word or one of its typos (the known words the lexicon
    says it is like), leaving out words no row of this kind holds or resembles (then the hits are ``partial``);
    else any word (``partial``). Every pass is a ``tsquery`` the GIN index answers, and only the passes the
    lexicon says can find something here are asked (none, and no query, when this kind's rows hold none of the
    words). The passes are the arms of one ``UNION ALL`` (``_ArmsQuery``); a looser arm carries "the stricter
    arm has no rows", read from the stricter arm's materialized result and evaluated once, before scanning, so a
    kind with a full match never runs the looser arms."""
    if not query.usable:
        return [], False
    if not full_text():
        return _fallback(qs, cols, query, limit), False
    if qs.query.is_empty():  # ``none()`` (e.g. an inactive user's): nothing to find, nothing to ask
        return [], False
    if not query.plain:
        text = websearch_text(query.text)
        if not text:
            return [], False
        where, rank = _pass(cols, f"websearch_to_tsquery('{CONFIG}', %s)", text)
        return _ranked(qs, cols, where, rank, limit), False
    terms = with_terms(query).lexicon or ()
    here = cols.tables  # the kind's rows (and parent rows) live here: the lexicon says what they hold
    options = [t.options(here) for t in terms]
    living = [o for o in options if o]
    if not living:  # only stop words, or none of the words (nor any like them) is in this kind's rows
        return [], False
    dropped = len(living) < len(terms)  # some words are in no row here: the hits can only be partial
    exact = not dropped and all(o[0] == t.stem for o, t in zip(options, terms, strict=True))
    arms: dict[int, tuple[RawSQL, RawSQL]] = {}
    if exact:
        every_word = _tsquery([(t.stem,) for t in terms], "&")
        arms[ALL] = _pass(cols, "%s::tsquery", every_word, title_like=query.text)
    if not exact or any(len(o) > 1 for o in living):
        arms[TYPO] = _pass(cols, "%s::tsquery", _tsquery(living, "&"), title_like=query.text)
    if len(living) >= 2:
        arms[ANY] = _pass(cols, "%s::tsquery", _tsquery(living, "|"))
    parts: list[QuerySet[M]] = []
    for stage, (where, rank) in arms.items():
        part = qs.filter(where)
        for earlier in range(len(parts)):  # the stricter arms, kept by ``_ArmsQuery`` as CTEs: read, not run again
            none_sql = f"NOT EXISTS (SELECT 1 FROM {_ARM}{earlier})"  # noqa: S608 - our names only
            part = part.filter(RawSQL(none_sql, [], output_field=BooleanField()))  # noqa: S611
        part = part.annotate(search_pass=Value(stage), search_rank=rank)
        parts.append(part.order_by("-search_rank", *cols.tiebreak)[:limit])
    local = [f for f in cols.tiebreak if "__" not in f]
    if parts[1:]:
        combined = parts[0].union(*parts[1:], all=True).order_by("search_pass", "-search_rank", *local)[:limit]
        combined.query = combined.query.chain(klass=_ArmsQuery)
    else:
        combined = parts[0]
    rows = list(combined)
    found = rows[0].search_pass if rows else ALL  # type: ignore[attr-defined]
    return rows, bool(rows) and (found == ANY or (found == TYPO and dropped))


_ARM = "search_arm_"  # the name of each stricter arm's CTE, numbered


class _ArmsQuery(SQLQuery):
    """A kind's passes as one statement: ``WITH search_arm_0 AS MATERIALIZED (every word …), … SELECT * FROM
    search_arm_0 UNION ALL (…) UNION ALL (the loosest arm)``. A looser arm says ``NOT EXISTS (SELECT 1 FROM
    search_arm_0)``, which reads the stricter arm's few rows instead of running its GIN search a second time (on
    100k snags, half of the query). Only the statement's text changes: its columns, and so ``select_related``,
    are the union's own."""

    def get_compiler(self, using: str | None = None, connection: Any = None, elide_empty: bool = True) -> Any:
        if using:
            connection = connections[using]
        base = connection.ops.compiler(self.compiler)
        compiler_class = _ARMS_COMPILERS.get(base) or _ARMS_COMPILERS.setdefault(
            base, type("ArmsCompiler", (base,), {"get_combinator_sql": _arms_sql})
        )
        return compiler_class(self, connection, using, elide_empty)


_ARMS_COMPILERS: dict[type, type] = {}


def _arms_sql(compiler: Any, combinator: str, all: bool) -> tuple[list[str], list[Any]]:  # noqa: A002 - Django's name
    """``SQLCompiler.get_combinator_sql`` for a kind's arms (always a ``UNION ALL``), from the same per-part SQL
    Django makes (``_get_combinator_part_sql``, Django 5.2; ``tests/search`` runs every shape on Postgres)."""
    parts = [
        compiler._get_combinator_part_sql(query.get_compiler(compiler.using, compiler.connection, compiler.elide_empty))
        for query in compiler.query.combined_queries
    ]  # an empty part (``qs.none()``) raises EmptyResultSet: the ORM then returns no rows without asking
    *stricter, (loosest_sql, loosest_params) = parts
    ctes = ", ".join(f"{_ARM}{i} AS MATERIALIZED ({sql})" for i, (sql, _params) in enumerate(stricter))
    reads = [f"(SELECT * FROM {_ARM}{i})" for i in range(len(stricter))]  # noqa: S608 - our names only
    body = " UNION ALL ".join([*reads, f"({loosest_sql})"])
    params = [p for _sql, ps in stricter for p in ps] + list(loosest_params)
    return [f"WITH {ctes} {body}"], params


def _match(cols: Columns, tsquery: str, text: str) -> tuple[str, list[Any]]:
    """SQL for "the row's text matches ``tsquery`` (SQL taking ``text`` as its one param)", and its params."""
    if cols.parent is None:
        return f"{cols.vector} @@ {tsquery}", [text]
    p = cols.parent
    parent = f"{p.fk_sql} = ANY(ARRAY(SELECT id FROM {p.table} WHERE {p.table}.search_vector @@ {tsquery}))"  # noqa: S608 - our names
    return f"({cols.vector} @@ {tsquery} OR {parent})", [text, text]


def _rank(cols: Columns, tsquery: str, text: str, title_like: str | None) -> RawSQL:
    """``ts_rank`` of the row's vector (and its parent's), plus with ``title_like`` how alike the title is to it
    (cheap: only the few matched rows are ranked)."""
    sql, params = f"ts_rank({cols.vector}, {tsquery})", [text]
    if cols.parent is not None:
        sql += f" + ts_rank({cols.parent.table}.search_vector, {tsquery})"
        params.append(text)
    if title_like is not None:
        sql += f" + word_similarity(%s, {cols.title_sql})"
        params.append(title_like)
    return RawSQL(sql, params, output_field=FloatField())  # noqa: S611 - words are params


def _pass(cols: Columns, tsquery: str, text: str, title_like: str | None = None) -> tuple[RawSQL, RawSQL]:
    sql, params = _match(cols, tsquery, text)
    return RawSQL(sql, params, output_field=BooleanField()), _rank(cols, tsquery, text, title_like)  # noqa: S611


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
# a link's text may not hold a bracket, nor its address a parenthesis: each try then stops at the next bracket or
# parenthesis, so a run of ``[`` or of ``[a](`` costs linear time, not quadratic (``[^\]]*`` scanned to the end
# of the text from every ``[``)
_MARKDOWN = re.compile(r"[*_`#>|~]+|!?\[([^\[\]]*)\]\([^()]*\)")


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
