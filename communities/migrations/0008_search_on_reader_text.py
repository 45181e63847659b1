"""Search reads what readers read (issue 13, hole 4).

Posts and comments get `body_text`, the plain text of their stored HTML (where a link to a
restricted item reads "restricted item"), filled here for the existing rows; the full-text GIN
indexes of 0007 are rebuilt on it instead of `body_md`, whose `[[slug]]` references made search
an oracle for restricted items. The expressions must stay identical to communities.search.DOCUMENTS.
"""

from django.db import migrations, models

NAMES = {"post": "communities_post_search_gin", "comment": "communities_comment_search_gin"}
OLD = {"post": ("title", "body_md"), "comment": ("body_md",)}
NEW = {"post": ("title", "body_text"), "comment": ("body_text",)}
CHUNK = 2000


def _index(model_name, fields):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*fields, config="rse_search"), name=NAMES[model_name])


def fill(apps, schema_editor):
    from rse.lib.markdown import html_to_text

    for model_name in NAMES:
        model = apps.get_model("communities", model_name)
        rows = model.objects.exclude(body_html="").only("pk", "body_html").order_by("pk")
        last = 0
        while True:
            chunk = list(rows.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                break
            for row in chunk:
                row.body_text = html_to_text(row.body_html)
            model.objects.bulk_update(chunk, ["body_text"], batch_size=500)
            last = chunk[-1].pk


def _swap(apps, schema_editor, old, new):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name in NAMES:
        model = apps.get_model("communities", model_name)
        schema_editor.remove_index(model, _index(model_name, old[model_name]))
        schema_editor.add_index(model, _index(model_name, new[model_name]))


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("communities", "0007_accent_insensitive_search")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="body_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(forwards, backwards),
    ]
