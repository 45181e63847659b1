"""The HR export from the command line, for scheduled jobs: the same service as the web page,
run at once in this process, written to the audit log.

    manage.py export_engagement --since 2026-01-01 --until 2026-12-31 --granularity month \
        --group-by org_unit --format xlsx --output engagement.xlsx [--as hr@example.com]
"""

import shutil

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from engagement import exports
from engagement.models import Export
from engagement.permissions import can_export
from rse.accounts.models import User
from rse.lib.commands import iso_date


class Command(BaseCommand):
    help = "Export engagement figures per group (the HR export), written to --output."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, type=iso_date)
        parser.add_argument("--until", required=True, type=iso_date)
        parser.add_argument("--granularity", required=True, choices=Export.Granularity.values)
        parser.add_argument("--group-by", required=True, choices=Export.GroupBy.values)
        parser.add_argument("--format", required=True, choices=Export.Format.values)
        parser.add_argument("--output", required=True)
        parser.add_argument("--as", dest="as_email", help="the HR analyst or administrator the export is made for")

    def handle(self, *args, **options):
        user = None
        if options["as_email"]:
            user = User.objects.filter(email__iexact=options["as_email"]).first()
            if user is None:
                raise CommandError(f"no account with the e-mail address {options['as_email']}")
            if not can_export(user):
                raise CommandError(f"{user.email} is neither an HR analyst nor an administrator")
        params = {k: options[k] for k in ("since", "until", "granularity", "group_by", "format")}
        try:
            # Queued as on the web page, but no worker is needed: the job is run here, once.
            export = exports.do_request_export(user, source=Export.Source.COMMAND, submit=False, **params)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        exports.run_export(export.pk)
        export.refresh_from_db()
        if export.status != Export.Status.DONE:
            raise CommandError(f"export #{export.pk} did not finish: {export.status} {export.error}")
        with export.file.open("rb") as src, open(options["output"], "wb") as dst:
            shutil.copyfileobj(src, dst)
        self.stdout.write(f"{export.rows} rows written to {options['output']} (export #{export.pk})")
