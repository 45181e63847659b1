from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from rse.lib.demo import registered_seeders


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent: running it again duplicates nothing)."

    def handle(self, *args, **options):
        autodiscover_modules("demo")
        for seed in registered_seeders():
            with transaction.atomic():
                summary = seed()
            label = f"{seed.__module__}.{seed.__name__}"
            self.stdout.write(f"{label}: {summary or 'ok'}")
        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
