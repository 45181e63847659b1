"""Demo notifications: replies to the demo people's posts, so the bell is alive at first login.

Idempotent: rows carry the same dedupe key as the real fan-out, inserted with ignore_conflicts.
"""

from django.db.models import F

from communities.models import Comment, Notification, NotificationChannel, NotificationKind
from communities.notifications.services import dedupe_key, forget_unread
from rse.lib.demo import seeder

PER_PERSON = 8


@seeder(60)
def seed_notifications():
    comments = (
        Comment.objects.alive()
        .filter(post__author__email__endswith="@demo.rse.example")
        .exclude(author=F("post__author"))
        .select_related("post")
        .order_by("-created_at", "-id")
    )
    per_person: dict[int, int] = {}
    rows = []
    for comment in comments.iterator(chunk_size=500):
        recipient = comment.post.author_id
        if per_person.get(recipient, 0) >= PER_PERSON:
            continue
        per_person[recipient] = per_person.get(recipient, 0) + 1
        rows.append(
            Notification(
                recipient_id=recipient,
                kind=NotificationKind.REPLY,
                actor_id=comment.author_id,
                community_id=comment.post.community_id,
                post_id=comment.post_id,
                comment_id=comment.pk,
                channel=NotificationChannel.IN_APP,
                dedupe_key=dedupe_key(
                    NotificationKind.REPLY,
                    actor_id=comment.author_id,
                    post_id=comment.post_id,
                    comment_id=comment.pk,
                    community_id=comment.post.community_id,
                ),
                created_at=comment.created_at,
                # Only the three newest stay unread: a realistic bell, not a wall of red.
                read_at=None if per_person[recipient] <= 3 else comment.created_at,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    forget_unread(per_person)
    return f"{len(rows)} notifications for {len(per_person)} people"
