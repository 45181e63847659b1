"""CSV import of items: upload → validate (preview: create / update / skip / reject with the
reason, per row) → confirm → apply in one transaction. Upsert by (type, external_id), so
importing the same file twice changes nothing the second time.

Both long steps run as Celery tasks (tasks.py) and report progress on the ImportJob row
(validation) or in the cache (application, which is one transaction and so cannot commit
progress rows as it goes).
"""

import codecs
import csv
import io
import os

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from repository import permissions
from repository.models import ImportJob, Item
from repository.selectors import visible_items
from rse.lib.text import normalize
from rse.trail.services import record

MAX_IMPORT_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY = 200
PREVIEW_KEEP = 500  # rows to create/update/skip kept for the preview table (every rejected row is kept)

BASE_COLUMNS = {
    "external_id": "external_id",
    "external id": "external_id",
    "id": "external_id",
    "name": "name",
    "nom": "name",
    "description": "description_md",
    "status": "status",
    "statut": "status",
    "tags": "tags",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read: the message says why."""


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with BOM), else Windows-1252 (Excel on Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes, item_type) -> tuple[list[str], list[tuple[int, dict]], list[str]]:
    """Parse the file: (column keys, [(line number, {key: cell})], ignored column names)."""
    try:
        text = decode_csv(data)
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not valid UTF-8 or UTF-16 text.")) from exc
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    known = dict(BASE_COLUMNS)
    for definition in item_type.field_definitions.all():
        known[normalize(definition.key)] = f"fields.{definition.key}"
        known[normalize(definition.label)] = f"fields.{definition.key}"
    keys, ignored = [], []
    for column in header:
        key = known.get(normalize(column).replace("_", " ")) or known.get(normalize(column))
        keys.append(key)
        if key is None and column.strip():
            ignored.append(column.strip())
    if "external_id" not in keys or "name" not in keys:
        raise ImportFileError(
            _("The first line must name the columns, including “external_id” and “name”. Found: %(found)s.")
            % {"found": ", ".join(header) or _("nothing")}
        )
    rows = []
    max_rows = settings.RSE_IMPORT_MAX_ROWS
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                raise ImportFileError(
                    _("The file has more than %(max)d rows: split it into smaller files.") % {"max": max_rows}
                )
            values = {}
            for key, cell in zip(keys, cells, strict=False):
                if key is not None:
                    values[key] = cell.strip()
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d cannot be read: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc
    return keys, rows, ignored


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


def _plan_row(user, item_type, values, existing, seen) -> tuple[str, str]:
    """('create'|'update'|'skip'|'reject', reason) for one row, without writing anything."""
    from repository.services import _snapshot, check_item_data

    external_id = values.get("external_id", "")
    if not external_id:
        return "reject", _("The external_id is empty.")
    if external_id in seen:
        return "reject", _("The external id %(id)s already appears on line %(line)d.") % {
            "id": external_id,
            "line": seen[external_id],
        }
    payload = row_payload(values)
    if existing is not None and existing.deleted_at is None and not visible_items(user).filter(pk=existing.pk).exists():
        return "reject", _("You are not allowed to change this item.")
    try:
        if existing is None:
            check_item_data(user, item_type, {**payload, "external_id": external_id}, strict=False)
            return "create", ""
        cleaned = check_item_data(user, item_type, payload, instance=existing, partial=True, strict=False)
    except ValidationError as exc:
        reasons = []
        for field, messages in exc.message_dict.items():
            label = field.removeprefix("fields.")
            reasons.append(f"{label}: {' '.join(messages)}")
        return "reject", "; ".join(reasons)
    if existing.deleted_at is not None:
        return "update", ""
    current = _snapshot(existing)
    if all(_same(current, key, value, existing) for key, value in cleaned.items()):
        return "skip", _("Unchanged.")
    return "update", ""


def _same(current, key, value, existing) -> bool:
    from repository.services import parse_tags

    if key == "fields":
        return (existing.fields or {}) == value
    if key == "description_md":
        return current["description"] == value
    if key == "tags":
        return sorted(current["tags"]) == sorted(parse_tags(value))
    return current.get(key) == value


def do_start_import(user, item_type, uploaded) -> ImportJob:
    """Store the file and queue its validation. Refuses files over 10 MB or not CSV."""
    from repository.tasks import validate_import_task

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
        validate_import_task.delay_on_commit(job.pk)
    return job


def validate_import(job_id: int) -> None:
    """Task body: read the file, plan every row, store the preview. Idempotent."""
    job = ImportJob.objects.select_related("item_type", "created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.VALIDATING:
        return
    item_type = job.item_type
    try:
        with job.file.open("rb") as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise ImportFileError(_("Imports are limited to 10 MB."))
        _keys, rows, ignored = read_csv(data, item_type)
    except ImportFileError as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
        job.save(update_fields=["status", "error", "updated_at"])
        return
    job.total_rows, job.processed_rows = len(rows), 0
    job.save(update_fields=["total_rows", "processed_rows", "updated_at"])
    ids = [values.get("external_id") for _line, values in rows if values.get("external_id")]
    existing = {}
    for start in range(0, len(ids), 500):
        for item in Item.objects.filter(item_type=item_type, external_id__in=ids[start : start + 500]):
            existing[item.external_id] = item
    counts = {"create": 0, "update": 0, "skip": 0, "reject": 0}
    preview, seen = [], {}
    for index, (line, values) in enumerate(rows, start=1):
        external_id = values.get("external_id", "")
        action, reason = _plan_row(job.created_by, item_type, values, existing.get(external_id), seen)
        if action != "reject":
            seen[external_id] = line
        counts[action] += 1
        if action == "reject" or len(preview) < PREVIEW_KEEP:
            preview.append(
                {
                    "line": line,
                    "action": action,
                    "external_id": external_id,
                    "name": values.get("name", ""),
                    "reason": reason,
                }
            )
        if index % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=index)
    job.processed_rows = len(rows)
    job.counts = {**counts, "ignored_columns": ignored}
    job.preview = preview
    job.status = ImportJob.Status.PREVIEW
    job.save(update_fields=["processed_rows", "counts", "preview", "status", "updated_at"])


def do_confirm_import(user, job) -> ImportJob:
    from repository.tasks import apply_import_task

    if not permissions.can_sync_items(user):
        raise PermissionDenied
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
            status=ImportJob.Status.APPLYING, processed_rows=0
        )
        if updated:
            apply_import_task.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


def progress_key(job_id) -> str:
    return f"repository:import:{job_id}:progress"


def apply_import(job_id: int) -> None:
    """Task body: upsert every valid row in ONE transaction (all or nothing). Rows that became
    invalid since the preview are skipped and reported. Running it twice changes nothing."""
    from repository.services import do_upsert_item

    job = ImportJob.objects.select_related("item_type", "created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.APPLYING:
        return
    try:
        with job.file.open("rb") as handle:
            _keys, rows, _ignored = read_csv(handle.read(MAX_IMPORT_BYTES + 1), job.item_type)
    except ImportFileError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(exc))
        return
    counts = {"create": 0, "update": 0, "skip": 0, "reject": 0}
    rejected, seen = [], set()
    try:
        with transaction.atomic():
            for index, (line, values) in enumerate(rows, start=1):
                external_id = values.get("external_id", "")
                if not external_id or external_id in seen:
                    counts["reject"] += 1
                    continue
                seen.add(external_id)
                try:
                    with transaction.atomic():
                        _item, created, changes = do_upsert_item(
                            job.created_by, job.item_type, external_id, row_payload(values)
                        )
                except (ValidationError, PermissionDenied, Http404) as exc:
                    counts["reject"] += 1
                    reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else _("Not allowed.")
                    rejected.append({"line": line, "action": "reject", "external_id": external_id, "reason": reason})
                    continue
                counts["create" if created else ("update" if changes else "skip")] += 1
                if index % PROGRESS_EVERY == 0:
                    cache.set(progress_key(job.pk), index, 3600)
            job.status = ImportJob.Status.DONE
            job.processed_rows = len(rows)
            job.counts = {**job.counts, "applied": counts}
            if rejected:
                job.preview = rejected + [row for row in job.preview if row["action"] != "reject"]
            job.save(update_fields=["status", "processed_rows", "counts", "preview", "updated_at"])
            record("repository.import_applied", actor=job.created_by, obj=job, **counts)
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(exc)[:2000])
        raise
    finally:
        cache.delete(progress_key(job.pk))


def current_progress(job) -> int:
    """Rows handled so far (the applying step reports through the cache)."""
    if job.status == ImportJob.Status.APPLYING:
        return int(cache.get(progress_key(job.pk)) or 0)
    return job.processed_rows
