"""Bridge to the notifications package (built in parallel): a no-op until it exists.

Callers pass recipients already filtered to people who may read the community
(services.common.readers_among, the same rule as permissions.can_read_community).
"""

from django.db import transaction

KINDS = (
    "mention", "reply", "answer", "answer_accepted", "join_request", "invitation",
    "announcement", "followed_item_post", "followed_person_post",
)  # fmt: skip


def _load_enqueue():
    try:
        from communities.notifications.services import enqueue_notifications
    except ImportError:
        return None
    return enqueue_notifications


def notify_on_commit(kind, recipient_ids, *, actor_id, post_id=None, comment_id=None, community_id=None):
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    enqueue_notifications = _load_enqueue()
    if enqueue_notifications is None:
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
