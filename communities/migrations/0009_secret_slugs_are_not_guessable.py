"""Secret communities get an address that cannot be guessed from their name (issue 13, hole 5).

Before, "Project Aurora" (secret) lived at /c/project-aurora/, and anyone creating a community
of that name got "project-aurora-2": proof that a hidden one exists. New secret communities now
get a random tail (communities.services.communities.community_slug); this gives one to the
existing ones. Their members' old links stop working: a secret community's address is only
ever shared with its members, who find it again in their communities.
"""

from django.db import migrations
from django.utils.crypto import get_random_string
from django.utils.text import slugify

TAIL_CHARS = "abcdefghijkmnpqrstuvwxyz23456789"


def forwards(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    for community in Community.objects.filter(visibility="secret").order_by("pk"):
        base = slugify(community.name)[:120] or "community"
        while True:
            slug = f"{base}-{get_random_string(8, TAIL_CHARS)}"
            if not Community.objects.filter(slug=slug).exists():
                break
        community.slug = slug
        community.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("communities", "0008_search_on_reader_text")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
