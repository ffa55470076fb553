"""Sanitised HTML stored beside each Markdown field, rendered on save; limits on the Markdown fields."""

from django.db import migrations

import collab.lib.markdown


class Migration(migrations.Migration):
    dependencies = [
        ("parkinglot", "0005_search_lexicon"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=collab.lib.markdown.MarkdownHTMLField(source="body"),
        ),
        migrations.AddField(
            model_name="snag",
            name="details_html",
            field=collab.lib.markdown.MarkdownHTMLField(source="details"),
        ),
        migrations.AlterField(
            model_name="comment",
            name="body",
            field=collab.lib.markdown.MarkdownField(help_text="Markdown."),
        ),
        migrations.AlterField(
            model_name="snag",
            name="details",
            field=collab.lib.markdown.MarkdownField(blank=True, help_text="Markdown."),
        ),
        # the rows written before: their stored HTML, rendered from their Markdown
        collab.lib.markdown.fill_html_operation("parkinglot", "Snag", "Comment"),
    ]
