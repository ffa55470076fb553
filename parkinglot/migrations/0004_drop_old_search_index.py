"""The snag list now searches the stored, weighted ``search_vector`` of 0003 (as the site search does), so the
expression index of 0002 over ``to_tsvector(search_document)`` has no reader left (Postgres only)."""

from django.db import migrations

INDEX = "parkinglot_snag_search_gin"


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON parkinglot_snag USING gin (to_tsvector('english', search_document))"
        )


class Migration(migrations.Migration):
    dependencies = [("parkinglot", "0003_search_vector")]

    operations = [migrations.RunPython(drop_index, create_index, elidable=False)]
