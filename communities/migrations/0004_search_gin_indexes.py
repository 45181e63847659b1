"""Full-text search indexes, PostgreSQL only (a no-op on SQLite, where search falls back to LIKE).

The indexed expressions must stay identical to communities.search.*_DOCUMENT, or PostgreSQL
will not use them.
"""

from django.db import migrations

INDEXES = {
    "communities_post_search_gin": (
        "communities_post",
        "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(body_md, ''))",
    ),
    "communities_comment_search_gin": (
        "communities_comment",
        "to_tsvector('simple'::regconfig, coalesce(body_md, ''))",
    ),
    "communities_community_search_gin": (
        "communities_community",
        "to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(description_md, ''))",
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("communities", "0003_conversations_tags_polls_events_attachments")]

    operations = [migrations.RunPython(create, drop)]
