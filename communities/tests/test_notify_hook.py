"""The notifications hook: the right people, never someone who cannot read the community."""

import pytest
from django.db import transaction

from communities import notify, services
from communities.models import Community, Membership, Mention, Notification
from communities.notifications.tasks import fan_out_notifications_task
from communities.tests.factories import CommunityFactory, member
from directory.models import Follow
from repository.models import Item, ItemFollow, ItemType
from rse.accounts.tests.factories import UserFactory
from rse.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def handle(user):
    return "@" + user.email.split("@")[0]


def test_mention_of_a_non_member_of_a_private_community_yields_no_recipient(
    user, notifications, django_capture_on_commit_callbacks
):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    member(private, user)
    insider = member(private)
    outsider = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post = services.do_create_post(user, private, title="Plan", body_md=f"{handle(insider)} and {handle(outsider)}")
    assert notifications.recipients("mention") == {insider.pk}
    assert outsider.pk not in {r for call in notifications.calls for r in call["recipients"]}
    assert list(Mention.objects.filter(post=post).values_list("user_id", flat=True)) == [insider.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.do_create_comment(user, post, body_md=f"again {handle(outsider)}")
    assert outsider.pk not in {r for call in notifications.calls for r in call["recipients"]}


def test_mentions_in_open_communities_notify_anyone(user, notifications, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    member(community, user)
    colleague = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_create_post(user, community, title="Hi", body_md=f"cc {handle(colleague)} {handle(user)}")
    assert notifications.recipients("mention") == {colleague.pk}  # never oneself


def test_replies_notify_post_and_parent_authors(user, notifications, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    member(community, user)
    commenter, replier = member(community), member(community)
    post = services.do_create_post(user, community, title="T", body_md="b")
    with django_capture_on_commit_callbacks(execute=True):
        top = services.do_create_comment(commenter, post, body_md="top")
        services.do_create_comment(replier, post, body_md="reply", parent=top)
    assert notifications.recipients("reply") == {user.pk, commenter.pk}
    payload = next(c for c in notifications.calls if c["kind"] == "reply")
    assert (
        payload["post_id"] == post.pk
        and payload["community_id"] == community.pk
        and payload["actor_id"] == commenter.pk
    )


def test_followers_of_people_and_items_hear_of_new_posts_only_if_they_may_read(
    user, notifications, django_capture_on_commit_callbacks
):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    open_ = CommunityFactory()
    member(private, user)
    member(open_, user)
    fan_inside, fan_outside = member(private), UserFactory()
    for fan in (fan_inside, fan_outside):
        Follow.objects.create(follower=fan, followed=user)
    item = Item.objects.create(
        item_type=ItemType.objects.create(name="Customer", slug="customer"), name="Acme", slug="acme"
    )
    item_fan = UserFactory()
    ItemFollow.objects.create(user=item_fan, item=item)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_create_post(user, private, title="Inside", body_md="about [[acme]]")
    assert notifications.recipients("followed_person_post") == {fan_inside.pk}
    assert notifications.recipients("followed_item_post") == set()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_create_post(user, open_, title="Outside", body_md="about [[acme]]")
    assert notifications.recipients("followed_person_post") == {fan_inside.pk, fan_outside.pk}
    assert notifications.recipients("followed_item_post") == {item_fan.pk}


def test_nothing_is_sent_when_the_transaction_rolls_back(user, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    member(community, user, role=Membership.Role.ANIMATOR)
    mentioned = member(community)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.do_create_post(user, community, title="T", body_md=f"{handle(mentioned)}")
    # Queued in the write's own transaction (the outbox), sent only after its commit.
    assert OutboxMessage.objects.filter(task=fan_out_notifications_task.name).count() == 1
    assert callbacks and not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.do_create_post(user, community, title="T2", body_md=f"{handle(mentioned)}")
            raise RuntimeError("rolled back")
    assert callbacks == []
    assert OutboxMessage.objects.filter(task=fan_out_notifications_task.name).count() == 1  # only the first
    assert not Notification.objects.exists()


def test_notify_refuses_an_unknown_kind_and_skips_an_empty_audience(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notify.notify_on_commit("mention", [3], actor_id=3, post_id=4)  # only the actor: nobody to tell
    assert callbacks == []
    with pytest.raises(ValueError):
        notify.notify_on_commit("gossip", [1], actor_id=3)


def test_events_are_published_to_community_and_post_groups(user, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("rse.lib.events.publish", lambda event, groups, payload: sent.append((event, groups, payload)))
    community = CommunityFactory()
    member(community, user)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.do_create_post(user, community, title="T", body_md="b")
    assert ("communities.post_created", [f"community.{community.pk}", f"post.{post.pk}"]) in [
        (e, g) for e, g, _ in sent
    ]
