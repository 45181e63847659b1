"""HR exports: asked for on the web page, the API or the command line, run as a job (rse/lib/jobs.py).

do_request_export() checks and queues; run_export() (the task's body, and the command line's)
computes the table in SQL (engagement/metrics.py), writes one file per export under a fixed name
(a second run overwrites it, never adds one), writes the audit log in the same fenced transaction,
and marks the job done. Files are deleted RSE_ENGAGEMENT_EXPORT_DAYS days later.
"""

import io
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engagement import events, metrics, privacy
from engagement.models import Export, ExportAudit
from engagement.permissions import can_export, can_manage_export
from rse.lib import jobs
from rse.lib.db import replica
from rse.lib.events import publish_on_commit, user_group
from rse.lib.spreadsheets import write_csv, write_xlsx
from rse.trail.services import record

logger = logging.getLogger(__name__)


def check_request_export(user, *, since, until, granularity, group_by, format, individual_rows=False, source="web"):
    if source != Export.Source.COMMAND and not can_export(user):
        raise PermissionDenied(_("Only HR analysts and administrators export engagement."))
    errors = metrics.period_errors(since, until)
    if granularity not in Export.Granularity.values:
        errors["granularity"] = _("Choose week or month.")
    if group_by not in Export.GroupBy.values:
        errors["group_by"] = _("Choose org unit, site, community or job title.")
    if format not in Export.Format.values:
        errors["format"] = _("Choose CSV or XLSX.")
    if individual_rows and not privacy.get_settings().individual_rows:
        errors["individual_rows"] = _("An administrator has not switched individual rows on.")
    if errors:
        raise ValidationError(errors)


def do_request_export(
    user, *, since, until, granularity, group_by, format, individual_rows=False, source="web", submit=True
):
    """Check and queue an export. `submit=False` (the command line) leaves it for the caller to
    run at once; should that process die, the stalled-jobs beat queues it like any other."""
    params = {"since": since, "until": until, "granularity": granularity, "group_by": group_by, "format": format}
    check_request_export(user, individual_rows=individual_rows, source=source, **params)
    with transaction.atomic():
        export = Export.objects.create(
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            individual_rows=individual_rows,
            source=source,
            total=len(metrics.periods(since, until, granularity)) * (2 if individual_rows else 1),
            **params,
        )
        record("engagement.export_requested", actor=user, obj=export, group_by=group_by, source=source)
        if submit:
            jobs.submit(export)
    return export


def parameters(export) -> dict:
    return {
        "since": export.since.isoformat(),
        "until": export.until.isoformat(),
        "granularity": export.granularity,
        "group_by": export.group_by,
        "format": export.format,
        "individual_rows": export.individual_rows,
        "min_group_size": privacy.min_group_size(),
    }


def render_file(export, table) -> bytes:
    if export.format == Export.Format.XLSX:
        sheets = [(_("Engagement"), metrics.COLUMNS, table.rows)]
        if export.individual_rows:
            sheets.append((_("People"), metrics.COLUMNS, table.individual_rows))
        out = io.BytesIO()
        write_xlsx(out, sheets)
        return out.getvalue()
    out = io.StringIO()
    write_csv(out, metrics.COLUMNS, [*table.rows, *table.individual_rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read accents (org units) right


def run_export(export_id) -> Export | None:
    """Compute and write one export. Only a QUEUED export is claimed: a second call, a redelivery
    or a run that lost the job to a retry does nothing (or is rolled back), so there is one file."""
    export = jobs.claim(Export, export_id, Export.Status.QUEUED, Export.Status.RUNNING)
    if export is None:
        return None

    def progress(done, total):
        export.done = done
        jobs.heartbeat(export, done=done)

    try:
        names = privacy.get_settings().individual_names  # on the primary: the row may be created here
        with replica():
            table = metrics.build_table(
                since=export.since,
                until=export.until,
                granularity=export.granularity,
                group_by=export.group_by,
                individual_rows=export.individual_rows,
                names=names,
                progress=progress,
            )
        content = render_file(export, table)
        rows = len(table.rows) + len(table.individual_rows)
        with transaction.atomic():
            name = export.file.field.generate_filename(export, export.filename)
            storage = export.file.storage
            if storage.exists(name):
                storage.delete(name)  # a run after a crash overwrites, never adds a second file
            saved = storage.save(name, ContentFile(content))
            now = timezone.now()
            jobs.finish(
                export,
                status=Export.Status.DONE,
                file=saved,
                rows=rows,
                done=export.total,
                finished_at=now,
                expires_at=now + timedelta(days=settings.RSE_ENGAGEMENT_EXPORT_DAYS),
            )
            requester = export.requested_by
            ExportAudit.objects.update_or_create(  # a run again after a crash is one export, one line
                export=export,
                defaults={
                    "actor": requester,
                    "actor_label": requester.email if requester else _("command line"),
                    "source": export.source,
                    "parameters": parameters(export),
                    "rows": rows,
                },
            )
            publish_on_commit(
                events.EXPORT_READY, [user_group(requester.pk)] if requester else [], {"export_id": export.pk}
            )
    except jobs.Superseded:
        logger.info("export %s: superseded run rolled back", export_id)
        return None
    except Exception as exc:
        Export.objects.filter(pk=export_id, attempts=export.attempts).exclude(status=Export.Status.DONE).update(
            status=Export.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    return export


def do_purge_expired_exports(now=None) -> int:
    """Delete the files of exports past their 7 days (the audit log stays)."""
    now = now or timezone.now()
    count = 0
    for export in Export.objects.filter(expires_at__lt=now).exclude(file=""):
        export.file.delete(save=False)
        Export.objects.filter(pk=export.pk).update(file="")
        count += 1
    return count


def export_url(export) -> str:
    return reverse("engagement:export", args=[export.pk])


EXPORT_JOBS = jobs.simple_kind(
    "engagement.export",
    Export,
    gettext_lazy("HR export"),
    task="engagement.tasks.run_export_task",
    can_manage=can_manage_export,
    url=export_url,
    unit=gettext_lazy("periods"),
)
