from django.core.management.base import BaseCommand

from repository.models import Item
from repository.services import update_search_vector
from rse.lib.text import normalize


class Command(BaseCommand):
    help = "Recompute normalised names and (on PostgreSQL) search vectors, e.g. after edits in the admin."

    def handle(self, *args, **options):
        ids = []
        for item in Item.objects.only("pk", "name", "normalized_name").iterator(chunk_size=500):
            if item.normalized_name != normalize(item.name)[:200]:
                item.normalized_name = normalize(item.name)[:200]
                item.save(update_fields=["normalized_name"])
            ids.append(item.pk)
        for start in range(0, len(ids), 500):
            update_search_vector(ids[start : start + 500])
        self.stdout.write(f"{len(ids)} items reindexed.")
