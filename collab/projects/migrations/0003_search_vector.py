"""Search (Postgres only; other databases search with substrings and need nothing): a stored, weighted
``search_vector`` (title ``A`` above body ``B``) kept by Postgres itself as a generated column, with a GIN index,
and a trigram GIN index on the title for typos and short words. The column is not a model field: the ORM
never writes it and ``collab.lib.search`` reads it by name."""

from django.db import migrations

from collab.lib import search_migrations

# (table, title SQL or None, [body columns], trigram column or None)
TABLES = [
    ("projects_project", "coalesce(name, '')", ["summary", "health_note"], "name"),
    ("projects_goal", "coalesce(title, '')", ["description"], "title"),
]


def forwards(apps, schema_editor):
    search_migrations.add(schema_editor, TABLES)


def backwards(apps, schema_editor):
    search_migrations.drop(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_requirements_ranking_change_requests")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
