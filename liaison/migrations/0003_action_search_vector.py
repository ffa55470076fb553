"""Search for meeting and log action items (Postgres only, as in 0002)."""

from django.db import migrations

from collab.lib import search_migrations

TABLES = [("liaison_actionitem", "coalesce(title, '')", [], "title")]


def forwards(apps, schema_editor):
    search_migrations.add(schema_editor, TABLES)


def backwards(apps, schema_editor):
    search_migrations.drop(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("liaison", "0002_search_vector")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
