"""A removed member's open post page stops receiving at once, through the real services (the
event published by do_remove_member, not a hand-made one)."""

import pytest
from asgiref.sync import sync_to_async

from communities import services
from communities.models import Community, Membership
from communities.tests.factories_realtime import CommunityFactory, MembershipFactory, PostFactory
from communities.tests.test_consumers import _fresh_layer, open_socket, subscribe  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)
create = sync_to_async


@pytest.mark.parametrize("visibility", [Community.Visibility.PRIVATE, Community.Visibility.SECRET])
async def test_removal_service_stops_an_open_post_page_at_once(visibility):
    community = await create(CommunityFactory)(visibility=visibility, members_count=2)
    owner = (await create(MembershipFactory)(community=community, role=Membership.Role.OWNER)).user
    membership = await create(MembershipFactory)(community=community)
    post = await create(PostFactory)(community=community, author=owner)
    communicator, _ = await open_socket(membership.user)
    assert (await subscribe(communicator, "post", post.pk))["event"] == "rse.subscribed"

    comment = await create(services.do_create_comment)(owner, post, body_md="Before")
    heard = await communicator.receive_json_from(timeout=5)
    assert heard["event"] == "communities.comment_created" and heard["payload"]["comment_id"] == comment.pk

    await create(services.do_remove_member)(owner, membership)
    assert await communicator.receive_json_from(timeout=5) == {
        "event": "rse.unsubscribed",
        "payload": {"scope": "post", "id": post.pk, "reason": "access_lost"},
    }
    assert (await communicator.receive_json_from(timeout=5))["event"] == "communities.member_removed"

    await create(services.do_create_comment)(owner, post, body_md="After")
    await create(services.do_react)(owner, "like", post=post)
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()
