from celery import shared_task

RETRY = {"autoretry_for": (ConnectionError,), "retry_backoff": True, "max_retries": 3}


@shared_task(name="repository.validate_import", acks_late=True, **RETRY)
def validate_import_task(job_id: int):
    from repository.imports import validate_import

    validate_import(job_id)


@shared_task(name="repository.apply_import", acks_late=True, **RETRY)
def apply_import_task(job_id: int):
    from repository.imports import apply_import

    apply_import(job_id)
