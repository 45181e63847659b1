"""Catch-up: a reconnecting client gets exactly what it missed, through the one door."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import Community
from communities.notifications import selectors
from communities.tests.factories_realtime import (
    CommentFactory,
    CommunityFactory,
    ItemFactory,
    MembershipFactory,
    PostFactory,
)
from communities.tests.test_consumers import _fresh_layer, open_socket, send_event, subscribe  # noqa: F401
from rse.accounts.tests.factories import UserFactory

URL = "/api/v1/live/catch-up/"
V = Community.Visibility


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(rows):
    return [r["id"] for r in rows]


@pytest.mark.django_db
def test_catch_up_returns_exactly_what_was_missed(api, user):
    community = CommunityFactory(visibility=V.OPEN)
    other = CommunityFactory(visibility=V.OPEN)
    private = CommunityFactory(visibility=V.PRIVATE)
    seen = PostFactory(community=community, created_at=timezone.now() - timedelta(minutes=5))
    start = api.get(URL, {"community": community.pk, "since": (seen.created_at - timedelta(seconds=1)).isoformat()})
    assert start.status_code == 200
    assert ids(start.json()["posts"]) == [seen.pk]
    cursor = start.json()["cursor"]

    # While the client is away:
    missed = [PostFactory(community=community) for _ in range(3)]
    PostFactory(community=other)  # not subscribed
    PostFactory(community=private)  # not readable
    PostFactory(community=community, deleted_at=timezone.now())  # deleted

    answer = api.get(URL, {"community": [community.pk, private.pk], "cursor": cursor}).json()
    assert ids(answer["posts"]) == [p.pk for p in missed]
    assert answer["posts"][0]["community_id"] == community.pk
    assert answer["has_more"] is False
    again = api.get(URL, {"community": community.pk, "cursor": answer["cursor"]}).json()
    assert again["posts"] == []


@pytest.mark.django_db
def test_catch_up_of_a_post_returns_new_comments_and_current_counters(api, user):
    post = PostFactory(community=CommunityFactory(visibility=V.OPEN), reactions_count=4)
    old = CommentFactory(post=post, created_at=timezone.now() - timedelta(minutes=1))
    cursor = selectors.initial_cursor(old.created_at + timedelta(microseconds=1))
    new = [CommentFactory(post=post), CommentFactory(post=post)]
    reply = CommentFactory(post=post, parent=new[0])
    CommentFactory(post=post, deleted_at=timezone.now())
    CommentFactory()  # another post
    post.accepted_comment = new[1]
    post.comments_count = 4
    post.save()
    answer = api.get(URL, {"post": post.pk, "cursor": cursor}).json()
    assert ids(answer["comments"]) == [new[0].pk, new[1].pk, reply.pk]
    assert answer["comments"][2]["parent_id"] == new[0].pk
    (state,) = answer["post_states"]
    assert state == {
        "id": post.pk,
        "comments_count": 4,
        "reactions_count": 4,
        "accepted_comment_id": new[1].pk,
        "edited_at": None,
    }


@pytest.mark.django_db
def test_catch_up_pages_through_a_long_absence(user):
    community = CommunityFactory()
    cursor = selectors.initial_cursor(timezone.now() - timedelta(seconds=1))
    posts = [PostFactory(community=community) for _ in range(5)]
    got = []
    for _ in range(4):
        answer = selectors.catch_up(user, cursor=cursor, community_ids=[community.pk], limit=2)
        got += ids(answer["posts"])
        cursor = answer["cursor"]
        if not answer["has_more"]:
            break
    assert got == [p.pk for p in posts]


@pytest.mark.django_db
def test_catch_up_for_an_item_page(api, user):
    item = ItemFactory()
    cursor = selectors.initial_cursor(timezone.now() - timedelta(seconds=1))
    about = PostFactory()
    about.items.add(item)
    via_comment = CommentFactory().post
    CommentFactory(post=via_comment).items.add(item)
    PostFactory()  # unrelated
    hidden = PostFactory(community=CommunityFactory(visibility=V.SECRET))
    hidden.items.add(item)
    answer = api.get(URL, {"item": item.pk, "cursor": cursor}).json()
    assert sorted(ids(answer["posts"])) == sorted([about.pk, via_comment.pk])


@pytest.mark.django_db
def test_catch_up_refuses_unreadable_posts_and_bad_input(api):
    secret_post = PostFactory(community=CommunityFactory(visibility=V.SECRET))
    assert api.get(URL, {"post": secret_post.pk}).status_code == 404
    assert api.get(URL, {"community": 1, "cursor": "garbage"}).status_code == 400
    assert api.get(URL, {"community": "abc"}).status_code == 400
    assert api.get(URL, {"community": 1, "since": "yesterday"}).status_code == 400
    assert api.get(URL, {"community": 1, "since": "2026-01-01T10:00:00"}).status_code == 400
    assert APIClient().get(URL, {"community": 1}).status_code == 401


@pytest.mark.django_db
def test_catch_up_query_count_is_flat(api, django_assert_max_num_queries):
    community = CommunityFactory()
    post = PostFactory(community=community)
    cursor = selectors.initial_cursor(timezone.now() - timedelta(seconds=1))
    for _ in range(20):
        PostFactory(community=community)
        CommentFactory(post=post)
    with django_assert_max_num_queries(6):
        answer = api.get(URL, {"community": community.pk, "post": post.pk, "cursor": cursor}).json()
    assert len(answer["posts"]) == 21 and len(answer["comments"]) == 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_fresh_layer")
async def test_reconnect_and_catch_up_returns_exactly_what_was_missed():
    community = await sync_to_async(CommunityFactory)(visibility=V.PRIVATE)
    user = (await sync_to_async(MembershipFactory)(community=community)).user
    api = APIClient()
    api.force_authenticate(user)
    get = sync_to_async(lambda params: api.get(URL, params).json())

    socket, _ = await open_socket(user)
    assert (await subscribe(socket, "community", community.pk))["event"] == "rse.subscribed"
    cursor = (await get({"community": community.pk}))["cursor"]
    live = await sync_to_async(PostFactory)(community=community)
    await send_event(
        f"community.{community.pk}", "communities.post_created", {"post_id": live.pk, "community_id": community.pk}
    )
    assert (await socket.receive_json_from())["payload"]["post_id"] == live.pk
    seen = await get({"community": community.pk, "cursor": cursor})
    assert ids(seen["posts"]) == [live.pk]
    await socket.disconnect()

    missed = [await sync_to_async(PostFactory)(community=community) for _ in range(2)]
    await get_channel_layer().group_send(  # published while nobody listened: lost, by design
        f"community.{community.pk}", {"type": "rse.event", "event": "communities.post_created", "payload": {}}
    )

    socket, _ = await open_socket(user)
    assert (await subscribe(socket, "community", community.pk))["event"] == "rse.subscribed"
    assert await socket.receive_nothing(timeout=0.1)
    answer = await get({"community": community.pk, "cursor": seen["cursor"]})
    assert ids(answer["posts"]) == [p.pk for p in missed]
    await socket.disconnect()


@pytest.mark.django_db
def test_catch_up_for_the_home_page_returns_what_the_home_feed_shows(api, user):
    from directory.models import Follow

    cursor = selectors.initial_cursor(timezone.now() - timedelta(seconds=1))
    author = UserFactory()
    Follow.objects.create(follower=user, followed=author)
    by_followed = PostFactory(author=author)  # in a community the user is not in
    news = PostFactory(kind="announcement", community=CommunityFactory(visibility=V.RESTRICTED))
    PostFactory()  # nothing to do with the user
    PostFactory(author=author, community=CommunityFactory(visibility=V.SECRET))  # followed, unreadable
    answer = api.get(URL, {"home": user.pk, "cursor": cursor}).json()
    assert sorted(ids(answer["posts"])) == sorted([by_followed.pk, news.pk])
    assert api.get(URL, {"cursor": cursor}).json()["posts"] == []  # no scope, nothing
