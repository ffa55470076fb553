"""Sanitised HTML stored beside each Markdown field, rendered on save; limits on the Markdown fields."""

from django.db import migrations

import collab.lib.markdown


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0004_search_lexicon"),
    ]

    operations = [
        migrations.AddField(
            model_name="liaisonassignment",
            name="focus_areas_html",
            field=collab.lib.markdown.MarkdownHTMLField(source="focus_areas"),
        ),
        migrations.AddField(
            model_name="logentry",
            name="learned_html",
            field=collab.lib.markdown.MarkdownHTMLField(source="learned"),
        ),
        migrations.AddField(
            model_name="meeting",
            name="decisions_html",
            field=collab.lib.markdown.MarkdownHTMLField(source="decisions"),
        ),
        migrations.AddField(
            model_name="meeting",
            name="notes_html",
            field=collab.lib.markdown.MarkdownHTMLField(source="notes"),
        ),
        migrations.AddField(
            model_name="mentorcheckin",
            name="notes_html",
            field=collab.lib.markdown.MarkdownHTMLField(source="notes"),
        ),
        migrations.AlterField(
            model_name="liaisonassignment",
            name="focus_areas",
            field=collab.lib.markdown.MarkdownField(
                blank=True, help_text="What the liaison concentrates on (Markdown)."
            ),
        ),
        migrations.AlterField(
            model_name="logentry",
            name="learned",
            field=collab.lib.markdown.MarkdownField(help_text="What you learned (Markdown)."),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="decisions",
            field=collab.lib.markdown.MarkdownField(max_length=20000, blank=True, help_text="Markdown."),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="notes",
            field=collab.lib.markdown.MarkdownField(max_length=50000, blank=True, help_text="Markdown."),
        ),
        migrations.AlterField(
            model_name="mentorcheckin",
            name="notes",
            field=collab.lib.markdown.MarkdownField(help_text="Markdown."),
        ),
        # the rows written before: their stored HTML, rendered from their Markdown
        collab.lib.markdown.fill_html_operation("liaison", "LiaisonAssignment", "MentorCheckIn", "LogEntry", "Meeting"),
    ]
