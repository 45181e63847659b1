"""Full-text search indexes, PostgreSQL only (a no-op on SQLite, where search falls back to LIKE).

The expressions must stay identical to communities.search.DOCUMENTS (what the queries use),
or PostgreSQL will not use the indexes; test_search checks the plan.
"""

from django.db import migrations

NAMES = {
    "post": "communities_post_search_gin",
    "comment": "communities_comment_search_gin",
    "community": "communities_community_search_gin",
}


FIELDS = {"post": ("title", "body_md"), "comment": ("body_md",), "community": ("name", "description_md")}


def _index(model_name):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*FIELDS[model_name], config="simple"), name=NAMES[model_name])


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name in NAMES:
        schema_editor.add_index(apps.get_model("communities", model_name), _index(model_name))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name in NAMES:
        schema_editor.remove_index(apps.get_model("communities", model_name), _index(model_name))


class Migration(migrations.Migration):
    dependencies = [("communities", "0003_conversations_tags_polls_events_attachments")]

    operations = [migrations.RunPython(create, drop)]


