"""Reads for notifications and for the realtime catch-up.

The catch-up is what makes at-most-once websocket delivery lossless: a client that
reconnects sends its cursor and gets every post and comment created after it, through the
same one door as the pages (visible_posts / visible_comments), keyset-ordered, never OFFSET.
"""

from datetime import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from communities.models import Membership, Mute, Notification
from communities.permissions import can_read_community, can_see_community
from communities.selectors import (
    access_post_by_id,
    home_feed,
    list_item_conversations,
    visible_comments,
    visible_posts,
)
from rse.lib.cursor import InvalidCursor, decode_cursor, encode_cursor, keyset_filter, paginate

CATCH_UP_LIMIT = 100
MAX_SCOPES = 50
ASCENDING = ("created_at", "id")


def notifications_for(user, *, unread_only=False):
    qs = Notification.objects.filter(recipient=user).select_related(
        "actor", "community", "post", "post__community", "comment"
    )
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def list_notifications(user, *, cursor=None, unread_only=False, size=20):
    return paginate(notifications_for(user, unread_only=unread_only), cursor=cursor, size=size)


def access_notification_by_id(user, notification_id) -> Notification:
    return get_object_or_404(notifications_for(user), pk=notification_id)


def list_mutes(user):
    return Mute.objects.filter(user=user).select_related("community", "post", "post__community")


def with_access(user, rows):
    """Decide, for a list of notifications or mutes, what `user` may still be shown of them, with
    one query for the whole list: `post_readable` (the post's title, words and link: only while
    they may read it) and `community_visible` (the community's name: only while they may see it).
    Someone removed from a private community, or whose community turned secret, keeps their old
    notifications but no longer learns what the conversation is called now."""
    rows = list(rows)
    community_ids = set()
    for row in rows:
        if row.community_id:
            community_ids.add(row.community_id)
        if row.post_id:
            community_ids.add(row.post.community_id)
    memberships = {}
    if community_ids and getattr(user, "is_authenticated", False):
        memberships = {m.community_id: m for m in Membership.objects.filter(user=user, community_id__in=community_ids)}
    for row in rows:
        post = row.post if row.post_id else None
        row.post_readable = bool(
            post is not None
            and user.is_active
            and post.deleted_at is None
            and can_read_community(user, post.community, membership=memberships.get(post.community_id))
        )
        community = row.community if row.community_id else (post.community if post is not None else None)
        row.community_visible = bool(
            community is not None
            and user.is_active
            and can_see_community(user, community, membership=memberships.get(community.pk))
        )
    return rows


# --- Catch-up ------------------------------------------------------------------------------


def initial_cursor(since: datetime | None = None) -> str:
    """A cursor meaning "everything after `since`" (default: now)."""
    since = since or timezone.now()
    return encode_cursor([since, 0, since, 0])


def _split_cursor(token):
    post_ts, post_id, comment_ts, comment_id = decode_cursor(token, 4)
    if not isinstance(post_ts, datetime) or not isinstance(comment_ts, datetime):
        raise InvalidCursor("cursor does not hold times")
    if not isinstance(post_id, int) or not isinstance(comment_id, int):
        raise InvalidCursor("cursor does not hold ids")
    return (post_ts, post_id), (comment_ts, comment_id)


def catch_up(user, *, cursor, community_ids=(), post_ids=(), item_ids=(), home=False, limit=CATCH_UP_LIMIT):
    """What happened after `cursor` in the given scopes, oldest first, and the next cursor.

    Posts: new posts in the communities (and conversations about the items); comments: new
    comments on the posts; states: current counters of the posts (cheap, and it covers every
    missed reaction, poll vote or accepted answer at once). Unreadable scopes yield nothing,
    an unreadable post 404s, exactly like the page would.
    """
    community_ids = list(dict.fromkeys(community_ids))[:MAX_SCOPES]
    post_ids = list(dict.fromkeys(post_ids))[:MAX_SCOPES]
    item_ids = list(dict.fromkeys(item_ids))[:MAX_SCOPES]
    (post_ts, last_post), (comment_ts, last_comment) = _split_cursor(cursor)

    posts = []
    if community_ids or item_ids or home:
        scope = Q(community_id__in=community_ids)
        for item_id in item_ids:
            scope |= Q(pk__in=list_item_conversations(user, item_id).order_by().values("pk"))
        if home:  # everything my home feed shows: followed people and items, announcements
            scope |= Q(pk__in=home_feed(user).order_by().values("pk"))
        qs = visible_posts(user).filter(scope)
        qs = qs.filter(keyset_filter(ASCENDING, [post_ts, last_post])).order_by(*ASCENDING)
        posts = list(qs.values("id", "community_id", "author_id", "kind", "created_at")[: limit + 1])

    comments, states = [], []
    if post_ids:
        readable = [access_post_by_id(user, pk) for pk in post_ids]
        qs = (
            visible_comments(user)
            .filter(post_id__in=[p.pk for p in readable])
            .filter(keyset_filter(ASCENDING, [comment_ts, last_comment]))
            .order_by(*ASCENDING)
        )
        comments = list(qs.values("id", "post_id", "parent_id", "author_id", "created_at")[: limit + 1])
        states = [
            {
                "id": p.pk,
                "comments_count": p.comments_count,
                "reactions_count": p.reactions_count,
                "accepted_comment_id": p.accepted_comment_id,
                "edited_at": p.edited_at,
            }
            for p in readable
        ]

    has_more = len(posts) > limit or len(comments) > limit
    posts, comments = posts[:limit], comments[:limit]
    if posts:
        post_ts, last_post = posts[-1]["created_at"], posts[-1]["id"]
    if comments:
        comment_ts, last_comment = comments[-1]["created_at"], comments[-1]["id"]
    return {
        "cursor": encode_cursor([post_ts, last_post, comment_ts, last_comment]),
        "has_more": has_more,
        "posts": posts,
        "comments": comments,
        "post_states": states,
    }


# --- Recipients (for the services that call enqueue_notifications) -------------------------
# Plain id lists: the fan-out task re-checks access, preferences and mutes itself.


def item_follower_ids(item_ids) -> list[int]:
    """People following any of these business items (kind "followed_item_post")."""
    from repository.models import ItemFollow

    return list(ItemFollow.objects.filter(item_id__in=list(item_ids)).values_list("user_id", flat=True).distinct())


def person_follower_ids(user_id) -> list[int]:
    """People following this colleague (kind "followed_person_post")."""
    from directory.models import Follow

    return list(Follow.objects.filter(followed_id=user_id).values_list("follower_id", flat=True))


def moderator_ids(community_id) -> list[int]:
    """Active animators and owners of a community (kind "join_request")."""
    from communities.permissions import moderators_of

    return list(moderators_of(community_id).values_list("pk", flat=True))
