"""PostgreSQL-only search machinery: pg_trgm (duplicate detection), GIN indexes for full-text
and trigram similarity. A no-op on SQLite, where the LIKE / difflib fallbacks are used."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS repository_item_search_gin ON repository_item USING GIN (search_vector)",
    "CREATE INDEX IF NOT EXISTS repository_item_name_trgm ON repository_item USING GIN (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS repository_item_name_trgm",
    "DROP INDEX IF EXISTS repository_item_search_gin",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


def fill_normalized_names(apps, schema_editor):
    from rse.lib.text import normalize

    Item = apps.get_model("repository", "Item")
    for item in Item.objects.filter(normalized_name="").iterator(chunk_size=500):
        item.normalized_name = normalize(item.name)[:200]
        item.save(update_fields=["normalized_name"])


class Migration(migrations.Migration):
    dependencies = [("repository", "0003_items_fields_documents_history_imports")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RunPython(fill_normalized_names, migrations.RunPython.noop),
    ]
