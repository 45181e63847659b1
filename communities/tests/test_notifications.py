"""Notification fan-out: preferences, mutes, access re-check, idempotence, e-mails, digests."""

import re

import pytest
from django.conf import settings
from django.core import mail

from communities.models import (
    Community,
    Membership,
    Mute,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
)
from communities.notifications import services, tasks
from communities.notifications.emails import read_unsubscribe_token, unsubscribe_token
from communities.tests.factories_realtime import CommentFactory, CommunityFactory, MembershipFactory, PostFactory
from rse.accounts.tests.factories import UserFactory
from rse.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
K = NotificationKind
C = NotificationChannel


@pytest.fixture
def published(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "publish", lambda event, groups, payload: calls.append((event, groups, payload)))
    return calls


@pytest.fixture
def post():
    return PostFactory(community=CommunityFactory(visibility=Community.Visibility.OPEN))


def deliver(kind, recipients, post=None, **kwargs):
    ids = [getattr(r, "pk", r) for r in recipients]
    kwargs.setdefault("actor_id", post.author_id if post else UserFactory().pk)
    if post is not None:
        kwargs.setdefault("post_id", post.pk)
    return tasks.fan_out_notifications_task.delay(kind, ids, **kwargs).get()


def set_pref(user, kind, channel):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})


def test_enqueue_runs_the_fan_out_after_commit(django_capture_on_commit_callbacks, post):
    reader = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.enqueue_notifications(K.REPLY, [reader.pk, post.author_id], actor_id=post.author_id, post_id=post.pk)
        assert not Notification.objects.exists()  # never inside the request's transaction
    assert len(callbacks) == 1
    callbacks[0]()
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.post, notification.community) == (
        reader,
        K.REPLY,
        post,
        post.community,
    )


def test_enqueue_ignores_the_actor_and_empty_lists(django_capture_on_commit_callbacks, post):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.enqueue_notifications(K.REPLY, [post.author_id], actor_id=post.author_id, post_id=post.pk)
        services.enqueue_notifications(K.REPLY, [], actor_id=post.author_id, post_id=post.pk)
    assert callbacks == []
    with pytest.raises(ValueError):
        services.enqueue_notifications("gossip", [1], actor_id=2)


def test_fan_out_run_twice_notifies_once(post, published):
    readers = UserFactory.create_batch(3)
    assert deliver(K.MENTION, readers, post) == 3
    assert deliver(K.MENTION, readers, post) == 0
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3  # mentions are e-mailed by default, once
    assert sorted(groups[0] for _e, groups, _p in published) == sorted(f"user.{u.pk}" for u in readers)


def test_emails_are_claimed_so_a_half_done_run_does_not_send_twice(post):
    reader = UserFactory()
    deliver(K.MENTION, [reader], post)
    Notification.objects.update(emailed_at=None)  # as if a crash happened between insert and claim
    deliver(K.MENTION, [reader], post)
    deliver(K.MENTION, [reader], post)
    assert len(mail.outbox) == 2  # the original, and one retry that found the unclaimed row


def test_publishes_the_unread_count_to_each_recipient(post, published):
    reader = UserFactory()
    deliver(K.REPLY, [reader], post, comment_id=CommentFactory(post=post).pk)
    deliver(K.ANSWER, [reader], post)
    assert published == [
        (services.NEW_EVENT, [f"user.{reader.pk}"], {"unread": 1}),
        (services.NEW_EVENT, [f"user.{reader.pk}"], {"unread": 2}),
    ]


def test_preferences_are_honoured_per_kind(post):
    off, email, in_app, digest, default = UserFactory.create_batch(5)
    set_pref(off, K.REPLY, C.OFF)
    set_pref(email, K.REPLY, C.EMAIL)
    set_pref(in_app, K.REPLY, C.IN_APP)
    set_pref(digest, K.REPLY, C.DIGEST)
    set_pref(off, K.MENTION, C.EMAIL)  # another kind: does not matter for replies
    deliver(K.REPLY, [off, email, in_app, digest, default], post)
    got = dict(Notification.objects.values_list("recipient_id", "channel"))
    assert got == {email.pk: C.EMAIL, in_app.pk: C.IN_APP, digest.pk: C.DIGEST, default.pk: C.IN_APP}
    assert [m.to for m in mail.outbox] == [[email.email]]


def test_defaults_email_only_mentions(post):
    reader = UserFactory()
    for kind in K.values:
        deliver(kind, [reader], post)
    assert Notification.objects.filter(recipient=reader).count() == len(K.values)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(emailed_at__isnull=False).kind == K.MENTION


def test_mentions_switched_off_send_nothing(post):
    reader = UserFactory()
    set_pref(reader, K.MENTION, C.OFF)
    deliver(K.MENTION, [reader], post)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_muted_community_and_conversation_are_silent(post):
    mutes_community, mutes_post, mutes_other_post, listener = UserFactory.create_batch(4)
    Mute.objects.create(user=mutes_community, community=post.community)
    Mute.objects.create(user=mutes_post, post=post)
    Mute.objects.create(user=mutes_other_post, post=PostFactory(community=post.community))
    deliver(K.MENTION, [mutes_community, mutes_post, mutes_other_post, listener], post)
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {mutes_other_post.pk, listener.pk}


def test_join_requests_are_not_silenced_by_a_community_mute():
    community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    animator = MembershipFactory(community=community, role=Membership.Role.ANIMATOR).user
    Mute.objects.create(user=animator, community=community)
    deliver(K.JOIN_REQUEST, [animator], community_id=community.pk)
    assert Notification.objects.get().recipient == animator


def test_recipients_who_cannot_read_the_community_are_skipped():
    community = CommunityFactory(visibility=Community.Visibility.SECRET)
    post = PostFactory(community=community)
    member = MembershipFactory(community=community).user
    pending = MembershipFactory(community=community, status=Membership.Status.PENDING).user
    outsider = UserFactory()
    inactive = MembershipFactory(community=community, user=UserFactory(is_active=False)).user
    deliver(K.MENTION, [member, pending, outsider, inactive], post)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [member.pk]


def test_invitations_reach_the_invited_person_of_a_secret_community():
    community = CommunityFactory(visibility=Community.Visibility.SECRET)
    invited = MembershipFactory(community=community, status=Membership.Status.INVITED).user
    stranger = UserFactory()
    deliver(K.INVITATION, [invited, stranger], community_id=community.pk)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [invited.pk]


def test_nothing_is_created_for_a_deleted_post_or_comment(post):
    from django.utils import timezone

    reader = UserFactory()
    comment = CommentFactory(post=post, deleted_at=timezone.now())
    deliver(K.REPLY, [reader], post, comment_id=comment.pk)
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])
    deliver(K.MENTION, [reader], post)
    assert not Notification.objects.exists()


def test_large_fan_out_runs_in_batches(
    post, monkeypatch, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BATCH_SIZE", 4)
    readers = UserFactory.create_batch(10)
    for reader in readers[:3]:
        set_pref(reader, K.ANNOUNCEMENT, C.DIGEST)
    # The batches go through the outbox: sent once the splitting task's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        deliver(K.ANNOUNCEMENT, readers, post)
    assert Notification.objects.filter(kind=K.ANNOUNCEMENT).count() == 10
    assert not OutboxMessage.objects.exists()  # every batch succeeded
    # Per batch a fixed number of queries, whatever its size: no query per recipient (the split in
    # one transaction; each batch: its outbox row written, claimed and deleted, 9 for the delivery).
    Notification.objects.all().delete()
    with django_assert_max_num_queries(3 + 2 + 3 * (3 + 9)), django_capture_on_commit_callbacks(execute=True):
        deliver(K.ANNOUNCEMENT, readers, post)
    assert Notification.objects.filter(kind=K.ANNOUNCEMENT).count() == 10


def test_email_is_multipart_with_an_unsubscribe_link(post, settings):
    settings.SITE_URL = "https://rse.example.com"
    reader = UserFactory(first_name="Ada")
    comment = CommentFactory(post=post, body_md="Hello @Ada, see the **figures**.")
    deliver(K.MENTION, [reader], post, comment_id=comment.pk, actor_id=comment.author_id)
    (message,) = mail.outbox
    assert message.to == [reader.email]
    assert comment.author.display_name in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Hello Ada" in message.body and "Hello Ada" in html
    assert "see the figures." in message.body and "**" not in message.body  # the words as the page shows them
    link = re.search(r"https://rse\.example\.com/notifications/unsubscribe/[^\s\"<>]+/", message.body).group(0)
    assert link in html.replace("&amp;", "&")
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert read_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1]) == (reader.pk, K.MENTION)


def test_email_is_in_the_recipients_language(post):
    french, english = UserFactory(language="fr"), UserFactory(language="")
    deliver(K.MENTION, [french, english], post)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    fr_html = by_recipient[french.email].alternatives[0][0]
    en_html = by_recipient[english.email].alternatives[0][0]
    assert '<html lang="fr">' in fr_html
    assert f'<html lang="{settings.LANGUAGE_CODE}">' in en_html
    # Django's own French catalogue names the months: the rendering really ran in French.
    from django.utils import formats, translation

    created = Notification.objects.get(recipient=french).created_at
    with translation.override("fr"):
        month = formats.date_format(created, "F")
    assert month in by_recipient[french.email].body
    assert month in fr_html


def test_unsubscribe_token_is_tamper_proof():
    from django.core import signing

    token = unsubscribe_token(7, K.MENTION)
    assert read_unsubscribe_token(token) == (7, K.MENTION)
    with pytest.raises(signing.BadSignature):
        read_unsubscribe_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


def test_digest_sends_pending_items_once():
    reader = UserFactory()
    set_pref(reader, K.REPLY, C.DIGEST)
    set_pref(reader, K.ANSWER, C.DIGEST)
    post = PostFactory()
    deliver(K.REPLY, [reader], post)
    deliver(K.ANSWER, [reader], post)
    deliver(K.ANNOUNCEMENT, [reader], post)  # in-app only: not in the digest
    assert mail.outbox == []
    assert tasks.send_digests_task.delay().get() == 1
    assert tasks.send_digests_task.delay().get() == 0
    (message,) = mail.outbox
    assert message.to == [reader.email]
    assert message.body.count("/notifications/") >= 2
    assert message.extra_headers["List-Unsubscribe"].startswith("<")
    assert tasks.send_digest_task.delay(reader.pk).get() == 0
    assert len(mail.outbox) == 1


def test_digest_skips_what_was_already_read():
    reader = UserFactory()
    set_pref(reader, K.REPLY, C.DIGEST)
    deliver(K.REPLY, [reader], PostFactory())
    services.do_mark_all_read(reader)
    assert services.do_send_digest(reader.pk) == 0
    assert mail.outbox == []
    assert not services.users_with_pending_digest().exists()


def test_digest_runs_daily_from_beat():
    from rse.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == tasks.send_digests_task.name
    assert entry["task"] in app.tasks


def test_mark_read_and_publish_the_new_count(published, post, django_capture_on_commit_callbacks):
    reader = UserFactory()
    deliver(K.REPLY, [reader], post)
    deliver(K.ANSWER, [reader], post)
    published.clear()
    first = Notification.objects.filter(recipient=reader).first()
    other = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_mark_read(other, [first.pk]) == 0  # not theirs
        assert services.do_mark_read(reader, [first.pk]) == 1
    assert services.unread_count(reader.pk) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_mark_all_read(reader) == 1
    assert services.unread_count(reader.pk) == 0


def test_set_preferences_validates():
    from django.core.exceptions import ValidationError

    user = UserFactory()
    prefs = services.do_set_preferences(user, {K.REPLY: C.EMAIL})
    assert prefs[K.REPLY] == C.EMAIL and prefs[K.MENTION] == C.EMAIL and prefs[K.ANSWER] == C.IN_APP
    with pytest.raises(ValidationError):
        services.do_set_preferences(user, {"gossip": C.EMAIL})
    with pytest.raises(ValidationError):
        services.do_set_preferences(user, {K.REPLY: "pigeon"})


def test_cannot_mute_what_one_cannot_read():
    from django.core.exceptions import ValidationError

    secret = CommunityFactory(visibility=Community.Visibility.SECRET)
    with pytest.raises(ValidationError):
        services.do_mute(UserFactory(), community=secret)


def test_recipient_helpers():
    from communities.notifications import selectors
    from communities.tests.factories_realtime import ItemFactory
    from directory.models import Follow
    from repository.models import ItemFollow

    item, other_item = ItemFactory(), ItemFactory()
    fan, other_fan, colleague = UserFactory.create_batch(3)
    ItemFollow.objects.create(user=fan, item=item)
    ItemFollow.objects.create(user=fan, item=other_item)
    ItemFollow.objects.create(user=other_fan, item=other_item)
    assert sorted(selectors.item_follower_ids([item.pk, other_item.pk])) == sorted([fan.pk, other_fan.pk])
    Follow.objects.create(follower=fan, followed=colleague)
    assert selectors.person_follower_ids(colleague.pk) == [fan.pk]
    community = CommunityFactory()
    owner = MembershipFactory(community=community, role=Membership.Role.OWNER).user
    MembershipFactory(community=community, role=Membership.Role.ANIMATOR, status=Membership.Status.INVITED)
    MembershipFactory(community=community)
    assert selectors.moderator_ids(community.pk) == [owner.pk]


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_handled_join_request_is_read_for_every_animator_and_the_person_hears_of_an_approval(
    decision, django_capture_on_commit_callbacks
):
    from communities import services as community_services
    from communities.notifications.texts import describe

    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    owner = MembershipFactory(community=community, role=Membership.Role.OWNER).user
    animator = MembershipFactory(community=community, role=Membership.Role.ANIMATOR).user
    newcomer = UserFactory(first_name="Antoine")
    with django_capture_on_commit_callbacks(execute=True):
        membership = community_services.do_join_community(newcomer, community)
    assert Notification.objects.filter(kind=K.JOIN_REQUEST, read_at__isnull=True).count() == 2
    assert services.unread_count(owner.pk) == 1  # cached now: it must go down after the decision
    with django_capture_on_commit_callbacks(execute=True):
        getattr(community_services, f"do_{decision}_membership")(animator, membership)
    assert not Notification.objects.filter(kind=K.JOIN_REQUEST, read_at__isnull=True).exists()
    assert services.unread_count(owner.pk) == 0
    told = Notification.objects.filter(recipient=newcomer, kind=K.JOIN_APPROVED)
    if decision == "approve":
        assert [describe(n) for n in told] == [
            f"{animator.display_name} approved your request: welcome to {community.name}"
        ]
    else:
        assert not told.exists()


def test_email_excerpts_read_like_the_page_and_hide_restricted_items():
    from django.contrib.auth.models import Group

    from communities import services as community_services
    from communities.notifications.texts import excerpt
    from repository.models import Item, ItemType

    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    author = MembershipFactory(community=community).user
    reader = MembershipFactory(community=community).user
    orion = Item.objects.create(item_type=ItemType.objects.create(name="Project", slug="project"),
                                name="Orion", slug="project-orion-acquisition")  # fmt: skip
    orion.restricted_to.add(Group.objects.create(name="M&A"))
    author.groups.add(orion.restricted_to.get())
    post = community_services.do_create_post(
        author, community, title="Status", body_md="**Big** news on [[project-orion-acquisition]] for you"
    )
    deliver(K.MENTION, [reader], post)
    text = excerpt(Notification.objects.get(recipient=reader))
    assert "project-orion-acquisition" not in text and "**" not in text
    assert text.startswith("Big news on") and "restricted item" in text


def test_a_second_join_request_after_a_refusal_rings_again(django_capture_on_commit_callbacks):
    from communities import services as community_services

    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    animator = MembershipFactory(community=community, role=Membership.Role.ANIMATOR).user
    newcomer = UserFactory()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            membership = community_services.do_join_community(newcomer, community)
        with django_capture_on_commit_callbacks(execute=True):
            community_services.do_reject_membership(animator, membership)
    assert Notification.objects.filter(recipient=animator, kind=K.JOIN_REQUEST).count() == 2


@pytest.mark.parametrize("how", ["withdrawn", "invited"])
def test_a_join_request_that_ends_otherwise_is_read_for_the_animators(how, django_capture_on_commit_callbacks):
    from communities import services as community_services

    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    animator = MembershipFactory(community=community, role=Membership.Role.ANIMATOR).user
    newcomer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        community_services.do_join_community(newcomer, community)
    assert Notification.objects.filter(recipient=animator, read_at__isnull=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        if how == "withdrawn":
            community_services.do_leave_community(newcomer, community)
        else:
            community_services.do_invite_member(animator, community, newcomer)
    assert not Notification.objects.filter(recipient=animator, kind=K.JOIN_REQUEST, read_at__isnull=True).exists()


def test_a_digest_that_fails_to_send_is_sent_by_the_next_run(monkeypatch):
    from communities.notifications import emails

    reader = UserFactory()
    set_pref(reader, K.REPLY, C.DIGEST)
    deliver(K.REPLY, [reader], PostFactory())
    real = emails.send_digest_email

    def broken(user, rows):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(emails, "send_digest_email", broken)
    with pytest.raises(ConnectionError):
        services.do_send_digest(reader.pk)
    monkeypatch.setattr(emails, "send_digest_email", real)
    assert services.do_send_digest(reader.pk) == 1 and len(mail.outbox) == 1
