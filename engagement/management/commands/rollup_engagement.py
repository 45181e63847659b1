"""Roll activity up for the engagement figures (engagement/rollup.py), as the nightly beat task
does (what came since the last run, and the last RSE_ENGAGEMENT_ROLLUP_DAYS days again); --since
recomputes from that day on (after an import of old content, a change of TIME_ZONE, or for late
deletions older than those days).

    manage.py rollup_engagement [--since 2026-01-01]
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from engagement.rollup import roll_up
from rse.lib.commands import iso_date


class Command(BaseCommand):
    help = "Roll activity up for the engagement dashboards and exports (the nightly task, at once)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=iso_date, help="recompute from this day on (YYYY-MM-DD)")

    def handle(self, *args, **options):
        result = roll_up(since=options["since"], lookback=True)
        until = timezone.localtime(result["rolled_at"])
        self.stdout.write(f"rolled up from {result['since']} to {until:%Y-%m-%d %H:%M} in {result['seconds']} s")
