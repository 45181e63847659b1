"""Celery tasks of the notifications: take ids, idempotent, retried with backoff.

A run twice has the effect of one: rows are inserted under a unique dedupe key, e-mails
and digest items are claimed with a conditional UPDATE before they are sent.
"""

from celery import shared_task
from django.db import transaction

from communities.notifications import services
from rse.lib.outbox import enqueue_on_commit

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="communities.notifications.fan_out", acks_late=True, **RETRY)
def fan_out_notifications_task(
    kind, recipient_ids, *, actor_id, post_id=None, comment_id=None, community_id=None, ref=None
):
    """One event to many people; large lists are split so each task handles one batch."""
    ids = list(recipient_ids)
    if len(ids) > services.BATCH_SIZE:
        # Through the outbox, in one transaction: this task succeeds only once every batch is
        # recorded, and a batch the broker loses is sent again.
        with transaction.atomic():
            for start in range(0, len(ids), services.BATCH_SIZE):
                enqueue_on_commit(
                    fan_out_notifications_task,
                    kind,
                    ids[start : start + services.BATCH_SIZE],
                    actor_id=actor_id,
                    post_id=post_id,
                    comment_id=comment_id,
                    community_id=community_id,
                    ref=ref,
                )
        return 0
    return services.do_deliver_notifications(
        kind, ids, actor_id=actor_id, post_id=post_id, comment_id=comment_id, community_id=community_id, ref=ref
    )


@shared_task(name="communities.notifications.send_digest", acks_late=True, **RETRY)
def send_digest_task(user_id):
    return services.do_send_digest(user_id)


@shared_task(name="communities.notifications.send_digests", acks_late=True)
def send_digests_task():
    """Daily (CELERY_BEAT_SCHEDULE): the day's digest run, started here (see do_run_digests)."""
    return services.do_run_digests(services.do_start_digest_run().pk)


@shared_task(name="communities.notifications.run_digests", acks_late=True)
def run_digests_task(run_id):
    """The digest run's step for rse/lib/jobs.py: sent again when a run is re-queued."""
    return services.do_run_digests(run_id)


@shared_task(name="communities.notifications.send_digest_batch", acks_late=True)
def send_digest_batch_task(run_id, user_ids):
    return services.do_send_digest_batch(run_id, user_ids)
