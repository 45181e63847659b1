"""Precompiled querysets (rse/lib/precompiled.py) return exactly what the queryset returns, for any
values, without compiling again; misuse (a value used in Python or in a slice) fails loudly."""

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from communities.models import Membership, Post
from communities.tests.factories import CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory
from rse.lib import precompiled as pre

pytestmark = pytest.mark.django_db


@pre.precompiled(shape=("ordering", "limit", "kind"))
def posts_of(*, community_id, author_ids, ordering, limit, kind):
    qs = Post.objects.filter(community_id=community_id).filter(Q(author_id__in=author_ids) | Q(title="x"))
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.select_related("author").only("id", "title", "author__email").order_by(*ordering)[:limit]


@pre.precompiled()
def titles_of(*, community_id):
    return Post.objects.filter(community_id=community_id).order_by("id").values_list("title", flat=True)


@pytest.fixture
def two_communities():
    people = UserFactory.create_batch(3)
    a, b = CommunityFactory(), CommunityFactory()
    for community in (a, b):
        for person in people:
            PostFactory.create_batch(2, community=community, author=person)
    PostFactory(community=a, author=people[0], kind=Post.Kind.QUESTION)
    return a, b, people


def _plain(**kw):
    return list(posts_of.build(**kw))


def test_same_rows_as_the_queryset_for_other_values(two_communities):
    a, b, people = two_communities
    for community, authors, kind in [(a, [people[0].pk], None), (b, [people[1].pk, people[2].pk], None),
                                     (a, [people[2].pk, people[0].pk], None), (a, [people[0].pk], "question"),
                                     (b, [], None)]:  # fmt: skip
        kw = {"community_id": community.pk, "author_ids": authors, "ordering": ("-id",), "limit": 3, "kind": kind}
        got = posts_of(**kw)
        assert [p.pk for p in got] == [p.pk for p in _plain(**kw)]
        assert all(p.author.email for p in got)  # select_related filled
        assert all("body_html" in p.get_deferred_fields() for p in got)  # only() kept


def test_compiled_once_per_shape(two_communities):
    a, b, people = two_communities
    posts_of(community_id=a.pk, author_ids=[people[0].pk], ordering=("-id",), limit=3, kind=None)
    statements = connections[DEFAULT_DB_ALIAS].__dict__["_rse_precompiled"]
    before = len(statements)
    posts_of(community_id=b.pk, author_ids=[people[1].pk], ordering=("-id",), limit=3, kind=None)
    assert len(statements) == before  # other values, same statement
    posts_of(community_id=b.pk, author_ids=[p.pk for p in people], ordering=("-id",), limit=3, kind=None)
    posts_of(community_id=b.pk, author_ids=[people[1].pk], ordering=("title", "id"), limit=3, kind=None)
    assert len(statements) == before + 2  # a longer IN list, another ordering


def test_one_query_with_the_bound_values(two_communities):
    a, _b, people = two_communities
    posts_of(community_id=a.pk, author_ids=[people[0].pk], ordering=("-id",), limit=3, kind=None)
    with CaptureQueriesContext(connection) as ctx:
        posts_of(community_id=a.pk, author_ids=[people[1].pk], ordering=("-id",), limit=3, kind=None)
    assert len(ctx.captured_queries) == 1
    assert str(people[1].pk) in ctx.captured_queries[0]["sql"]


def test_values_list_and_empty_lists(two_communities):
    a, b, _people = two_communities
    assert titles_of(community_id=a.pk) == list(titles_of.build(community_id=a.pk))
    assert titles_of(community_id=b.pk) == list(titles_of.build(community_id=b.pk))

    @pre.precompiled()
    def none_of(*, ids):
        return Post.objects.filter(pk__in=ids)

    with CaptureQueriesContext(connection) as ctx:
        assert none_of(ids=[]) == []
    assert ctx.captured_queries == []
    assert [p.pk for p in none_of(ids=[a.posts.first().pk])] == [a.posts.first().pk]


def test_duplicates_in_a_list_are_one_value(two_communities):
    a, _b, people = two_communities
    kw = {"community_id": a.pk, "ordering": ("-id",), "limit": 10, "kind": None}
    once = posts_of(author_ids=[people[0].pk], **kw)
    assert [p.pk for p in posts_of(author_ids=[people[0].pk, people[0].pk], **kw)] == [p.pk for p in once]


def test_a_value_used_outside_the_parameters_fails_loudly(db):
    @pre.precompiled()
    def sliced(*, n):
        return Post.objects.all()[:n]

    @pre.precompiled()
    def branching(*, user_id):
        # a branch on the value that drops it: detected (a branch that keeps it cannot be, hence the rule)
        return Membership.objects.filter(user_id=user_id) if user_id < 1000 else Membership.objects.all()

    @pre.precompiled()
    def transformed(*, text):
        return Post.objects.filter(title__icontains=text)

    for call in (lambda: sliced(n=3), lambda: branching(user_id=4), lambda: transformed(text="a")):
        with pytest.raises(pre.PrecompileError):
            call()
    with pytest.raises(pre.PrecompileError):
        posts_of(community_id=None, author_ids=[], ordering=("-id",), limit=3, kind=None)  # None: a shape


def test_each_thread_compiles_on_its_own_connection(two_communities, settings):
    a, _b, people = two_communities
    kw = {"community_id": a.pk, "author_ids": [people[0].pk], "ordering": ("-id",), "limit": 3, "kind": None}
    mine = [p.pk for p in posts_of(**kw)]
    other = {}

    def read():
        try:
            other["rows"] = [p.pk for p in posts_of(**kw)]
            other["own"] = "_rse_precompiled" in connections[DEFAULT_DB_ALIAS].__dict__
        except Exception as exc:  # noqa: BLE001 - reported below
            other["error"] = exc
        finally:
            connection.close()

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("an in-memory SQLite test database is not shared with another thread")
    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert "error" not in other, other.get("error")
    assert other["own"]
    assert isinstance(mine, list)


def test_members_query_of_a_stand_in_user_matches_a_real_one(db):
    user = UserFactory()
    community = CommunityFactory()
    member(community, user)

    @pre.precompiled()
    def memberships(*, user_id):
        return Membership.objects.filter(user=user.__class__(pk=user_id))

    assert [m.pk for m in memberships(user_id=user.pk)] == [m.pk for m in Membership.objects.filter(user=user)]
