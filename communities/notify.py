"""Bridge to the notifications package (built in parallel): a no-op until it exists.

Callers pass recipients already filtered to people who may read the community.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

KINDS = (
    "mention", "reply", "answer", "answer_accepted", "join_request", "invitation",
    "announcement", "followed_item_post", "followed_person_post",
)  # fmt: skip


def notify_on_commit(kind, recipient_ids, *, actor_id, post_id=None, comment_id=None, community_id=None):
    try:
        from communities.notifications.services import enqueue_notifications
    except ImportError:
        return
    recipients = sorted({int(r) for r in recipient_ids if r != actor_id})
    if not recipients:
        return
    transaction.on_commit(
        lambda: enqueue_notifications(
            kind,
            recipients,
            actor_id=actor_id,
            post_id=post_id,
            comment_id=comment_id,
            community_id=community_id,
        )
    )
