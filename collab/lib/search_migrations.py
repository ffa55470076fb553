"""The SQL of the search migrations (Postgres only; other databases search with substrings and need nothing).

Each searchable table gets a stored, weighted ``search_vector`` (title ``A`` above body ``B``) kept by Postgres
itself as a generated column, with a GIN index, and a trigram GIN index on the title for typos and short words.
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
   has its ``search_vector`` column, its GIN index and its title's trigram index, so any of these fails CI."""

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
