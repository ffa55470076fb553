"""Search's lexicon (Postgres only): triggers that add the words of this app's searched rows to
``search_lexeme``, which search asks which words exist and what an unknown word is a typo of (see
``collab.lib.search_migrations``)."""

from django.db import migrations

from collab.lib import search_migrations

TABLES = ["projects_project", "projects_goal", "projects_tool", "projects_toolrequest"]


def forwards(apps, schema_editor):
    search_migrations.add_lexicon(schema_editor, TABLES)


def backwards(apps, schema_editor):
    search_migrations.drop_lexicon(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_tool_register_fixes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
