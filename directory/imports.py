"""Imports into the contact book (vCard, CSV, LinkedIn Connections.csv) and the job life cycle they
share with HR provisioning: upload → preview → confirm → a Celery task applies it.

Reading is forgiving about encodings (UTF-8 with or without BOM, UTF-16, Windows-1252) and strict
about content: every row is either valid or rejected with its line number and a reason. The parsed
rows wait in the ImportJob between preview and confirm; the apply step recomputes the plan against
the database at that moment and runs in one transaction, so nothing is ever half-imported and a
second run of the same file finds nothing to do.
"""

import base64
import binascii
import csv
import re
from datetime import timedelta

import vobject
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import Contact, Follow, FollowSuggestion, ImportJob
from directory.permissions import can_manage_import, can_provision_hr, is_colleague
from directory.selectors import users_by_email
from directory.services import (
    clean_emails,
    clean_list,
    contact_match_key,
    contact_photo_bytes,
    index_contact,
)
from rse.lib import jobs
from rse.lib.csvfiles import Columns, Unreadable, header_key, ignored_warning, read_table
from rse.lib.textfiles import DecodedText, UnreadableText, decode_bytes
from rse.trail.services import record

PREVIEW_ROWS = 200


class ImportRefused(ValidationError):
    """The whole file is refused (too big, too many rows, not the expected format)."""


# --- Reading bytes --------------------------------------------------------------------------


def read_upload(upload) -> tuple[DecodedText, str]:
    max_bytes = settings.RSE_MAX_UPLOAD_BYTES
    if upload.size > max_bytes:
        raise ImportRefused(
            _("The file is %(size)d MB; the limit is %(max)d MB.")
            % {"size": upload.size // (1024 * 1024), "max": max_bytes // (1024 * 1024)}
        )
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ImportRefused(_("The file is larger than %(max)d MB.") % {"max": max_bytes // (1024 * 1024)})
    if not raw.strip():
        raise ImportRefused(_("The file is empty."))
    try:
        return decode_bytes(raw), getattr(upload, "name", "") or ""
    except UnreadableText as exc:
        raise ImportRefused(str(exc)) from exc


def check_row_count(count: int) -> None:
    if count > settings.RSE_IMPORT_MAX_ROWS:
        raise ImportRefused(
            _("The file has %(n)d rows; at most %(max)d can be imported at once. Split it in smaller files.")
            % {"n": count, "max": settings.RSE_IMPORT_MAX_ROWS}
        )


# --- CSV ------------------------------------------------------------------------------------


def read_csv(decoded: DecodedText, *, columns: Columns, skip_until=None):
    """(fields found, rows, ignored column names) of a CSV; each row is (line_number, {field: value})
    or (line_number, error). `columns` names the fields and the headers files give them.

    `skip_until(header_keys)` lets LinkedIn's export skip its "Notes:" preamble. A file with a header
    and no row is refused: a preview of nothing with a working Confirm button helps nobody.
    """
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    start = 0
    if skip_until is not None:
        for i, line in enumerate(lines):
            if skip_until([header_key(c) for c in next(csv.reader([line]), [])]):
                start = i
                break
        else:
            raise ImportRefused(_("This does not look like the expected file: its header line was not found."))
    try:
        header, table = read_table(lines[start:], first_line=start + 1)
    except Unreadable as exc:
        raise ImportRefused(str(exc)) from exc
    if header is None:
        raise ImportRefused(_("The file has no header line."))
    fields, ignored = columns.resolve(header)
    rows = []
    for row in table:
        values = row.cells
        if row.error:
            rows.append((row.line, row.error))
        elif decoded.bad_lines and any(n in decoded.bad_lines for n in range(row.line, row.last_line + 1)):
            rows.append((row.line, _("unreadable line: it is not valid text in this file's encoding")))
        elif "\x00" in "".join(values) or "\ufffd" in "".join(values):
            rows.append((row.line, _("unreadable line: it contains characters that are not text")))
        elif len(values) > len(fields) and any(v.strip() for v in values[len(fields) :]):
            n, m = len(values), len(fields)
            rows.append((row.line, _("unreadable line: %(n)d columns where the header has %(m)d") % {"n": n, "m": m}))
        else:
            rows.append((row.line, columns.row(fields, values)))
    if not rows:
        raise ImportRefused(_("The file has a header line but no rows: there is nothing to import."))
    check_row_count(len(rows))
    return {f for f in fields if f}, rows, ignored


def pick(row: dict, *names) -> str:
    for name in names:
        value = row.get(name)
        if value:
            return value
    return ""


def split_multi(value: str, pattern=r"\s*(?:;|\||:::|,)\s*") -> list[str]:
    return [v for v in re.split(pattern, value or "") if v.strip()]


CONTACT_COLUMNS = Columns(
    {
        "name": ("full name", "fullname", "display name", "nom complet", "contact", "contact name"),
        "first_name": ("first name", "firstname", "given name", "prenom"),
        "last_name": ("last name", "lastname", "surname", "family name", "nom", "nom de famille"),
        "company": ("organization", "organisation", "organization 1 name", "societe", "entreprise", "employer"),
        "job_title": ("job title", "title", "position", "poste", "fonction", "organization 1 title"),
        "url": ("website", "web", "site web", "website 1 value", "web page", "linkedin"),
        "notes": ("note", "comment", "comments", "commentaire", "commentaires", "remarques"),
        "tags": ("labels", "groups", "group membership", "categories", "etiquettes", "tag"),
    },
    prefixes={
        "emails": ("email", "emails", "e mail", "email address", "e mail address", "mail", "courriel"),
        "phones": ("phone", "phones", "telephone", "mobile", "tel", "work phone", "mobile phone", "portable"),
    },
    multi=("emails", "phones"),
)
# Columns of a Google or Outlook export that say how a value is labelled, not a value to import.
_TYPE_COLUMN = re.compile(r"^(e ?mail|phone|website|organization|address) \d+ (type|label)$")


def csv_contact_rows(decoded, warnings=None):
    fields, rows, ignored = read_csv(decoded, columns=CONTACT_COLUMNS)
    if not fields & {"name", "first_name", "last_name"}:
        raise ImportRefused(_("The CSV needs a “name” column (or “first name” and “last name”)."))
    _warn_ignored(warnings, [c for c in ignored if not _TYPE_COLUMN.match(header_key(c))])
    for line, row in rows:
        if isinstance(row, str):
            yield line, row
            continue
        name = row.get("name") or f"{row.get('first_name', '')} {row.get('last_name', '')}".strip()
        yield (
            line,
            {
                "name": name,
                "company": row.get("company", ""),
                "job_title": row.get("job_title", ""),
                "emails": split_multi(row.get("emails", ""), r"[\s;,|]+|:::"),
                "phones": split_multi(row.get("phones", ""), r"\s*(?:;|\||:::)\s*"),
                "url": row.get("url", ""),
                "notes": row.get("notes", ""),
                "tags": split_multi(row.get("tags", "")),
            },
        )


LINKEDIN_COLUMNS = Columns(
    {
        "first_name": ("first name",),
        "last_name": ("last name",),
        "url": ("url",),
        "email": ("email address",),
        "company": ("company",),
        "position": ("position",),
        "connected_on": ("connected on",),
    }  # fmt: skip
)


def linkedin_rows(decoded, warnings=None):
    """LinkedIn's Connections.csv: a few "Notes:" lines, then
    First Name,Last Name,URL,Email Address,Company,Position,Connected On."""
    _fields, rows, ignored = read_csv(
        decoded, columns=LINKEDIN_COLUMNS, skip_until=lambda cols: "first name" in cols and "last name" in cols
    )
    _warn_ignored(warnings, ignored)
    for line, row in rows:
        if isinstance(row, str):
            yield line, row
            continue
        yield (
            line,
            {
                "name": f"{row.get('first_name', '')} {row.get('last_name', '')}".strip(),
                "company": row.get("company", ""),
                "job_title": row.get("position", ""),
                "emails": [row["email"]] if row.get("email") else [],
                "phones": [],
                "url": row.get("url", ""),
                "notes": "",
                "tags": ["LinkedIn"],
            },
        )


def _warn_ignored(warnings, ignored):
    message = ignored_warning(ignored)
    if message and warnings is not None:
        warnings.append(message)


def _vcard_blocks(text):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block, start = None, 0
    for number, line in enumerate(lines, start=1):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if block is not None:
                yield start, "unterminated"
            block, start = [line], number
        elif block is not None:
            block.append(line)
            if upper == "END:VCARD":
                yield start, "\r\n".join(block) + "\r\n"
                block = None
        elif line.strip():
            yield number, "outside"
    if block is not None:
        yield start, "unterminated"


def _values(card, name):
    return [c.value for c in card.contents.get(name, [])]


def _text(value):
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value if v).strip()
    return str(value or "").strip()


PHOTO_MAX_RAW = 2 * 1024 * 1024


DATA_URI_PHOTO = re.compile(r"^PHOTO[^:\n]*:(data:[^,\n]*),([^\n]*)$", re.IGNORECASE | re.MULTILINE)


def _photo(card, block):
    """The card's own photo as bytes: inline (vCard 3 ENCODING=b, vCard 4 data: URI). A photo
    given as a web address is left out (we never fetch what an uploaded file points to);
    b"" stands for a photo that is there but unreadable."""
    for line in card.contents.get("photo", []):
        if isinstance(line.value, bytes):  # vobject decoded ENCODING=b itself
            return line.value
    # vobject cuts a data: URI at its comma: read it from the unfolded card text.
    match = DATA_URI_PHOTO.search(re.sub(r"\r?\n[ \t]", "", block))
    if match is None:
        if not card.contents.get("photo"):
            return None
        return PHOTO_AT_ADDRESS if _is_web_address(card) else b""
    if ";base64" not in match.group(1).lower():
        return b""
    try:
        return base64.b64decode(match.group(2).strip(), validate=False)
    except (binascii.Error, ValueError):
        return b""


def _is_web_address(card):
    return all(str(line.value).lower().startswith(("http://", "https://")) for line in card.contents["photo"])


def vcard_rows(decoded, warnings=None):
    blocks = list(_vcard_blocks(decoded.text))
    if not any(block.startswith("BEGIN") for _line, block in blocks):
        raise ImportRefused(_("No vCard found in this file (it should contain BEGIN:VCARD … END:VCARD)."))
    check_row_count(len(blocks))
    for line, block in blocks:
        if block == "outside":
            yield line, _("unreadable line: text outside of a BEGIN:VCARD … END:VCARD card")
            continue
        if block == "unterminated":
            yield line, _("unreadable card: it has no END:VCARD line")
            continue
        try:
            card = vobject.readOne(block, ignoreUnreadable=True)
        except Exception:  # vobject raises many kinds of errors on broken cards
            yield line, _("unreadable card: it does not follow the vCard format")
            continue
        name = _text(_values(card, "fn")[:1] and _values(card, "fn")[0])
        if not name and _values(card, "n"):
            n = _values(card, "n")[0]
            name = " ".join(p for p in (_text(n.given), _text(n.additional), _text(n.family)) if p)
        org = _values(card, "org")
        company = _text(org[0][0]) if org and isinstance(org[0], list | tuple) and org[0] else _text(org[:1])
        tags = [t for value in _values(card, "categories") for t in (value if isinstance(value, list) else [value])]
        phones = [_text(v).removeprefix("tel:") for v in _values(card, "tel")]
        yield (
            line,
            {
                "name": name,
                "company": company,
                "job_title": _text(_values(card, "title")[:1] and _values(card, "title")[0]),
                "emails": [_text(v) for v in _values(card, "email")],
                "phones": phones,
                "url": _text(_values(card, "url")[:1] and _values(card, "url")[0]),
                "notes": _text(_values(card, "note")[:1] and _values(card, "note")[0]),
                "tags": tags,
                "photo": _photo_field(_photo(card, block)),
            },
        )


PHOTO_AT_ADDRESS, PHOTO_TOO_LARGE = "!address", "!too-large"  # markers, never valid base64


def _photo_field(raw):
    if raw is None or raw == PHOTO_AT_ADDRESS:
        return raw
    if len(raw) > PHOTO_MAX_RAW:
        return PHOTO_TOO_LARGE
    return base64.b64encode(raw).decode()


# --- Validation, plan and apply for contacts ------------------------------------------------

READERS = {
    ImportJob.Kind.CSV: csv_contact_rows,
    ImportJob.Kind.LINKEDIN: linkedin_rows,
    ImportJob.Kind.VCARD: vcard_rows,
}


def _check_photo(line, name, encoded, warnings):
    """The photo as a small JPEG (base64), or "" with a warning: a contact is never rejected for
    its photo, it comes in without it."""
    if encoded is None:
        return ""
    if encoded == PHOTO_AT_ADDRESS:
        problem = _("the photo is a web address, which is not fetched")
    elif encoded == PHOTO_TOO_LARGE:
        problem = _("the photo is larger than 2 MB")
    else:
        try:
            return base64.b64encode(contact_photo_bytes(base64.b64decode(encoded or b""))).decode()
        except (ValidationError, binascii.Error, ValueError):
            problem = _("the photo is not an image we can read")
    warnings.append(
        _("Line %(line)d (%(name)s): %(problem)s; the contact comes in without it.")
        % {"line": line, "name": name, "problem": problem}
    )
    return ""


def validate_contact_rows(parsed, warnings=None):
    """Split parsed rows into valid rows and rejected rows (line, reason), duplicates included.
    Problems that cost a detail but not the row (an unreadable photo) go to `warnings`."""
    warnings = [] if warnings is None else warnings
    valid, rejected, seen = [], [], {}
    for line, data in parsed:
        if isinstance(data, str):
            rejected.append({"line": line, "reason": data})
            continue
        name = " ".join((data.get("name") or "").split())
        if not name:
            rejected.append({"line": line, "reason": _("missing name")})
            continue
        try:
            emails = clean_emails(data.get("emails"))
        except ValidationError as exc:
            rejected.append({"line": line, "name": name, "reason": _("bad e-mail: %(e)s") % {"e": exc.messages[0]}})
            continue
        url = (data.get("url") or "").strip()
        if url and not re.match(r"^https?://", url):
            url = ""
        row = {
            "name": name[:200],
            "company": " ".join((data.get("company") or "").split())[:200],
            "job_title": " ".join((data.get("job_title") or "").split())[:200],
            "emails": emails,
            "phones": clean_list(data.get("phones"), max_len=40),
            "url": url[:500],
            "notes": (data.get("notes") or "")[:5000],
            "tags": clean_list(data.get("tags"), max_len=40),
            "photo": _check_photo(line, name, data.get("photo"), warnings),
        }
        key = contact_match_key(row["name"], row["company"], emails)
        if key in seen:
            rejected.append(
                {"line": line, "name": name, "reason": _("duplicate of line %(line)d") % {"line": seen[key]}}
            )
            continue
        seen[key] = line
        valid.append({"line": line, "key": key, "data": row})
    return valid, rejected


def _merge(existing: list, incoming: list) -> list:
    return existing + [v for v in incoming if v not in existing]


def plan_contacts(owner, kind, rows):
    """What applying `rows` would do now: a list of (action, row, contact-or-None, changes)."""
    colleague_ids = users_by_email(e for r in rows for e in r["data"]["emails"][:1])
    colleague_ids.pop(owner.email.lower(), None)
    existing = {c.match_key: c for c in Contact.objects.filter(owner=owner)}
    suggested = set(FollowSuggestion.objects.filter(user=owner).values_list("suggested_id", flat=True))
    followed = set(Follow.objects.filter(follower=owner).values_list("followed_id", flat=True))
    plan = []
    for row in rows:
        data = row["data"]
        colleague_id = colleague_ids.get(data["emails"][0]) if data["emails"] else None
        if kind == ImportJob.Kind.LINKEDIN and colleague_id:
            action = "skip" if colleague_id in suggested or colleague_id in followed else "suggest"
            plan.append((action, row, colleague_id, {}))
            continue
        key = f"user:{colleague_id}" if colleague_id else row["key"]
        contact = existing.get(key)
        if contact is None:
            plan.append(("create", row, colleague_id, {}))
            continue
        changes = {}
        for name in ("name", "company", "job_title", "url", "notes"):
            if data[name] and data[name] != getattr(contact, name) and not (colleague_id and name == "name"):
                changes[name] = data[name]
        for name in ("emails", "phones", "tags"):
            merged = _merge(getattr(contact, name) or [], data[name])
            if merged != (getattr(contact, name) or []):
                changes[name] = merged
        if data.get("photo") and not contact.photo:  # a photo chosen by hand is never replaced
            changes["photo"] = data["photo"]
        plan.append(("update" if changes else "skip", row, contact, changes))
    return plan


def summarise(plan, rejected):
    counts = {"create": 0, "update": 0, "skip": 0, "suggest": 0}
    for action, *_rest in plan:
        counts[action] += 1
    counts["reject"] = len(rejected)
    return counts


def apply_contacts(job, progress=None):
    plan = plan_contacts(job.owner, job.kind, job.rows)
    to_create, to_update, suggestions = [], [], []
    for action, row, target, changes in plan:
        data = dict(row["data"])
        photo = data.pop("photo", "") if action == "create" else changes.pop("photo", "")
        if action == "create":
            contact = Contact(owner=job.owner, colleague_id=target, **data)
            contact.match_key = f"user:{target}" if target else row["key"]
            index_contact(contact)
            to_create.append(contact)
        elif action == "update":
            contact = target
            for name, value in changes.items():
                setattr(target, name, value)
            index_contact(target)
            to_update.append(target)
        if photo and action in ("create", "update"):
            # Stored now, under its own unguessable name; the row points at it when saved below.
            contact.photo.save("photo.jpg", ContentFile(base64.b64decode(photo)), save=False)
        elif action == "suggest":
            suggestions.append(
                FollowSuggestion(user=job.owner, suggested_id=target, source=FollowSuggestion.Source.LINKEDIN)
            )
    Contact.objects.bulk_create(to_create, batch_size=500)
    fields = [
        "name", "company", "job_title", "emails", "phones", "url", "notes", "tags", "photo", "search_text", "sort_name", "updated_at",
    ]  # fmt: skip
    now = timezone.now()
    for contact in to_update:
        contact.updated_at = now
    Contact.objects.bulk_update(to_update, fields, batch_size=500)
    FollowSuggestion.objects.bulk_create(suggestions, ignore_conflicts=True, batch_size=500)
    if progress:
        progress(len(plan))
    counts = summarise(plan, job.rejected)
    record("directory.contacts_imported", actor=job.owner, obj=job, kind=job.kind, **counts)
    return counts


# --- The job life cycle (contacts and HR) ---------------------------------------------------


def check_create_import(user, kind):
    if kind == ImportJob.Kind.HR:
        if not can_provision_hr(user):
            raise PermissionDenied(_("Only HR analysts and administrators can provision employees."))
    elif not is_colleague(user):
        raise PermissionDenied


def do_create_import(user, kind, upload, *, full_sync=False) -> ImportJob:
    """Read and validate the upload, store its rows and the preview. Raises ImportRefused with a
    message when the whole file is refused. `full_sync` (HR only): the file is the complete list, so
    provisioned employees missing from it are leavers."""
    from directory import hr

    check_create_import(user, kind)
    decoded, filename = read_upload(upload)
    blocking, warnings = [], []
    if kind == ImportJob.Kind.HR:
        rows, rejected, blocking, warnings = hr.parse_hr(decoded)
        if full_sync and any(not r.get("employee_id") for r in rejected):
            blocking.append(
                _("Some lines cannot be read, so the file is not a complete list we can trust to find leavers: "
                  "correct them, or import it without “complete list”.")
            )  # fmt: skip
        preview = hr.preview_hr(rows, full_sync=full_sync, rejected=rejected)
        warnings += preview.pop("warnings", [])
    else:
        rows, rejected = validate_contact_rows(READERS[kind](decoded, warnings), warnings)
        plan = plan_contacts(user, kind, rows)
        preview = {
            "counts": summarise(plan, rejected),
            "rows": [
                {"line": r["line"], "action": action, "name": r["data"]["name"], "changes": sorted(changes)}
                for action, r, _t, changes in plan[:PREVIEW_ROWS]
            ],
        }
    preview["warnings"] = warnings
    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=user,
            kind=kind,
            filename=filename[:255],
            encoding=decoded.encoding,
            rows=rows,
            rejected=rejected,
            blocking_errors=blocking,
            preview=preview,
            total=len(rows),
        )
        record("directory.import_uploaded", actor=user, obj=job, kind=kind, rows=len(rows), rejected=len(rejected))
    return job


def check_confirm_import(user, job):
    if not can_manage_import(user, job):
        raise PermissionDenied
    if job.blocking_errors:
        raise ValidationError(_("This file cannot be imported: fix the errors listed and upload it again."))
    if job.status != ImportJob.Status.PREVIEW:
        raise ValidationError(_("This import has already been confirmed."))


def do_confirm_import(user, job) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        check_confirm_import(user, job)
        job.status = ImportJob.Status.QUEUED
        job.save(update_fields=["status", "updated_at"])
        record("directory.import_confirmed", actor=user, obj=job, kind=job.kind)
        jobs.submit(job)
    return job


@transaction.atomic
def do_cancel_import(user, job) -> None:
    if not can_manage_import(user, job):
        raise PermissionDenied
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.CANCELLED, rows=[], finished_at=timezone.now()
    )


IMPORT_JOBS = jobs.JobKind(
    name="directory.import",
    model=ImportJob,
    label=gettext_lazy("Import"),
    steps={
        ImportJob.Status.QUEUED: jobs.Step("directory.tasks.apply_import_task"),
        ImportJob.Status.RUNNING: jobs.Step("directory.tasks.apply_import_task", requeue_as=ImportJob.Status.QUEUED),
    },
    can_manage=can_manage_import,
    url=lambda job: reverse("directory:import", args=[job.pk]),
    on_cancel=lambda job: {"rows": [], "finished_at": timezone.now()},
    progress=lambda job: (job_progress(job), job.total),
    unit=gettext_lazy("rows"),
)


def progress_key(job_id) -> str:
    return f"directory:import:{job_id}:processed"


def job_progress(job) -> int:
    """Rows processed so far: the task reports through the cache while its transaction is open."""
    if job.status == ImportJob.Status.RUNNING:
        return cache.get(progress_key(job.pk), job.processed)
    return job.processed


def mark_import_failed(job_id, exc) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.DONE).update(
        status=ImportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
    )


@transaction.atomic
def do_purge_old_imports(days=7) -> int:
    """Forget uploads nobody confirmed and the rows of old finished jobs (they may hold personal data)."""
    cutoff = timezone.now() - timedelta(days=days)
    stale = ImportJob.objects.filter(created_at__lt=cutoff)
    deleted, _detail = stale.filter(status__in=[ImportJob.Status.PREVIEW, ImportJob.Status.CANCELLED]).delete()
    stale.filter(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED]).exclude(rejected=[]).update(rejected=[])
    return deleted


def run_import(job_id) -> None:
    """Apply a confirmed import once. Safe to call twice: only a QUEUED job is claimed, and a run
    that lost the job meanwhile (re-queued as stalled, cancelled) is rolled back (rse/lib/jobs.py)."""
    from directory import hr

    job = jobs.claim(ImportJob, job_id, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    if job is None:
        return

    def progress(n):
        cache.set(progress_key(job_id), n, timeout=3600)
        jobs.heartbeat(job)

    try:
        with transaction.atomic():
            if job.kind == ImportJob.Kind.HR:
                result = hr.apply_hr(job, progress=progress)
            else:
                result = apply_contacts(job, progress=progress)
            # The parsed rows were only needed until now; the report (counts, rejected rows) stays.
            jobs.finish(
                job,
                status=ImportJob.Status.DONE,
                rows=[],
                result=result,
                processed=job.total,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
    except jobs.Superseded:
        return  # rolled back: the run that took the job over does the work
    except OperationalError:
        # A transient database error (SQLite "database is locked", a lost connection): nothing was
        # written, so hand the job back to the queue for the task's retry.
        jobs.fenced(job).update(status=ImportJob.Status.QUEUED)
        raise
    except Exception as exc:
        jobs.fenced(job).update(status=ImportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    finally:
        cache.delete(progress_key(job_id))
