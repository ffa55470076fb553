"""A GIN full-text index on Postgres (other databases search with a substring), and the settings row of
response deadlines so the admin can edit it."""

from django.db import migrations

INDEX = "parkinglot_snag_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON parkinglot_snag USING gin (to_tsvector('english', search_document))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def settings_row(apps, schema_editor):
    ResponseSettings = apps.get_model("parkinglot", "ResponseSettings")
    if not ResponseSettings.objects.exists():
        ResponseSettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("parkinglot", "0001_initial")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(settings_row, migrations.RunPython.noop),
    ]
