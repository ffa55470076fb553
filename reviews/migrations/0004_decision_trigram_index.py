"""Typo tolerance for decisions: the typo pass compares a word with ``reviews_decision.text`` through a trigram
GIN index, which 0003 left out, so it scanned every decision (Postgres only)."""

from django.db import migrations

from collab.lib import search_migrations


def forwards(apps, schema_editor):
    search_migrations.add_trigram(schema_editor, "reviews_decision", "text")


def backwards(apps, schema_editor):
    search_migrations.drop_trigram(schema_editor, "reviews_decision")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_search_vector")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
