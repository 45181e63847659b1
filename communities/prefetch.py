"""Per-viewer flags for a whole page of posts in a fixed number of queries (STYLE: batch
loaders): my memberships for the communities shown, then one UNION query for my reaction,
bookmark, poll choices, RSVP and acknowledgement."""

from django.db import connection

from communities import permissions as perms
from communities.links import post_urls
from communities.models import Acknowledgement, Bookmark, Membership, PollBallot, PollChoice, Reaction, Rsvp
from rse.lib.precompiled import preparing

# One SELECT per flag, glued with UNION ALL. Written in SQL: the ORM took ~1 ms of CPU to build
# and compile this union on every feed page, for five fixed, trivial statements.
_FLAG_SQL = {  # table names from our models; every value goes as a parameter
    "r": ("post_id", "'r'", "CAST(kind AS text)", Reaction._meta.db_table, "user_id"),
    "b": ("post_id", "'b'", "''", Bookmark._meta.db_table, "user_id"),
    "a": ("post_id", "'a'", "''", Acknowledgement._meta.db_table, "user_id"),
    "v": ("post_id", "'v'", "CAST(answer AS text)", Rsvp._meta.db_table, "user_id"),
    "c": ("b.post_id", "'c'", "CAST(c.option_id AS text)",
          f"{PollChoice._meta.db_table} c JOIN {PollBallot._meta.db_table} b ON b.id = c.ballot_id", "b.user_id"),
}  # fmt: skip


def _flag_rows(user, posts):
    """(post id, flag, value) of my reactions and bookmarks, and of only what the page's posts can
    carry besides: acknowledgements of the posts that ask for them, RSVPs of events, choices of
    polls (a page of discussions asks for two)."""
    wanted = {
        "r": [p.pk for p in posts],
        "a": [p.pk for p in posts if p.requires_ack],
        "v": [p.pk for p in posts if p.kind == p.Kind.EVENT],
        "c": [p.pk for p in posts if p.kind == p.Kind.POLL],
    }
    wanted["b"] = wanted["r"]
    parts, params = [], []
    for flag, ids in wanted.items():
        if ids:
            post, kind, value, table, owner = _FLAG_SQL[flag]
            marks = ", ".join(["%s"] * len(ids))
            parts.append(f"SELECT {post}, {kind}, {value} FROM {table} WHERE {owner} = %s AND {post} IN ({marks})")  # noqa: S608
            params += [user.pk, *ids]
    with preparing(connection).cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


def set_post_permissions(user, post, membership, *, per_community=None):
    """The permission flags templates read, each decided by its predicate in permissions (never
    re-derived in a template): can_moderate, can_comment, can_react, can_accept, can_edit,
    can_delete, can_see_acks. `membership` is the viewer's in the post's community (or None).
    `per_community`: a dict kept across a page of posts, where what depends only on the viewer and
    the community (may moderate, may comment, may react) is decided once per community."""
    community = post.community
    flags = per_community.get(community.pk) if per_community is not None else None
    if flags is None:
        flags = (
            perms.can_moderate(user, community, membership),
            perms.can_comment(user, community, membership),
            perms.can_react(user, community, membership),
        )
        if per_community is not None:
            per_community[community.pk] = flags
    moderator, may_comment, may_react = flags
    post.can_moderate = moderator
    post.can_comment = perms.can_comment_on(user, post, membership, may_comment=may_comment)
    post.can_react = may_react
    post.can_accept = perms.can_accept_answer(user, post, membership, moderator=moderator)
    post.can_edit = perms.can_edit_content(user, post)
    post.can_delete = perms.can_delete_content(user, post, community, membership, moderator=moderator)
    post.can_see_acks = perms.can_see_read_receipts(user, post, membership, moderator=moderator)
    return post


def set_comment_permissions(user, post, comment, membership):
    comment.can_edit = perms.can_edit_content(user, comment)
    comment.can_delete = perms.can_delete_content(user, comment, post.community, membership)
    return comment


def annotate_posts_for_viewer(user, posts, *, memberships=None):
    """Sets on each post: my_reaction, is_bookmarked, my_choices, has_voted, my_rsvp, has_acked,
    viewer_membership, can_see_results, original_readable and the flags of set_post_permissions."""
    posts = list(posts)
    if not posts:
        return posts
    community_ids = {p.community_id for p in posts} | {p.shared_from.community_id for p in posts if p.shared_from_id}
    if memberships is None:
        memberships = {m.community_id: m for m in Membership.objects.filter(user=user, community_id__in=community_ids)}
    flags = {}
    for post_id, flag, value in _flag_rows(user, posts):
        flags.setdefault(post_id, []).append((flag, value))
    per_community = {}
    for post in posts:
        post.urls = post_urls(post.pk)
        membership = memberships.get(post.community_id)
        post.viewer_membership = membership
        set_post_permissions(user, post, membership, per_community=per_community)
        post.my_reaction = None
        post.is_bookmarked = post.has_acked = False
        post.my_rsvp = None
        post.my_choices = set()
        for flag, value in flags.get(post.pk, ()):
            if flag == "r":
                post.my_reaction = value
            elif flag == "b":
                post.is_bookmarked = True
            elif flag == "a":
                post.has_acked = True
            elif flag == "v":
                post.my_rsvp = value
            elif flag == "c":
                post.my_choices.add(int(value))
        post.has_voted = bool(post.my_choices)
        post.can_see_results = post.kind == post.Kind.POLL and perms.can_see_poll_results(
            user, post, has_voted=post.has_voted
        )
        original = post.shared_from
        post.original_readable = bool(
            original
            and not original.deleted_at
            and perms.can_read_community(user, original.community, memberships.get(original.community_id))
        )
    return posts
