from celery import shared_task
from django.db import OperationalError

from directory.imports import do_purge_old_imports, mark_import_failed, run_import


@shared_task(bind=True, acks_late=True, max_retries=3)
def apply_import_task(self, job_id: int) -> None:
    """Apply a confirmed import (contacts or HR). Idempotent: only a job still QUEUED is claimed, so a
    redelivery or a second call does nothing. A transient database error is retried with backoff."""
    try:
        run_import(job_id)
    except OperationalError as exc:
        if self.request.retries >= self.max_retries:
            mark_import_failed(job_id, exc)
            return
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc


@shared_task(acks_late=True)
def purge_old_imports(days: int = 7) -> int:
    """Daily housekeeping (schedule it in CELERY_BEAT_SCHEDULE): drop unconfirmed uploads."""
    return do_purge_old_imports(days)
