"""Reads shared by views, API, feeds, search, notifications and websockets.

visible_communities / visible_posts are the one door: anything showing community
content filters through them (or through permissions.can_read_community for one object).
"""

from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from communities.models import Comment, Community, Membership, Post
from communities.permissions import PUBLICLY_READABLE, can_read_community, can_see_community
from repository.selectors import visible_items


def _active_membership(user):
    return Membership.objects.filter(community=OuterRef("pk"), user=user, status=Membership.Status.ACTIVE)


def visible_communities(user):
    """Communities whose content `user` may read."""
    if not getattr(user, "is_authenticated", False):
        return Community.objects.none()
    return Community.objects.alive().filter(Q(visibility__in=PUBLICLY_READABLE) | Exists(_active_membership(user)))


def listed_communities(user):
    """Communities `user` may know exist: all but the secret ones they are not in or invited to."""
    if not getattr(user, "is_authenticated", False):
        return Community.objects.none()
    in_or_invited = Membership.objects.filter(
        community=OuterRef("pk"), user=user, status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED]
    )
    return Community.objects.alive().filter(~Q(visibility=Community.Visibility.SECRET) | Exists(in_or_invited))


def visible_posts(user):
    """Live posts in communities `user` may read."""
    return Post.objects.alive().filter(community_id__in=Subquery(visible_communities(user).values("pk")))


def visible_comments(user):
    return Comment.objects.alive().filter(post__in=Subquery(visible_posts(user).values("pk")))


def access_community_by_slug(user, slug) -> Community:
    """404 for a community the user may not know exists (a secret one stays secret)."""
    community = get_object_or_404(Community.objects.alive(), slug=slug)
    if not can_see_community(user, community):
        raise Http404
    return community


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
