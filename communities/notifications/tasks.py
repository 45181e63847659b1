"""Celery tasks of the notifications: take ids, idempotent, retried with backoff.

A run twice has the effect of one: rows are inserted under a unique dedupe key, e-mails
and digest items are claimed with a conditional UPDATE before they are sent.
"""

from celery import shared_task

from communities.notifications import services

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="communities.notifications.fan_out", acks_late=True, **RETRY)
def fan_out_notifications_task(
    kind, recipient_ids, *, actor_id, post_id=None, comment_id=None, community_id=None, ref=None
):
    """One event to many people; large lists are split so each task handles one batch."""
    ids = list(recipient_ids)
    if len(ids) > services.BATCH_SIZE:
        for start in range(0, len(ids), services.BATCH_SIZE):
            fan_out_notifications_task.delay(
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
    """Daily (CELERY_BEAT_SCHEDULE): one digest task per person with pending digest items."""
    count = 0
    for user_id in services.users_for_daily_digest():
        send_digest_task.delay(user_id)
        count += 1
    return count
