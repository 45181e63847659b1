"""The one door from the communities services to notifications: the fan-out is queued in the
write's own transaction (rse/lib/outbox.py) and sent after its commit, so a broker down at that
moment delays the notifications instead of losing them, and a rolled-back write sends nothing.

Callers pass recipients already filtered to people who may read the community
(services.common.readers_among, the same rule as permissions.can_read_community).
"""

from communities.models import NotificationKind
from communities.notifications.services import enqueue_notifications


def notify_on_commit(kind, recipient_ids, *, actor_id, post_id=None, comment_id=None, community_id=None, ref=None):
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipients = sorted({int(r) for r in recipient_ids if r != actor_id})
    if not recipients:
        return
    enqueue_notifications(
        kind,
        recipients,
        actor_id=actor_id,
        post_id=post_id,
        comment_id=comment_id,
        community_id=community_id,
        ref=ref,
    )
