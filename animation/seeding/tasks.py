"""Seeding's Celery tasks: take ids, idempotent (a second run finds the row claimed), acks_late."""

from celery import shared_task

from animation.seeding import services

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="animation.seeding.publish_due_posts", acks_late=True)
def publish_due_posts_task():
    """Every minute (CELERY_BEAT_SCHEDULE): tell champions of the launch posts whose preview time
    came, then publish what is due, including what fell due while no worker ran."""
    for scheduled_id in services.launch_preview_due_ids():
        tell_champions_task.delay(scheduled_id)
    due = services.due_scheduled_post_ids()
    for scheduled_id in due:
        publish_scheduled_post_task.delay(scheduled_id)
    return len(due)


@shared_task(name="animation.seeding.publish_scheduled_post", acks_late=True, **RETRY)
def publish_scheduled_post_task(scheduled_id):
    post = services.do_publish_scheduled_post(scheduled_id)
    return post.pk if post else None


@shared_task(name="animation.seeding.tell_champions", acks_late=True, **RETRY)
def tell_champions_task(scheduled_id):
    return services.do_tell_champions(scheduled_id)


@shared_task(name="animation.seeding.run_bulk_invitation", acks_late=True, **RETRY)
def run_bulk_invitation_task(bulk_id):
    return services.run_bulk_invitation(bulk_id)


@shared_task(name="animation.seeding.run_starter_import", acks_late=True, **RETRY)
def run_starter_import_task(job_id):
    return services.run_starter_import(job_id)
