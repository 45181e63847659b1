from django.conf import settings
from django.core.management.base import BaseCommand

from directory.bench import run


class Command(BaseCommand):
    help = "Time HR provisioning of N employees (rolled back afterwards unless --keep)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--keep", action="store_true")

    def handle(self, rows, keep, **options):
        self.stdout.write(f"HR sync benchmark, {rows} rows, {'PostgreSQL' if settings.IS_POSTGRES else 'SQLite'}")
        run(rows=rows, keep=keep, out=self.stdout.write)
