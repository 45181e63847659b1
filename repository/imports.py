"""CSV import of items: upload → validate (preview: create / update / skip / reject with the
reason, per row) → confirm → apply in one transaction. Upsert by (type, external_id), so
importing the same file twice changes nothing the second time.

Both long steps run as Celery tasks (tasks.py) and report progress on the ImportJob row while
they read and validate; the writing itself is a short bulk transaction (repository/bulk.py).
"""

import logging
import os
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from repository import permissions
from repository.bulk import do_bulk_upsert_items, plan_bulk_upsert
from repository.models import ImportJob
from repository.selectors import list_item_types
from rse.accounts.roles import is_administrator
from rse.lib import jobs
from rse.lib.csvfiles import Columns, Unreadable, read_table
from rse.lib.textfiles import UnreadableText, decode_bytes
from rse.trail.services import record

logger = logging.getLogger(__name__)
MAX_IMPORT_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY = 200
PREVIEW_KEEP = 500  # rows to create/update/skip kept for the preview table (every rejected row is kept)

BASE_COLUMNS = {
    "external_id": ("external id", "id", "ext id", "external reference", "reference", "ref", "code", "identifier",
                    "identifiant", "id externe", "reference externe", "crm id", "erp id"),
    "name": ("nom", "title", "titre", "label", "libelle", "designation", "raison sociale", "company name"),
    "description_md": ("description", "desc", "details", "notes", "commentaire"),
    "status": ("statut", "state", "etat"),
    "tags": ("tag", "labels", "keywords", "mots cles", "etiquettes", "categories"),
}  # fmt: skip


class ImportFileError(Exception):
    """The file as a whole cannot be read: the message says why."""


def read_csv(data: bytes, item_type):
    """Parse the file: (column keys, [(line number, {key: cell})], ignored column names,
    [{line, reason}] of the lines that cannot be read: they are rejected, the others go on)."""
    try:
        text = decode_bytes(data).text
    except UnreadableText as exc:
        raise ImportFileError(str(exc)) from exc
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    try:
        header, table = read_table(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    except Unreadable as exc:
        raise ImportFileError(str(exc)) from exc
    if header is None:
        raise ImportFileError(_("The file is empty."))
    # The type's own fields first: a custom field named "reference" is that field, not the id.
    names = {f"fields.{d.key}": (d.key, d.label) for d in item_type.field_definitions.all()}
    columns = Columns({**names, **BASE_COLUMNS})
    keys, ignored = columns.resolve(header)
    if "external_id" not in keys or "name" not in keys:
        raise ImportFileError(
            _("The first line must name the columns, including “external_id” and “name”. Found: %(found)s.")
            % {"found": ", ".join(header) or _("nothing")}
        )
    if not table:
        raise ImportFileError(_("The file has a header line but no rows: there is nothing to import."))
    max_rows = settings.RSE_IMPORT_MAX_ROWS
    if len(table) > max_rows:
        raise ImportFileError(
            _("The file has more than %(max)d rows: split it into smaller files.") % {"max": max_rows}
        )
    rows, broken = [], []
    for row in table:
        if row.error:
            broken.append({"line": row.line, "external_id": "", "name": "", "reason": row.error})
            continue
        rows.append((row.line, columns.row(keys, row.cells)))
    return keys, rows, ignored, broken


def row_payload(values: dict) -> dict:
    payload = {"fields": {}}
    for key, value in values.items():
        if key.startswith("fields."):
            payload["fields"][key.removeprefix("fields.")] = value
        elif key != "external_id":
            payload[key] = value
    if not payload["fields"]:
        del payload["fields"]
    return payload


def _bulk_rows(rows):
    return [(line, values.get("external_id", ""), row_payload(values)) for line, values in rows]


def _preview(plans, rejected):
    rows = [{**row, "action": "reject"} for row in rejected]
    rows += [
        {"line": p["line"], "action": p["action"], "external_id": p["external_id"], "name": p["name"], "reason": ""}
        for p in plans[:PREVIEW_KEEP]
    ]
    return sorted(rows, key=lambda row: row["line"])


def do_start_import(user, item_type, uploaded) -> ImportJob:
    """Store the file and queue its validation. Refuses files over 10 MB or not CSV."""
    if not permissions.can_sync_items(user):
        raise PermissionDenied(_("Only administrators can import items."))
    if uploaded is None:
        raise ValidationError({"file": [_("Choose a CSV file.")]})
    if uploaded.size > MAX_IMPORT_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("This file is %(size)s MB; imports are limited to 10 MB: split it into smaller files.")
                    % {"size": f"{uploaded.size / 1_048_576:.1f}"}
                ]
            }
        )
    if os.path.splitext(uploaded.name or "")[1].lower() not in (".csv", ".txt"):
        raise ValidationError({"file": [_("Upload a .csv file (Excel: File → Save as → CSV).")]})
    with transaction.atomic():
        job = ImportJob(item_type=item_type, created_by=user, original_name=os.path.basename(uploaded.name)[:255])
        job.file.save("import.csv", uploaded, save=False)
        job.save()
        record("repository.import_started", actor=user, obj=job, item_type=item_type.slug)
        jobs.submit(job)
    return job


def _load(job):
    """(rows, ignored columns) of the job's file; raises ImportFileError."""
    with job.file.open("rb") as handle:
        data = handle.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("Imports are limited to 10 MB."))
    _keys, rows, ignored, broken = read_csv(data, job.item_type)
    return rows, ignored, broken


def _claim(job_id, status):
    """Start a run of the step `status` (rse/lib/jobs.py): the job, or None when it is not there."""
    queryset = ImportJob.objects.select_related("created_by").prefetch_related(
        Prefetch("item_type", queryset=list_item_types())
    )
    return jobs.claim(ImportJob, job_id, status, queryset=queryset)


def _progress(job):
    # Written outside the step's transaction: progress and heartbeat are seen at once.
    return lambda n: jobs.fenced(job).update(processed_rows=n, heartbeat_at=timezone.now())


def validate_import(job_id: int) -> None:
    """Task body: read the file, plan every row, store the preview. Writes no item. Idempotent."""
    job = _claim(job_id, ImportJob.Status.VALIDATING)
    if job is None:
        return
    try:
        rows, ignored, broken = _load(job)
    except ImportFileError as exc:
        jobs.fenced(job).update(status=ImportJob.Status.FAILED, error=str(exc), updated_at=timezone.now())
        return
    job.total_rows, job.processed_rows = len(rows), 0
    jobs.fenced(job).update(total_rows=len(rows), processed_rows=0, updated_at=timezone.now())
    plans, rejected = plan_bulk_upsert(job.created_by, job.item_type, _bulk_rows(rows), progress=_progress(job))
    rejected = sorted([*broken, *rejected], key=lambda row: row["line"])
    counts = {"create": 0, "update": 0, "skip": 0, "reject": len(rejected)}
    for plan in plans:
        counts[plan["action"]] += 1
    try:
        jobs.finish(
            job,
            processed_rows=len(rows),
            counts={**counts, "ignored_columns": ignored},
            preview=_preview(plans, rejected),
            status=ImportJob.Status.PREVIEW,
            updated_at=timezone.now(),
        )
    except jobs.Superseded:
        return  # a later run of this step writes the preview


def do_confirm_import(user, job) -> ImportJob:
    if not permissions.can_sync_items(user):
        raise PermissionDenied
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
            status=ImportJob.Status.APPLYING, processed_rows=0
        )
        if updated:
            job.status = ImportJob.Status.APPLYING
            jobs.submit(job)
    job.refresh_from_db()
    return job


def apply_import(job_id: int) -> None:
    """Task body: plan again (the data may have changed since the preview; progress is written on
    the job row meanwhile), then write every valid row in ONE transaction: all or nothing.
    Running it twice changes nothing the second time."""
    job = _claim(job_id, ImportJob.Status.APPLYING)
    if job is None:
        return
    user = job.created_by
    if user is None or not permissions.can_sync_items(user):
        jobs.fenced(job).update(status=ImportJob.Status.FAILED, error=_("Not allowed."))
        return
    try:
        rows, _ignored, broken = _load(job)
    except ImportFileError as exc:
        jobs.fenced(job).update(status=ImportJob.Status.FAILED, error=str(exc))
        return
    jobs.fenced(job).update(total_rows=len(rows), processed_rows=0)
    plans, rejected = plan_bulk_upsert(user, job.item_type, _bulk_rows(rows), progress=_progress(job))
    rejected = sorted([*broken, *rejected], key=lambda row: row["line"])
    started = time.monotonic()
    try:
        with transaction.atomic():
            counts = do_bulk_upsert_items(user, job.item_type, plans)
            counts["reject"] = len(rejected)
            jobs.finish(
                job,
                status=ImportJob.Status.DONE,
                total_rows=len(rows),
                processed_rows=len(rows),
                counts={**job.counts, "applied": counts},
                preview=_preview(plans, rejected),
                updated_at=timezone.now(),
            )
            record("repository.import_applied", actor=user, obj=job, item_type=job.item_type.slug, **counts)
        logger.info("import %s: %d rows written in %.1f s", job.pk, len(plans), time.monotonic() - started)
    except jobs.Superseded:
        return  # rolled back: the run that took the job over writes the items
    except Exception as exc:
        jobs.fenced(job).update(status=ImportJob.Status.FAILED, error=str(exc)[:2000])
        raise


IMPORT_JOBS = jobs.JobKind(
    name="repository.import",
    model=ImportJob,
    label=gettext_lazy("Item import"),
    steps={
        ImportJob.Status.VALIDATING: jobs.Step("repository.validate_import"),
        ImportJob.Status.APPLYING: jobs.Step("repository.apply_import"),
    },
    can_manage=lambda user, job: (
        permissions.can_sync_items(user) and (job.created_by_id == user.pk or is_administrator(user))
    ),
    url=lambda job: reverse("repository:import_detail", args=[job.pk]),
    progress=lambda job: (job.processed_rows, job.total_rows),
    unit=gettext_lazy("rows"),
)


def current_progress(job) -> int:
    return job.processed_rows
