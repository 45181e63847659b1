"""PostgreSQL: trigram index for directory search (a no-op on SQLite, which uses LIKE on search_name).
Everywhere: give every existing user a profile, so the directory lists everyone."""

import unicodedata

from django.db import migrations


def _normalize(value):
    decomposed = unicodedata.normalize("NFKD", value or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def add_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS directory_profile_search_trgm "
        "ON directory_profile USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS directory_profile_search_trgm")


def backfill_profiles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("directory", "Profile")
    missing = User.objects.filter(profile__isnull=True)
    Profile.objects.bulk_create(
        [Profile(user=u, search_name=_normalize(f"{u.first_name} {u.last_name}")) for u in missing.iterator()],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_people_contacts_imports"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_trigram, drop_trigram, elidable=True),
        migrations.RunPython(backfill_profiles, migrations.RunPython.noop, elidable=True),
    ]
