"""Search ignores accents on PostgreSQL: "aeroline" finds "Aéroline" (French users type both).

A text search configuration `rse_search` = `simple` + the `unaccent` dictionary, and the GIN
indexes of 0004 rebuilt on it. The expressions must stay identical to communities.search
(SEARCH_CONFIG, DOCUMENTS); test_search checks the plan uses them. A no-op on SQLite, where
search folds accents with a function of ours (rse.lib.folding).
"""

from django.db import migrations

NAMES = {
    "post": "communities_post_search_gin",
    "comment": "communities_comment_search_gin",
    "community": "communities_community_search_gin",
}
FIELDS = {"post": ("title", "body_md"), "comment": ("body_md",), "community": ("name", "description_md")}

CREATE_CONFIG = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'rse_search') THEN
    CREATE TEXT SEARCH CONFIGURATION rse_search (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION rse_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
  END IF;
END $$;
"""


def _index(model_name, config):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*FIELDS[model_name], config=config), name=NAMES[model_name])


def _swap(apps, schema_editor, old, new):
    if schema_editor.connection.vendor != "postgresql":
        return
    if new == "rse_search":
        schema_editor.execute(CREATE_CONFIG)
    for model_name in NAMES:
        model = apps.get_model("communities", model_name)
        schema_editor.remove_index(model, _index(model_name, old))
        schema_editor.add_index(model, _index(model_name, new))


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, "simple", "rse_search")


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, "rse_search", "simple")


class Migration(migrations.Migration):
    dependencies = [("communities", "0006_notification_join_approved")]

    operations = [migrations.RunPython(forwards, backwards)]
