"""Reads shared by views, API, feeds, search, notifications and websockets.

visible_communities / visible_posts are the one door: anything showing community
content filters through them (or through permissions.can_read_community for one object).
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404

from communities.models import Comment, Community, Membership, Post
from communities.permissions import (
    _UNSET,
    PUBLICLY_READABLE,
    can_read_community,
    can_see_community,
    readable_communities,
    seeable_communities,
)
from repository.selectors import visible_items
from rse.lib.precompiled import precompiled


def visible_communities(user, *, mine=None):
    """Communities whose content `user` may read (the rule lives in permissions). `mine`: the ids
    of the communities `user` is an active member of, when the caller already holds them."""
    return readable_communities(user, mine=mine)


def listed_communities(user):
    """Communities `user` may know exist: all but the secret ones they are not in or invited to."""
    return seeable_communities(user)


def visible_posts(user, *, mine=None):
    """Live posts in communities `user` may read (`mine`: see visible_communities)."""
    readable = visible_communities(user, mine=mine).order_by().values("pk")
    return Post.objects.alive().filter(community_id__in=Subquery(readable))


def visible_comments(user):
    return Comment.objects.alive().filter(post__in=Subquery(visible_posts(user).order_by().values("pk")))


def access_community_by_slug(user, slug) -> Community:
    """404 for a community the user may not know exists (a secret one stays secret)."""
    found = _alive_community_by_slug(slug=slug)
    if not found or not can_see_community(user, found[0]):
        raise Http404
    return found[0]


@precompiled()
def _alive_community_by_slug(*, slug):
    return Community.objects.alive().filter(slug=slug)[:1]  # the slug is unique


def community_tags(community):
    """list(community.tags.all()), precompiled (the community page shows them on every request)."""
    return _tags_of_community(community_id=community.pk)


@precompiled()
def _tags_of_community(*, community_id):
    from communities.models import Tag

    return Tag.objects.filter(communities__id=community_id)


def merged_community_target(user, slug):
    """Where the old address of a merged community leads, if `user` may know that community."""
    source = Community.objects.filter(slug=slug, merged_into__isnull=False).select_related("merged_into").first()
    target = source.merged_into if source else None
    for _hop in range(5):  # merged again since (a few hops at most, never a loop)
        if target is None or not (target.merged_into_id and target.deleted_at):
            break
        target = Community.objects.filter(pk=target.merged_into_id).first()
    if target is None or target.deleted_at or not can_see_community(user, target):
        return None
    return target


def access_post_by_id(user, post_id) -> Post:
    post = get_object_or_404(Post.objects.alive().select_related("community", "author"), pk=post_id)
    if not can_read_community(user, post.community):
        raise Http404
    return post


def list_item_conversations(user, item_id):
    """Posts about a business item (the post or one of its comments links to it), newest first."""
    if not visible_items(user).filter(pk=item_id).exists():
        return Post.objects.none()
    via_comment = Comment.objects.alive().filter(post=OuterRef("pk"), items__pk=item_id)
    return (
        visible_posts(user)
        .filter(Q(items__pk=item_id) | Exists(via_comment))
        .select_related("community", "author")
        .order_by("-created_at", "-id")
    )


# --- Feeds and lists ----------------------------------------------------------------------

FEED_ORDERINGS = {"newest": ("-created_at", "-id"), "active": ("-last_activity_at", "-id")}


def feed_ordering(order):
    return FEED_ORDERINGS.get(order, FEED_ORDERINGS["newest"])


def feed_prefetches():
    """The original of a shared post comes in its own query, only when the page holds a share:
    three more joins on the feed query cost PostgreSQL ~3.5 ms of planning on every page."""
    return (
        "attachments",
        "poll_options",
        Prefetch("shared_from", queryset=Post.objects.select_related("community", "author")),
    )


# What a card reads (communities/cards.py card_state, post_card.html) and what the cards'
# permissions read: a feed query selects nothing else (not the markdown, not the search text, not
# the community's description, not the author's password hash), and compiles and decodes faster.
CARD_POST_FIELDS = (
    "id", "created_at", "updated_at", "deleted_at", "community_id", "author_id", "kind", "title", "body_html",
    "edited_at", "pinned_at", "highlighted_at", "requires_ack", "acks_count", "last_activity_at",
    "comments_count", "reactions_count", "attachments_count", "accepted_comment_id", "shared_from_id", "locked_at",
    "hidden_at",
)  # fmt: skip
CARD_COMMUNITY_FIELDS = ("slug", "name", "members_count", "visibility", "archived_at", "deleted_at")
CARD_AUTHOR_FIELDS = ("first_name", "last_name", "email")
CARD_POLL_EVENT_FIELDS = (
    "poll__multiple", "poll__closes_at", "poll__voters_count", "event__starts_at", "event__ends_at", "event__place",
    "event__yes_count", "event__maybe_count", "event__no_count",
)  # fmt: skip


def for_cards(qs, *, community=None):
    """A feed's queryset as the cards need it: the post's own columns that cards read, its author,
    poll and event joined, and its community (not when the feed is one community's: `community`,
    set on every post by prefetch_for_cards); the rest is left to prefetch_for_cards."""
    related = ["author", "poll", "event"] if community is not None else ["community", "author", "poll", "event"]
    fields = [*CARD_POST_FIELDS, *(f"author__{f}" for f in CARD_AUTHOR_FIELDS), *CARD_POLL_EVENT_FIELDS]
    if community is None:
        fields += [f"community__{f}" for f in CARD_COMMUNITY_FIELDS]
    return qs.prefetch_related(None).select_related(None).select_related(*related).only(*fields)


def prefetch_for_cards(posts, *, community=None):
    """The related rows that the cards of a page show, each loaded only for the posts that have
    some: most pages hold neither attachments, nor polls, nor shares, and then run none
    of these queries (a feed page of plain discussions: 3 queries and ~2 ms of CPU fewer)."""
    if community is not None:
        for post in posts:
            post.community = community
    prefetch_related_objects([p for p in posts if p.attachments_count], "attachments")
    prefetch_related_objects([p for p in posts if p.kind == Post.Kind.POLL], "poll_options")
    prefetch_related_objects([p for p in posts if p.shared_from_id], feed_prefetches()[2])
    return posts


def with_feed_related(qs):
    """Everything a feed card shows, joined or prefetched once for the whole page."""
    return qs.select_related("community", "author", "poll", "event").prefetch_related(*feed_prefetches())


def my_memberships(user, *, with_communities=False, with_mutes=False) -> dict:
    """community_id → my Membership, all of them in one query (a person is in tens of
    communities, not thousands): lets a page decide every permission without more queries.
    with_communities: each with its community (the home page lists them, see my_communities);
    with_mutes: each with `community_mute_id`, my Mute of that community or None (the
    community page's mute button)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    rows = _memberships_of(user_id=user.pk, with_communities=with_communities, with_mutes=with_mutes)
    return {m.community_id: m for m in rows}


@precompiled(shape=("with_communities", "with_mutes"))
def _memberships_of(*, user_id, with_communities, with_mutes):
    qs = Membership.objects.filter(user_id=user_id)
    if with_communities:
        qs = qs.select_related("community")
    if with_mutes:
        from communities.models import Mute

        mute = Mute.objects.filter(user_id=user_id, community=OuterRef("community_id")).values("pk")[:1]
        qs = qs.annotate(community_mute_id=Subquery(mute))
    return qs


def access_comment_by_id(user, comment_id) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("post__community", "author"), pk=comment_id)
    if comment.post.deleted_at or comment.post.hidden_at or not can_read_community(user, comment.post.community):
        raise Http404
    return comment


def my_community_ids(user):
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("community_id")


def _posts_of_community(user, community, membership):
    """The live posts of one community if `user` may read it, else none: the read rule decided
    once, by its predicate (the caller usually holds the membership), instead of a subquery of
    every readable community that was compiled (~2 ms of CPU) and planned twice per page."""
    if not can_read_community(user, community, membership):
        return Post.objects.none()
    return Post.objects.alive().filter(community=community)


def community_feed(user, community, *, kind=None, unanswered=False, membership=_UNSET):
    qs = _posts_of_community(user, community, membership)
    if kind in Post.Kind.values:
        qs = qs.filter(kind=kind)
    if unanswered:
        qs = qs.filter(kind=Post.Kind.QUESTION, accepted_comment__isnull=True)
    return with_feed_related(qs)


def first_page_of_community(user, community, *, ordering, limit, kind=None, unanswered=False, membership=_UNSET):
    """The first `limit` posts of community_feed(...) in `ordering` as for_cards(qs, community=...)
    selects them: one precompiled statement per filter and ordering (feed pages run it on every
    request)."""
    if not can_read_community(user, community, membership):
        return []
    kind = kind if kind in Post.Kind.values else None
    return _first_posts_of_community(
        community_id=community.pk, kind=kind, unanswered=bool(unanswered), ordering=tuple(ordering), limit=limit
    )


@precompiled(shape=("kind", "unanswered", "ordering", "limit"))
def _first_posts_of_community(*, community_id, kind, unanswered, ordering, limit):
    qs = Post.objects.alive().filter(community_id=community_id)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if unanswered:
        qs = qs.filter(kind=Post.Kind.QUESTION, accepted_comment__isnull=True)
    return for_cards(qs, community=community_id).order_by(*ordering)[:limit]


def pinned_for_cards(user, community, *, membership=_UNSET, limit=5):
    """for_cards(pinned_posts(...), community=community)[:limit], precompiled (every page shows them)."""
    if not can_read_community(user, community, membership):
        return []
    return _pinned_posts_of_community(community_id=community.pk, limit=limit)


@precompiled(shape=("limit",))
def _pinned_posts_of_community(*, community_id, limit):
    qs = Post.objects.alive().filter(community_id=community_id, pinned_at__isnull=False)
    return for_cards(qs, community=community_id).order_by("-pinned_at", "-id")[:limit]


def pinned_posts(user, community, *, membership=_UNSET):
    return with_feed_related(_posts_of_community(user, community, membership).filter(pinned_at__isnull=False)).order_by(
        "-pinned_at", "-id"
    )


def _announcements_for_me(user, mine=None):
    """Announcements of my communities and of every community anyone may read (official news
    usually lives in a restricted "Internal communications" community)."""
    return Q(kind=Post.Kind.ANNOUNCEMENT) & (
        Q(community_id__in=my_community_ids(user) if mine is None else mine)
        | Q(community__visibility__in=PUBLICLY_READABLE)
    )


def _active_ids(memberships):
    return [cid for cid, m in memberships.items() if m.status == Membership.Status.ACTIVE]


def home_first_page(user, *, memberships, ordering, limit):
    """The first `limit` posts of home_feed(user, memberships=memberships) in `ordering`, as for_cards
    selects them: one precompiled statement per ordering and number of my communities."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return list(for_cards(home_feed(user, memberships=memberships)).order_by(*ordering)[:limit])
    return _first_posts_of_home(
        user_id=user.pk, mine=sorted(_active_ids(memberships)), ordering=tuple(ordering), limit=limit
    )


@precompiled(shape=("ordering", "limit"))
def _first_posts_of_home(*, user_id, mine, ordering, limit):
    from rse.accounts.models import User

    # A stand-in for the viewer (active, signed in: checked by home_first_page): home_feed reads
    # only its id, as query values.
    viewer = User(pk=user_id, is_active=True)
    return for_cards(home_feed(viewer, mine=mine)).order_by(*ordering)[:limit]


def home_feed(user, *, memberships=None, mine=None):
    """My communities, the people and business items I follow, and announcements for me.
    `memberships` (my_memberships(user)), when the caller holds them: my communities go in the
    query as a list of ids instead of two subqueries (less to compile and to plan); or `mine`,
    the ids of my communities."""
    from directory.models import Follow
    from repository.models import ItemFollow

    if memberships is not None:
        mine = _active_ids(memberships)
    followed_people = Follow.objects.filter(follower=user).values("followed_id")
    followed_items = ItemFollow.objects.filter(user=user).values("item_id")
    about_followed_item = Post.items.through.objects.filter(post_id=OuterRef("pk"), item_id__in=followed_items)
    return with_feed_related(
        visible_posts(user, mine=mine).filter(
            Q(community_id__in=my_community_ids(user) if mine is None else mine)
            | Q(author_id__in=followed_people)
            | Exists(about_followed_item)
            | _announcements_for_me(user, mine)
        )
    )


def essentials_feed(user):
    """Less is more: pinned, announcements, mentions of me, answers to me, animators' selections.

    Each source is a small indexed query; their UNION of ids is then joined to the posts. One
    big OR over the posts table made PostgreSQL scan all of it (5 s at a million posts)."""
    from communities.models import Mention

    mine = my_community_ids(user)
    sources = [
        Post.objects.filter(community_id__in=mine, pinned_at__isnull=False).values("id"),
        Post.objects.filter(community_id__in=mine, highlighted_at__isnull=False).values("id"),
        Post.objects.filter(_announcements_for_me(user)).values("id"),
        Mention.objects.filter(user=user).values("post_id"),
        Post.objects.filter(author=user, kind=Post.Kind.QUESTION, comments_count__gt=0).values("id"),
        Comment.objects.alive().filter(parent__author=user).exclude(author=user).values("post_id"),
    ]
    sources = [qs.order_by() for qs in sources]
    return with_feed_related(visible_posts(user).filter(pk__in=sources[0].union(*sources[1:])))


def unanswered_questions(user):
    """Questions without an accepted answer, in the communities I read."""
    return with_feed_related(visible_posts(user).filter(kind=Post.Kind.QUESTION, accepted_comment__isnull=True))


def tag_for_reader(user, slug):
    """(slug, name) of the tag page as `user` may see it: the name as first typed only when the
    tag is on something they can see (a post they read, a community listed to them), else one
    made from the slug. A tag used only in a secret community looks exactly like an unused one."""
    from communities.models import Tag

    used_where_seen = Q(posts__in=Subquery(visible_posts(user).order_by().values("pk"))) | Q(
        communities__in=Subquery(listed_communities(user).order_by().values("pk"))
    )
    name = Tag.objects.filter(used_where_seen, slug=slug).values_list("name", flat=True).first()
    return slug, name or slug


def tag_feed(user, slug):
    return with_feed_related(visible_posts(user).filter(hashtags__slug=slug))


def bookmarked_posts(user):
    from communities.models import Bookmark

    return with_feed_related(visible_posts(user).filter(pk__in=Bookmark.objects.filter(user=user).values("post_id")))


def list_comments(user, post):
    """The whole conversation under a post, replies after their parent. Deleted comments come
    too: the template shows animators a tombstone and others a placeholder when needed."""
    return list(
        Comment.objects.filter(post=post)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def list_communities(user, *, q="", scope="all", tag=None):
    """The communities page: search, and the filters mine / suggested / active."""
    from directory.models import Follow, Profile, UserSkill

    qs = listed_communities(user).prefetch_related("tags")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description_md__icontains=q) | Q(tags__name__icontains=q)).distinct()
    if tag:
        qs = qs.filter(tags__slug=tag)
    if scope != "mine":  # archived: out of listings and suggestions, still searchable and in "mine"
        qs = qs.filter(archived_at__isnull=True)
    if scope == "mine":
        return qs.filter(
            pk__in=Membership.objects.filter(
                user=user, status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED, Membership.Status.PENDING]
            ).values("community_id")
        ).order_by("name", "id")
    if scope == "suggested":
        unit = Profile.objects.filter(user=user).values("org_unit_id")
        colleagues = Profile.objects.filter(org_unit_id__in=unit, org_unit__isnull=False).exclude(user=user)
        followed = Follow.objects.filter(follower=user).values("followed_id")
        people = Membership.objects.filter(status=Membership.Status.ACTIVE).filter(
            Q(user_id__in=colleagues.values("user_id")) | Q(user_id__in=followed)
        )
        my_skills = UserSkill.objects.filter(user=user).values("skill__slug")
        return (
            qs.filter(Q(pk__in=people.values("community_id")) | Q(tags__slug__in=my_skills))
            .exclude(pk__in=Membership.objects.filter(user=user).values("community_id"))
            .distinct()
            .order_by("-members_count", "id")
        )
    if scope == "active":
        return qs.order_by("-last_activity_at", "-id")
    return qs.order_by("name", "id")


def my_communities(user, limit=12, *, memberships=None):
    """The live communities I am an active member of, the most recently active first; from
    `memberships` (my_memberships(user, with_communities=True)) without a query."""
    if memberships is not None:
        mine = [
            m.community
            for m in memberships.values()
            if m.status == Membership.Status.ACTIVE and m.community.deleted_at is None
        ]
        mine.sort(key=lambda c: (c.last_activity_at, c.pk), reverse=True)
        return mine if limit is None else mine[:limit]
    qs = (
        Community.objects.alive()
        .filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE)
        .order_by("-last_activity_at", "-id")
    )
    return list(qs if limit is None else qs[:limit])


def list_members(community, *, status=Membership.Status.ACTIVE):
    return (
        Membership.objects.filter(community=community, status=status)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )
