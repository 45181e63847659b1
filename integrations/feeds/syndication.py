"""RSS 2.0 and Atom feeds (Django's syndication framework) of a community, a tag and the home feed.

Private URLs carry the reader's feed token: /feeds/<token>/home.rss, /feeds/<token>/c/<slug>.atom,
/feeds/<token>/tags/<slug>.rss… Each fetch loads the token's owner and reads through the very
selectors the pages use (access_community_by_slug, community_feed, home_feed, tag_feed), so a
feed shows exactly what its owner may read *now*: someone removed from a private community stops
seeing it in their feed reader at the next poll. An unknown, revoked or inactive owner's token,
or a community they may not read, answers 404 (nothing says whether it exists).

Open communities also have a plain URL, /feeds/public/c/<slug>.rss, when the administrator
allows it (RSE_PUBLIC_FEEDS): those are readable by anyone who can reach the server.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from communities import selectors
from communities.models import Community, Post
from communities.permissions import can_read_community
from integrations.feeds.models import FeedToken
from integrations.feeds.services import touch_feed_token

ITEMS = 30


@dataclass
class Source:
    title: str
    link: str
    description: str
    posts: QuerySet


def _reader(token_key):
    token = FeedToken.objects.select_related("user").filter(key=token_key, user__is_active=True).first()
    if token is None:
        raise Http404
    touch_feed_token(token)
    return token.user


def community_source(user, slug) -> Source:
    community = selectors.access_community_by_slug(user, slug)
    if not can_read_community(user, community):
        raise Http404
    return Source(
        community.name,
        reverse("community_detail", args=[community.slug]),
        community.description_md or community.name,
        selectors.community_feed(user, community),
    )


def home_source(user) -> Source:
    return Source(
        _("Home · %(name)s") % {"name": user.display_name},
        reverse("home"),
        _("Your communities, the people and items you follow, and announcements."),
        selectors.home_feed(user),
    )


def tag_source(user, slug) -> Source:
    _slug, name = selectors.tag_for_reader(user, slug)
    return Source(f"#{name}", reverse("tag_detail", args=[slug]), f"#{name}", selectors.tag_feed(user, slug))


def public_community_source(slug) -> Source:
    if not settings.RSE_PUBLIC_FEEDS:
        raise Http404
    community = get_object_or_404(Community.objects.alive(), slug=slug, visibility=Community.Visibility.OPEN)
    posts = Post.objects.alive().filter(community=community).select_related("community", "author")
    return Source(
        community.name,
        reverse("community_detail", args=[community.slug]),
        community.description_md or community.name,
        posts,
    )


class PostsRss(Feed):
    feed_type = Rss201rev2Feed
    private = True

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # A private feed must not be kept by a shared cache nor indexed.
        response["Cache-Control"] = "private, max-age=300" if self.private else "public, max-age=300"
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, request, token=None, slug=None, kind=None):
        if kind == "public":
            return public_community_source(slug)
        user = _reader(token)
        if kind == "home":
            return home_source(user)
        if kind == "tag":
            return tag_source(user, slug)
        return community_source(user, slug)

    def title(self, obj):
        return obj.title

    def link(self, obj):
        return obj.link

    def description(self, obj):
        return obj.description

    def items(self, obj):
        return obj.posts.select_related("community", "author").order_by("-created_at", "-id")[:ITEMS]

    def item_title(self, post):
        return (
            post.title
            or Truncator(post.body_text).words(12)
            or _("Post by %(name)s") % {"name": post.author.display_name}
        )

    def item_description(self, post):
        return post.body_html  # sanitised when it was written (rse/lib/markdown.py)

    def item_link(self, post):
        return reverse("post_detail", args=[post.pk])

    def item_pubdate(self, post):
        return post.created_at

    def item_updateddate(self, post):
        return post.edited_at or post.created_at

    def item_author_name(self, post):
        return post.author.display_name

    def item_categories(self, post):
        return [post.community.name]


class PostsAtom(PostsRss):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return obj.description


class PublicRss(PostsRss):
    private = False


class PublicAtom(PostsAtom):
    private = False


_RSS, _ATOM = PostsRss(), PostsAtom()


def dispatch(request, token, fmt, kind, slug=None):
    """`.rss` or `.atom` of a private feed."""
    if fmt == "rss":
        return _RSS(request, token=token, slug=slug, kind=kind)
    if fmt == "atom":
        return _ATOM(request, token=token, slug=slug, kind=kind)
    raise Http404
