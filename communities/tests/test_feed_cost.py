"""The feed pages' CPU savings change nothing a reader sees: precompiled first pages are the
paginated querysets' rows, writes show on the next request, per-viewer flags decided once per
community equal the flags decided per post, and a warm page compiles no SQL at all."""

from datetime import timedelta

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities import selectors, services
from communities.models import Membership, Post
from communities.prefetch import annotate_posts_for_viewer, set_post_permissions
from communities.tests.factories import CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory
from rse.lib.cursor import paginate, total_ordering

pytestmark = pytest.mark.django_db
SIZE = 3


def _paginated(qs, ordering, community=None):
    return [p.pk for p in paginate(selectors.for_cards(qs, community=community), ordering=ordering, size=SIZE).items]


def _first(rows):
    return [p.pk for p in rows[:SIZE]]


@pytest.fixture
def place(user):
    community = CommunityFactory(slug="place")
    member(community, user)
    now = timezone.now()
    for i, kind in enumerate(["discussion", "question", "poll", "event", "question", "discussion", "announcement"]):
        PostFactory(community=community, kind=kind, title=f"p{i}", created_at=now - timedelta(minutes=i))
    PostFactory(community=community, title="hidden", hidden_at=now)
    PostFactory(community=community, title="deleted", deleted_at=now)
    PostFactory(community=community, title="pinned", pinned_at=now)
    return community


@pytest.mark.parametrize("order", ["newest", "active"])
@pytest.mark.parametrize(
    ("kind", "unanswered"), [(None, False), ("question", False), ("nonsense", False), (None, True)]
)
def test_first_page_of_a_community_is_the_paginated_feed(user, place, order, kind, unanswered):
    ordering = total_ordering(selectors.feed_ordering(order))
    expected = _paginated(selectors.community_feed(user, place, kind=kind, unanswered=unanswered), ordering, place)
    rows = selectors.first_page_of_community(
        user, place, kind=kind, unanswered=unanswered, ordering=ordering, limit=SIZE + 1
    )
    assert _first(rows) == expected
    pinned = selectors.pinned_for_cards(user, place)
    assert [p.title for p in pinned] == ["pinned"]


def test_first_page_of_home_is_the_paginated_feed(user, place):
    elsewhere = CommunityFactory()
    PostFactory(community=elsewhere, kind="announcement", title="for everyone")
    memberships = selectors.my_memberships(user, with_communities=True)
    for order in ("newest", "active"):
        ordering = total_ordering(selectors.feed_ordering(order))
        expected = _paginated(selectors.home_feed(user, memberships=memberships), ordering)
        assert _first(selectors.home_first_page(user, memberships=memberships, ordering=ordering, limit=SIZE + 1)) == (
            expected
        )


def test_a_private_community_s_first_page_is_empty_for_a_non_member(place):
    private = CommunityFactory(visibility="private")
    PostFactory(community=private)
    outsider = UserFactory()
    rows = selectors.first_page_of_community(outsider, private, ordering=("-created_at", "-id"), limit=5)
    assert rows == []
    assert selectors.pinned_for_cards(outsider, private) == []


def test_writes_show_on_the_next_request(user, place):
    client = Client()
    client.force_login(user)
    url = reverse("community_detail", args=[place.slug])
    assert "p0" in client.get(url).content.decode()
    author = member(place)
    post = services.do_create_post(author, place, title="brand new", body_md="hello")
    assert "brand new" in client.get(url).content.decode()
    services.do_edit_post(author, post, title="renamed now", body_md="hello")
    assert "renamed now" in client.get(url).content.decode()
    Post.objects.filter(pk=post.pk).update(hidden_at=timezone.now())  # an animator's hiding, as weeding does
    assert "renamed now" not in client.get(url).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert "renamed now" not in home and "p0" in home


def test_flags_decided_once_per_community_equal_flags_decided_per_post(user):
    moderated, plain = CommunityFactory(), CommunityFactory()
    member(moderated, user, role=Membership.Role.ANIMATOR)
    member(plain, user)
    other = UserFactory()
    posts = [
        PostFactory(community=moderated, author=other, kind="question"),
        PostFactory(community=moderated, author=user),
        PostFactory(community=plain, author=other, kind="question", requires_ack=True),
        PostFactory(community=plain, author=other, locked_at=timezone.now()),
        PostFactory(community=plain, author=user, kind="question"),
    ]
    memberships = selectors.my_memberships(user)
    annotate_posts_for_viewer(user, posts, memberships=memberships)
    names = ("can_moderate", "can_comment", "can_react", "can_accept", "can_edit", "can_delete", "can_see_acks")
    for post in posts:
        alone = Post.objects.select_related("community").get(pk=post.pk)
        set_post_permissions(user, alone, memberships.get(alone.community_id))
        assert {n: getattr(post, n) for n in names} == {n: getattr(alone, n) for n in names}, post.title
    assert posts[0].can_moderate and posts[0].can_accept and not posts[2].can_moderate
    assert not posts[3].can_comment and posts[2].can_comment  # locked
    assert posts[4].can_accept and not posts[2].can_accept and not posts[2].can_see_acks


@pytest.mark.parametrize("url", ["home", "community"])
def test_a_warm_feed_page_of_discussions_compiles_no_sql(user, monkeypatch, url):
    """Every statement of a warm feed page comes precompiled (rse/lib/precompiled.py) or is written
    in SQL: the compiler does not run at all. (Polls, attachments and shares on the page still
    have their rows prefetched by the ORM, compiled as usual.)"""
    community = CommunityFactory(slug="talk")
    member(community, user)
    PostFactory.create_batch(4, community=community)
    PostFactory(community=community, pinned_at=timezone.now())
    client = Client()
    client.force_login(user)
    path = reverse("home") if url == "home" else reverse("community_detail", args=[community.slug])
    assert client.get(path).status_code == 200
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self.query.model) or real(self, *a, **k)
    )
    assert client.get(path).status_code == 200
    assert compiled == []


@pytest.mark.postgres
def test_feed_statements_are_prepared_on_postgresql(user, settings):
    """settings.RSE_PREPARED_STATEMENTS: PostgreSQL plans a feed page's statements once per
    connection (pg_prepared_statements), and the pages read the same."""
    from django.db import connection

    assert settings.RSE_PREPARED_STATEMENTS
    community = CommunityFactory(slug="prepared")
    member(community, user)
    PostFactory.create_batch(3, community=community)
    client = Client()
    client.force_login(user)
    pages = [client.get(reverse("community_detail", args=["prepared"])).content for _ in range(7)]
    assert all(b"prepared" in page for page in pages)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        prepared = cursor.fetchall()
    statements = " ".join(statement for statement, _ in prepared)
    assert "communities_post" in statements and "communities_reaction" in statements
    assert max(runs for _, runs in prepared) >= 7  # prepared once, run on every request
