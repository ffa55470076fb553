"""Search's lexicon (Postgres only): triggers that add the words of this app's searched rows to
``search_lexeme``, which search asks which tables hold each word and what it may be a typo of (see
``collab.lib.search_migrations``). The title trigram indexes the old typo pass scanned go: the lexicon's own
trigram index finds typos now."""

from django.db import migrations

from collab.lib import search_migrations

# (table, the column its old typo pass read through a trigram index, which the lexicon replaces)
TABLES = [("reviews_agendaitem", "title"), ("reviews_decision", "text"), ("reviews_actionitem", "title")]


def forwards(apps, schema_editor):
    search_migrations.lexicon_instead_of_trigrams(schema_editor, TABLES)


def backwards(apps, schema_editor):
    search_migrations.trigrams_instead_of_lexicon(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_decision_trigram_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
