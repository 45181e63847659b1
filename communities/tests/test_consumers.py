"""The websocket consumer: session and Origin required, subscriptions only to what the user
may read, dropped at once when access is lost."""

import copy
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings
from django.test import Client

from communities import consumers
from communities.models import Community, Membership
from communities.tests.factories_realtime import (
    CommunityFactory,
    ItemFactory,
    MembershipFactory,
    PostFactory,
    restricted_item,
)
from rse.accounts.tests.factories import UserFactory
from rse.asgi import application
from rse.lib.testing.sockets import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)
V = Community.Visibility


@pytest.fixture(autouse=True)
def _fresh_layer(settings):
    """A new layer per test: in-memory queues belong to the test's event loop, and on Redis a
    prefix of its own keeps parallel test runs from hearing each other's groups."""
    if "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower():
        layer = copy.deepcopy(settings.CHANNEL_LAYERS)
        layer["default"]["CONFIG"]["prefix"] = f"rse-test-{uuid.uuid4().hex[:10]}"
        settings.CHANNEL_LAYERS = layer
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _session_key(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(user=None, origin=b"http://testserver"):
    headers = []
    if origin:
        headers.append((b"origin", origin))
    if user is not None:
        key = await sync_to_async(_session_key)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _code = await communicator.connect()
    if connected:
        hello = await communicator.receive_json_from()
        assert hello["event"] == "rse.hello"
    return communicator, connected


async def send_event(group, event, payload):
    await get_channel_layer().group_send(group, {"type": "rse.event", "event": event, "payload": payload})


async def subscribe(communicator, scope, pk):
    await communicator.send_json_to({"action": "subscribe", "scope": scope, "id": pk})
    return await communicator.receive_json_from()


create = sync_to_async


async def test_connect_refused_without_session():
    communicator, connected = await open_socket(user=None)
    assert not connected


async def test_connect_refused_with_a_bad_origin():
    user = await create(UserFactory)()
    communicator, connected = await open_socket(user, origin=b"http://evil.example.com")
    assert not connected
    communicator, connected = await open_socket(user)
    assert connected
    await communicator.disconnect()


async def test_connect_refused_for_an_inactive_user():
    user = await create(UserFactory)(is_active=False)
    _communicator, connected = await open_socket(user)
    assert not connected


async def test_user_group_is_joined_on_connect():
    user = await create(UserFactory)()
    communicator, _ = await open_socket(user)
    await send_event(f"user.{user.pk}", "notifications.new", {"unread": 3})
    assert await communicator.receive_json_from() == {"event": "notifications.new", "payload": {"unread": 3}}
    await communicator.disconnect()


async def test_open_community_subscription_receives_its_events():
    user = await create(UserFactory)()
    community = await create(CommunityFactory)(visibility=V.OPEN)
    communicator, _ = await open_socket(user)
    answer = await subscribe(communicator, "community", community.pk)
    assert answer == {"event": "rse.subscribed", "payload": {"scope": "community", "id": community.pk}}
    payload = {"post_id": 5, "community_id": community.pk}
    await send_event(f"community.{community.pk}", "communities.post_created", payload)
    assert await communicator.receive_json_from() == {"event": "communities.post_created", "payload": payload}
    await communicator.disconnect()


@pytest.mark.parametrize("visibility", [V.PRIVATE, V.SECRET])
async def test_subscription_refused_for_a_non_member(visibility):
    outsider = await create(UserFactory)()
    community = await create(CommunityFactory)(visibility=visibility)
    # Pending and invited people are not members yet either.
    pending = await create(MembershipFactory)(community=community, status=Membership.Status.PENDING)
    for user in (outsider, pending.user):
        communicator, _ = await open_socket(user)
        answer = await subscribe(communicator, "community", community.pk)
        assert answer["event"] == "rse.refused"
        assert answer["payload"]["reason"] == "forbidden"
        await send_event(f"community.{community.pk}", "communities.post_created", {"community_id": community.pk})
        assert await communicator.receive_nothing(timeout=0.2)
        await communicator.disconnect()


async def test_subscription_accepted_for_an_active_member_of_a_secret_community():
    membership = await create(MembershipFactory)(community=await create(CommunityFactory)(visibility=V.SECRET))
    communicator, _ = await open_socket(membership.user)
    assert (await subscribe(communicator, "community", membership.community_id))["event"] == "rse.subscribed"
    await communicator.disconnect()


async def test_post_subscription_follows_its_community_rule():
    outsider = await create(UserFactory)()
    post = await create(PostFactory)(community=await create(CommunityFactory)(visibility=V.PRIVATE))
    member = (await create(MembershipFactory)(community_id=post.community_id)).user
    communicator, _ = await open_socket(outsider)
    assert (await subscribe(communicator, "post", post.pk))["event"] == "rse.refused"
    await communicator.disconnect()
    communicator, _ = await open_socket(member)
    assert (await subscribe(communicator, "post", post.pk))["event"] == "rse.subscribed"
    await communicator.disconnect()


async def test_subscription_refused_for_a_deleted_post_or_unknown_community():
    user = await create(UserFactory)()
    from django.utils import timezone

    post = await create(PostFactory)(deleted_at=timezone.now())
    communicator, _ = await open_socket(user)
    assert (await subscribe(communicator, "post", post.pk))["event"] == "rse.refused"
    assert (await subscribe(communicator, "community", 987654))["event"] == "rse.refused"
    await communicator.disconnect()


async def test_item_subscription_uses_visible_items():
    user = await create(UserFactory)()
    public_item = await create(ItemFactory)()
    secret_item = await create(restricted_item)()
    communicator, _ = await open_socket(user)
    assert (await subscribe(communicator, "item", public_item.pk))["event"] == "rse.subscribed"
    assert (await subscribe(communicator, "item", secret_item.pk))["event"] == "rse.refused"
    await communicator.disconnect()


async def test_item_pages_hear_of_private_posts_only_when_their_user_reads_that_community():
    item = await create(ItemFactory)()
    private = await create(CommunityFactory)(visibility=V.PRIVATE)
    insider = (await create(MembershipFactory)(community=private)).user
    outsider = await create(UserFactory)()
    sockets = {}
    for person in (insider, outsider):
        sockets[person.pk], _ = await open_socket(person)
        assert (await subscribe(sockets[person.pk], "item", item.pk))["event"] == "rse.subscribed"
    payload = {"post_id": 1, "community_id": private.pk, "item_ids": [item.pk], "members_only": True}
    await send_event(f"item.{item.pk}", "communities.post_created", payload)
    assert (await sockets[insider.pk].receive_json_from())["payload"] == payload
    assert await sockets[outsider.pk].receive_nothing(timeout=0.3)
    public = {**payload, "members_only": False}
    await send_event(f"item.{item.pk}", "communities.post_created", public)
    assert (await sockets[outsider.pk].receive_json_from())["payload"] == public
    for communicator in sockets.values():
        await communicator.disconnect()


async def test_home_scope_is_the_users_own_and_hears_public_announcements():
    user, other = await create(UserFactory)(), await create(UserFactory)()
    communicator, _ = await open_socket(user)
    assert (await subscribe(communicator, "home", other.pk))["event"] == "rse.refused"
    assert (await subscribe(communicator, "home", user.pk))["event"] == "rse.subscribed"
    payload = {"post_id": 1, "community_id": 2, "kind": "announcement", "members_only": False}
    await send_event("home", "communities.post_created", payload)
    assert (await communicator.receive_json_from())["payload"] == payload
    await communicator.disconnect()


async def test_removal_from_a_community_stops_delivery_at_once():
    community = await create(CommunityFactory)(visibility=V.PRIVATE)
    membership = await create(MembershipFactory)(community=community)
    user = membership.user
    communicator, _ = await open_socket(user)
    assert (await subscribe(communicator, "community", community.pk))["event"] == "rse.subscribed"
    await send_event(f"community.{community.pk}", "communities.post_created", {"community_id": community.pk})
    assert (await communicator.receive_json_from())["event"] == "communities.post_created"

    await create(membership.delete)()
    removed = {"community_id": community.pk, "user_id": user.pk}
    await send_event(f"user.{user.pk}", "communities.member_removed", removed)
    left = await communicator.receive_json_from()
    assert left == {
        "event": "rse.unsubscribed",
        "payload": {"scope": "community", "id": community.pk, "reason": "access_lost"},
    }
    assert await communicator.receive_json_from() == {"event": "communities.member_removed", "payload": removed}

    await send_event(f"community.{community.pk}", "communities.post_created", {"community_id": community.pk})
    assert await communicator.receive_nothing(timeout=0.2)
    # And it cannot come back in by asking again.
    assert (await subscribe(communicator, "community", community.pk))["event"] == "rse.refused"
    await communicator.disconnect()


async def test_removal_also_drops_post_subscriptions_of_that_community():
    community = await create(CommunityFactory)(visibility=V.SECRET)
    membership = await create(MembershipFactory)(community=community)
    post = await create(PostFactory)(community=community)
    communicator, _ = await open_socket(membership.user)
    assert (await subscribe(communicator, "post", post.pk))["event"] == "rse.subscribed"
    await create(membership.delete)()
    await send_event(f"user.{membership.user_id}", "communities.member_removed", {"community_id": community.pk})
    assert (await communicator.receive_json_from())["payload"]["reason"] == "access_lost"
    assert (await communicator.receive_json_from())["event"] == "communities.member_removed"
    await send_event(
        f"post.{post.pk}", "communities.comment_created", {"post_id": post.pk, "community_id": community.pk}
    )
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_lost_access_is_caught_even_without_a_membership_event(monkeypatch):
    """Safety net: a service that forgot to publish member_removed still cannot leak content."""
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0)
    community = await create(CommunityFactory)(visibility=V.PRIVATE)
    membership = await create(MembershipFactory)(community=community)
    communicator, _ = await open_socket(membership.user)
    assert (await subscribe(communicator, "community", community.pk))["event"] == "rse.subscribed"
    await create(membership.delete)()
    await send_event(f"community.{community.pk}", "communities.post_created", {"community_id": community.pk})
    assert (await communicator.receive_json_from())["event"] == "rse.unsubscribed"
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_visibility_change_is_rechecked_at_once():
    community = await create(CommunityFactory)(visibility=V.OPEN)
    user = await create(UserFactory)()
    communicator, _ = await open_socket(user)
    assert (await subscribe(communicator, "community", community.pk))["event"] == "rse.subscribed"
    community.visibility = V.PRIVATE
    await create(community.save)()
    await send_event(f"community.{community.pk}", "communities.community_updated", {"community_id": community.pk})
    assert (await communicator.receive_json_from())["payload"]["reason"] == "access_lost"
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_members_keep_receiving_after_a_recheck(monkeypatch):
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0)
    membership = await create(MembershipFactory)(community=await create(CommunityFactory)(visibility=V.PRIVATE))
    communicator, _ = await open_socket(membership.user)
    await subscribe(communicator, "community", membership.community_id)
    payload = {"community_id": membership.community_id, "post_id": 1}
    await send_event(f"community.{membership.community_id}", "communities.post_created", payload)
    assert await communicator.receive_json_from() == {"event": "communities.post_created", "payload": payload}
    await communicator.disconnect()


async def test_unsubscribe_stops_delivery():
    community = await create(CommunityFactory)()
    user = await create(UserFactory)()
    communicator, _ = await open_socket(user)
    await subscribe(communicator, "community", community.pk)
    await communicator.send_json_to({"action": "unsubscribe", "scope": "community", "id": community.pk})
    assert (await communicator.receive_json_from())["payload"]["reason"] == "asked"
    await send_event(f"community.{community.pk}", "communities.post_created", {"community_id": community.pk})
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


@pytest.mark.parametrize(
    "message",
    [
        {"action": "subscribe", "scope": "community", "id": "1"},
        {"action": "subscribe", "scope": "user", "id": 1},
        {"action": "subscribe", "scope": "community", "id": -3},
        {"action": "subscribe", "scope": "community", "id": True},
        {"action": "dance"},
        ["not", "an", "object"],
    ],
)
async def test_bad_messages_get_an_error_not_a_crash(message):
    user = await create(UserFactory)()
    communicator, _ = await open_socket(user)
    await communicator.send_json_to(message)
    assert (await communicator.receive_json_from())["event"] == "rse.error"
    await communicator.send_to(text_data="{not json")
    assert (await communicator.receive_json_from())["event"] == "rse.error"
    await communicator.send_json_to({"action": "ping"})
    assert (await communicator.receive_json_from())["event"] == "rse.pong"
    await communicator.disconnect()


async def test_subscriptions_are_capped(monkeypatch):
    monkeypatch.setattr(consumers, "MAX_SUBSCRIPTIONS", 1)
    first, second = await create(CommunityFactory)(), await create(CommunityFactory)()
    user = await create(UserFactory)()
    communicator, _ = await open_socket(user)
    assert (await subscribe(communicator, "community", first.pk))["event"] == "rse.subscribed"
    answer = await subscribe(communicator, "community", second.pk)
    assert answer["event"] == "rse.refused" and answer["payload"]["reason"] == "too_many"
    await communicator.disconnect()


async def test_group_events_do_not_hop_to_the_sync_thread(monkeypatch):
    """Delivery to hundreds of sockets must not be serialised through sync_to_async."""
    import channels.consumer

    hops = []

    async def counting():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting)
    user = await create(UserFactory)()
    community = await create(CommunityFactory)()
    communicator, _ = await open_socket(user)
    await subscribe(communicator, "community", community.pk)
    for n in range(5):
        await send_event(f"community.{community.pk}", "communities.post_created", {"post_id": n})
        assert (await communicator.receive_json_from())["payload"] == {"post_id": n}
    assert hops == []
    await communicator.disconnect()


async def test_open_communities_are_not_rechecked_per_event(monkeypatch):
    """Every employee reads an open community: no query per delivered event, even when stale."""
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0)
    calls = []
    real = consumers.resolve_scope

    def counting(*args):
        calls.append(args[1:])
        return real(*args)

    monkeypatch.setattr(consumers, "resolve_scope", counting)
    community = await create(CommunityFactory)(visibility=V.RESTRICTED)
    user = await create(UserFactory)()
    communicator, _ = await open_socket(user)
    await subscribe(communicator, "community", community.pk)
    for _ in range(3):
        await send_event(f"community.{community.pk}", "communities.post_created", {"community_id": community.pk})
        assert (await communicator.receive_json_from())["event"] == "communities.post_created"
    assert calls == [("community", community.pk)]  # the subscription only
    await communicator.disconnect()


async def test_someone_else_leaving_does_not_recheck_every_watcher(monkeypatch):
    community = await create(CommunityFactory)(visibility=V.PRIVATE)
    user = (await create(MembershipFactory)(community=community)).user
    communicator, _ = await open_socket(user)
    assert (await subscribe(communicator, "community", community.pk))["event"] == "rse.subscribed"
    checks = []
    original = consumers.RealtimeConsumer.recheck

    async def counting(self, community_id):
        checks.append(community_id)
        return await original(self, community_id)

    monkeypatch.setattr(consumers.RealtimeConsumer, "recheck", counting)
    await send_event(f"community.{community.pk}", "communities.left", {"community_id": community.pk, "user_id": 0})
    assert (await communicator.receive_json_from())["event"] == "communities.left"
    assert checks == []
    await send_event(
        f"community.{community.pk}", "communities.left", {"community_id": community.pk, "user_id": user.pk}
    )
    await communicator.receive_json_from()
    assert checks == [community.pk]
    await communicator.disconnect()
