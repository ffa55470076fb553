"""Search for the technology register (Postgres only, as in 0003): tools and tool requests get the same stored,
weighted ``search_vector`` (name or title ``A`` above the text ``B``) with a GIN index and a trigram index on the
name."""

from django.db import migrations

from collab.lib import search_migrations

TABLES = [
    ("projects_tool", "coalesce(name, '')", ["vendor", "notes", "rating_note"], "name"),
    ("projects_toolrequest", "coalesce(title, '')", ["need", "data_involved", "reason"], "title"),
]


def forwards(apps, schema_editor):
    search_migrations.add(schema_editor, TABLES)


def backwards(apps, schema_editor):
    search_migrations.drop(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_tool_register")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
