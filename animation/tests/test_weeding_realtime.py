"""A post hidden by flags leaves open pages at once; a post held by a keyword rule is never sent."""

import pytest
from asgiref.sync import sync_to_async

from animation.weeding import services
from animation.weeding.models import KeywordRule
from communities import services as community_services
from communities.models import Membership
from communities.tests.factories import CommunityFactory, PostFactory, member
from communities.tests.test_consumers import _fresh_layer, open_socket, subscribe  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)
create = sync_to_async


def _setup():
    community = CommunityFactory()
    owner = member(community, role=Membership.Role.OWNER)
    reader = member(community)
    post = PostFactory(community=community, author=owner, title="Spam")
    flaggers = [member(community) for _ in range(3)]
    KeywordRule.objects.create(community=community, pattern="forbidden", created_at=post.created_at)
    return community, owner, reader, post, flaggers


async def test_hidden_and_held_posts_are_not_sent_to_members():
    community, owner, reader, post, flaggers = await create(_setup)()
    communicator, _ = await open_socket(reader)
    assert (await subscribe(communicator, "community", community.pk))["event"] == "rse.subscribed"

    held = await create(community_services.do_create_post)(owner, community, body_md="A forbidden word")
    assert held.hidden_at is not None
    assert await communicator.receive_nothing(timeout=0.5)

    for user in flaggers:
        await create(services.do_flag)(user, post, reason="spam")
    heard = await communicator.receive_json_from(timeout=5)
    assert heard["event"] == "communities.post_deleted" and heard["payload"]["post_id"] == post.pk
    await communicator.disconnect()

    communicator, _ = await open_socket(reader)
    assert (await subscribe(communicator, "post", post.pk))["event"] != "rse.subscribed"
    await communicator.disconnect()
