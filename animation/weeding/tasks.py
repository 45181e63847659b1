"""Weeding's Celery tasks: take ids, idempotent (one proposal per item and period of inactivity,
decisions under a row lock), acks_late."""

from celery import shared_task

from animation.weeding import archiving

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}


@shared_task(name="animation.weeding.propose_stale", acks_late=True)
def propose_stale_task():
    """Daily: every community checks its stale conversations (or itself) against its delay."""
    ids = archiving.stale_community_ids()
    for community_id in ids:
        propose_stale_in_community_task.delay(community_id)
    return len(ids)


@shared_task(name="animation.weeding.propose_stale_in_community", acks_late=True, **RETRY)
def propose_stale_in_community_task(community_id):
    return len(archiving.do_propose_stale(community_id))


@shared_task(name="animation.weeding.archive_due", acks_late=True)
def archive_due_task():
    """Hourly: archive what was proposed 7 days ago without objection."""
    return sum(1 for pk in archiving.due_proposal_ids() if archiving.do_archive_due(pk))
