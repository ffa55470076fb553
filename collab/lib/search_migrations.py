"""The SQL of the search migrations (Postgres only; other databases search with substrings and need nothing).

Each searchable table gets a stored, weighted ``search_vector`` (title ``A`` above body ``B``) kept by Postgres
itself as a generated column, with a GIN index (``add``; its trigram index on the title served the first typo
pass, and the lexicon migrations drop it again: the lexicon's own trigram index finds typos now).
The column is not a model field: the ORM never writes it and ``collab.lib.search`` reads it by name.

Migrations call ``add`` / ``drop`` with their own table list, so what a migration did stays in the migration;
keep these two functions' behaviour stable (old migrations run them too).

.. warning:: Django does not know the ``search_vector`` column exists, so a later migration can break search
   without any warning from ``makemigrations``:

   - **Altering the type** of a column the vector reads (say ``title`` from ``varchar`` to ``text``, or a rename
     plus change) fails on Postgres ("cannot alter type of a column used by a generated column"). Drop the
     vector first (``drop``), alter, then ``add`` it back, all in that migration.
   - **Dropping** such a column succeeds and silently drops ``search_vector`` (and its index) with it
     (``CASCADE`` is implied for generated columns): that kind's search then fails at run time. Re-``add`` the
     vector without the column in the same migration.
   - **Renaming a table** keeps the column but the index names and ``Columns.vector`` in the app's selectors
     still say the old name.

   ``tests/search/test_schema.py`` checks on Postgres that every table a ``collab.lib.search.Columns`` reads
   has its ``search_vector`` column, its GIN index and its lexicon triggers, so any of
   these fails CI.

**The lexicon** (``add_lexicon`` / ``drop_lexicon``): one table, ``search_lexeme``, of every word (as Postgres
stems it) that each searched table's ``search_vector`` holds — a row per word and table — with a trigram index.
Triggers on each searched table add the words of inserted rows (once per statement, so ``COPY`` stays fast) and
of rows whose vector an update changed. Search asks it once per query which tables hold each word and which
known words it may be a typo of, so typo tolerance is a rewrite of the query instead of a trigram scan of every
table, and a kind whose table holds none of the words is not queried at all. Words are never removed (a word
whose last row is gone costs one pass that finds nothing); ``add_lexicon`` run again refills it from the
vectors."""

from __future__ import annotations

from typing import Any

# (table, title SQL or None, [body columns], trigram column or None)
Table = tuple[str, str | None, list[str], str | None]


def vector_sql(title: str | None, body: list[str]) -> str:
    parts = [f"setweight(to_tsvector('english', {title}), 'A')"] if title else []
    if body:
        joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in body)
        parts.append(f"setweight(to_tsvector('english', {joined}), 'B')")
    return " || ".join(parts)


def add(schema_editor: Any, tables: list[Table]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, title, body, trigram in tables:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector_sql(title, body)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {table}_search ON {table} USING gin (search_vector)")
        if trigram:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_trgm ON {table} USING gin ({trigram} gin_trgm_ops)"
            )


def drop(schema_editor: Any, tables: list[Table]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _title, _body, _trigram in tables:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_trgm")
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


def add_trigram(schema_editor: Any, table: str, column: str) -> None:
    """A trigram GIN index on one more column (for typos), named like ``add``'s."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {table}_trgm ON {table} USING gin ({column} gin_trgm_ops)")


def drop_trigram(schema_editor: Any, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_trgm")


LEXICON = "search_lexeme"
_LEXICON_FUNCTIONS = {
    # an INSERT statement's new rows (a transition table), in one INSERT … SELECT; ordered, so two transactions
    # adding the same new words take their locks in the same order
    "search_lexicon_add_rows": """
        INSERT INTO search_lexeme (lexeme, tbl)
        SELECT DISTINCT w, TG_TABLE_NAME FROM search_new_rows, unnest(tsvector_to_array(search_vector)) AS w
        ORDER BY w ON CONFLICT DO NOTHING""",
    # one updated row whose vector changed (the trigger's WHEN says so)
    "search_lexicon_add_row": """
        INSERT INTO search_lexeme (lexeme, tbl)
        SELECT DISTINCT w, TG_TABLE_NAME FROM unnest(tsvector_to_array(NEW.search_vector)) AS w
        ORDER BY w ON CONFLICT DO NOTHING""",
}


def add_lexicon(schema_editor: Any, tables: list[str]) -> None:
    """The lexicon table and its functions (if not there yet), and the triggers that keep it for ``tables``,
    whose words it takes now. Each app's migration calls it for its own tables."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE TABLE IF NOT EXISTS {LEXICON} (lexeme text COLLATE "C", tbl text COLLATE "C", '
        "PRIMARY KEY (lexeme, tbl))"
    )
    # the typos search offers are words: codes and numbers ("snag-1042", "2026") are many, and no one's typo
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {LEXICON}_trgm ON {LEXICON} USING gin (lexeme gin_trgm_ops) "
        f"WHERE lexeme !~ '[0-9]'"
    )
    for name, body in _LEXICON_FUNCTIONS.items():
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
            f"BEGIN {body}; RETURN NULL; END $fn$"
        )
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_lexicon_insert ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_lexicon_insert AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS search_new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_lexicon_add_rows()"
        )
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_lexicon_update ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_lexicon_update AFTER UPDATE ON {table} FOR EACH ROW "
            "WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector) EXECUTE FUNCTION search_lexicon_add_row()"
        )
        schema_editor.execute(
            f"INSERT INTO {LEXICON} (lexeme, tbl) SELECT DISTINCT unnest(tsvector_to_array(search_vector)), "  # noqa: S608
            f"'{table}' FROM {table} ON CONFLICT DO NOTHING"
        )
    schema_editor.execute(f"ANALYZE {LEXICON}")  # planned from the first search, not after autovacuum's visit


def drop_lexicon(schema_editor: Any, tables: list[str]) -> None:
    """``tables``' triggers; the lexicon itself once no table's trigger feeds it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_lexicon_insert ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_lexicon_update ON {table}")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s", ["%\\_lexicon\\_%"])
        (left,) = cursor.fetchone()
    if not left:
        for name in _LEXICON_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        schema_editor.execute(f"DROP TABLE IF EXISTS {LEXICON}")


def lexicon_instead_of_trigrams(schema_editor: Any, tables: list[tuple[str, str | None]]) -> None:
    """The lexicon for ``tables`` — (table, the column its old trigram index covered, or None) — and those trigram
    indexes dropped: the lexicon's own trigram index finds typos now. Each app's ``*_search_lexicon`` migration."""
    add_lexicon(schema_editor, [table for table, _column in tables])
    for table, column in tables:
        if column:
            drop_trigram(schema_editor, table)


def trigrams_instead_of_lexicon(schema_editor: Any, tables: list[tuple[str, str | None]]) -> None:
    """Undo ``lexicon_instead_of_trigrams``."""
    for table, column in tables:
        if column:
            add_trigram(schema_editor, table, column)
    drop_lexicon(schema_editor, [table for table, _column in tables])
