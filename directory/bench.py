"""Benchmark of HR provisioning: `python manage.py bench_hr_sync --rows 10000`.

Builds an HR CSV of N employees (5-level org paths, 3 sites, managers listed *after* their reports
so links must be resolved at the end), then times: parse + preview, first apply (all creates), a second
apply of the same file (all unchanged) and a third where every title changed (all updates). Everything runs in a transaction that is rolled back,
so the database is left as it was (unless keep=True).
"""

import csv
import io
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from directory.imports import do_create_import, run_import
from directory.models import ImportJob
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role

UNITS = [
    "Bench Corp/Operations/Manufacturing",
    "Bench Corp/Operations/Supply chain",
    "Bench Corp/Technology/IT",
    "Bench Corp/Technology/R&D",
    "Bench Corp/Sales/Key accounts",
]
SITES = ["Bench Paris", "Bench Lyon", "Bench Nantes"]


def build_csv(rows: int, title="Engineer") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "employee_id",
            "email",
            "first_name",
            "last_name",
            "title",
            "org_unit_path",
            "site",
            "manager_employee_id",
            "active",
        ]
    )
    # Reverse order: reports before their managers.
    for i in reversed(range(rows)):
        manager = f"B{(i - 1) // 10:06d}" if i else ""
        writer.writerow(
            [
                f"B{i:06d}",
                f"bench.{i}@bench.example",
                f"Hélène{i}",
                f"Dupré{i}",
                title,
                UNITS[i % len(UNITS)],
                SITES[i % len(SITES)],
                manager,
                "no" if i % 97 == 5 else "yes",
            ]
        )
    return out.getvalue().encode("utf-8")


class _Rollback(Exception):
    pass


def run(rows=10_000, keep=False, out=print):
    files = {
        "first apply (creates)": build_csv(rows),
        "second apply (no change)": build_csv(rows),
        "third apply (every title changed)": build_csv(rows, title="Senior engineer"),
    }
    timings = {}
    try:
        with transaction.atomic():
            actor = User.objects.create_user("bench-hr@bench.example", first_name="Bench", last_name="HR")
            do_grant_role(actor, Role.HR_ANALYST)
            for label, data in files.items():
                start = time.perf_counter()
                job = do_create_import(actor, ImportJob.Kind.HR, SimpleUploadedFile("bench.csv", data))
                parsed = time.perf_counter()
                ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
                run_import(job.pk)
                done = time.perf_counter()
                job.refresh_from_db()
                timings[label] = (parsed - start, done - parsed, job.result)
                out(
                    f"{label}: upload+preview {parsed - start:.2f}s, apply {done - parsed:.2f}s "
                    f"(created {job.result['create']}, updated {job.result['update']}, unchanged {job.result['skip']}, "
                    f"deactivated {job.result['deactivate']}, managers {job.result['managers']})"
                )
            if not keep:
                raise _Rollback
    except _Rollback:
        pass
    return timings
