from celery import shared_task

from directory.imports import run_import


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def apply_import_task(job_id: int) -> None:
    """Apply a confirmed import (contacts or HR). Idempotent: only a job still QUEUED is claimed."""
    run_import(job_id)
