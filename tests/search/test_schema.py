"""The search columns Django cannot see: a later migration that drops a column a ``search_vector`` reads drops
the vector with it (silently), so CI checks each searched table still has its vector, its GIN index and the
triggers that feed the lexicon (Postgres)."""

from __future__ import annotations

import pytest
from django.db import connection

from collab.lib import search
from tests.search.conftest import on_postgres

pytestmark = [pytest.mark.django_db, on_postgres]


def test_every_searched_table_has_its_generated_vector_and_indexes():
    search.providers()  # the apps are ready, so every selector (and its Columns) is imported
    assert {"parkinglot_snag", "liaison_meetingseries", "reviews_decision", "projects_tool"} <= set(search.TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'search_vector' "
            "AND data_type = 'tsvector' AND is_generated = 'ALWAYS'"
        )
        with_vector = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        indexes = cursor.fetchall()
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}
    missing = []
    for table in sorted(search.TABLES):
        defs = [d for t, d in indexes if t == table]
        if table not in with_vector:
            missing.append(f"{table}.search_vector")
        if not any("USING gin (search_vector)" in d for d in defs):
            missing.append(f"{table}: GIN index on search_vector")
        missing += [f"{table}_lexicon_{e}" for e in ("insert", "update") if f"{table}_lexicon_{e}" not in triggers]
    if not any("search_lexeme USING gin (lexeme gin_trgm_ops)" in d for _t, d in indexes):
        missing.append("search_lexeme: trigram index")
    assert missing == []


def test_dropping_a_source_column_as_django_does_drops_the_vector_too():
    """What the check above guards against (Django drops columns with CASCADE), in a rolled-back savepoint."""
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT drop_check")
        cursor.execute("ALTER TABLE reviews_decision DROP COLUMN text CASCADE")
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'reviews_decision' AND column_name = 'search_vector'"
        )
        (left,) = cursor.fetchone()
        cursor.execute("ROLLBACK TO SAVEPOINT drop_check")
    assert left == 0
