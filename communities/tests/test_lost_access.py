"""Issue 13, hole 3: someone who lost access to a conversation (removed from a private community,
or the community turned private or secret) no longer reads its title anywhere: notifications
(page and API), mutes, bookmarks, and e-mails already queued, which are rendered when sent."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from communities import services
from communities.models import (
    Community,
    Membership,
    Mute,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
)
from communities.notifications import services as notification_services
from communities.notifications import tasks
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
V = Community.Visibility
NO_ACCESS = "a conversation you no longer have access to"
SECRET_TITLE = "Layoffs plan for the Lyon plant"
RENAMED = "Restructuring, second draft"


def deliver(kind, recipient, post, actor, comment=None):
    tasks.fan_out_notifications_task.delay(
        kind, [recipient.pk], actor_id=actor.pk, post_id=post.pk, comment_id=comment.pk if comment else None
    ).get()


class World:
    """A private board; Marc is a member, mentioned, replied to, muting, bookmarking, with a
    digest waiting; then he is removed and the post renamed."""

    def __init__(self, client, visibility=V.PRIVATE):
        self.board = CommunityFactory(name="Board", slug="board", visibility=visibility)
        self.owner = member(self.board, UserFactory(first_name="Olga", last_name="Owner"), role=Membership.Role.OWNER)
        self.marc = member(self.board, UserFactory(first_name="Marc", last_name="Dubois"))
        handle = self.marc.email.split("@")[0]
        self.post = services.do_create_post(
            self.owner, self.board, title=SECRET_TITLE, body_md=f"@{handle} the draft is attached. Confidential."
        )
        deliver(NotificationKind.MENTION, self.marc, self.post, self.owner)  # e-mailed at once by default
        services.do_create_comment(self.marc, self.post, body_md="Noted.")
        NotificationPreference.objects.create(
            user=self.marc, kind=NotificationKind.REPLY, channel=NotificationChannel.DIGEST
        )
        self.reply = services.do_create_comment(self.owner, self.post, body_md="Keep it quiet until Monday.")
        deliver(NotificationKind.REPLY, self.marc, self.post, self.owner, comment=self.reply)
        notification_services.do_mute(self.marc, post=self.post)
        services.do_toggle_bookmark(self.marc, self.post)
        mail.outbox.clear()
        self.client = client
        client.force_login(self.marc)
        self.api = APIClient()
        self.api.force_authenticate(self.marc)

    def pages(self):
        return {
            "notifications": self.client.get(reverse("notifications:list")).content.decode(),
            "notifications api": self.api.get("/api/v1/notifications/").content.decode(),
            "mutes": self.client.get(reverse("notifications:preferences")).content.decode(),
            "bookmarks": self.client.get(reverse("bookmarks")).content.decode(),
            "bookmarks api": self.api.get("/api/v1/feeds/bookmarks/").content.decode(),
        }

    def remove_marc(self):
        owner_client = self.client.__class__()
        owner_client.force_login(self.owner)
        membership = Membership.objects.get(community=self.board, user=self.marc)
        response = owner_client.post(reverse("membership_action", args=[membership.pk, "remove"]))
        assert response.status_code in (200, 302)
        assert not Membership.objects.filter(pk=membership.pk).exists()
        services.do_edit_post(self.owner, self.post, title=RENAMED)


def test_a_member_reads_the_titles_while_he_may(client):
    world = World(client)
    pages = world.pages()
    for name in ("notifications", "notifications api", "mutes", "bookmarks", "bookmarks api"):
        assert SECRET_TITLE in pages[name], name
        assert NO_ACCESS not in pages[name].lower(), name


def test_a_removed_member_no_longer_reads_titles_anywhere(client):
    world = World(client)
    world.remove_marc()
    pages = world.pages()
    for name, body in pages.items():
        assert SECRET_TITLE not in body and RENAMED not in body, name
        assert "Keep it quiet" not in body and "Confidential" not in body, name
    # The mention and the reply, each in its link and in its "Mark read" button's label.
    assert pages["notifications"].lower().count(NO_ACCESS) == 4
    api = world.api.get("/api/v1/notifications/").json()["results"]
    assert [n["text"] for n in api] == [f"Olga Owner, in {NO_ACCESS}"] * 2
    assert all(n["url"] == reverse("notifications:list") for n in api)
    assert "A conversation you no longer have access to" in pages["mutes"]
    # The rows are still his: nothing was deleted, only the words are withheld.
    assert Notification.objects.filter(recipient=world.marc).count() == 2
    assert Mute.objects.filter(user=world.marc).count() == 1


def test_emails_already_queued_are_rendered_for_what_he_may_read_when_sent(client):
    world = World(client)
    # A mention e-mail whose sending failed before the removal: the retry sends it after.
    Notification.objects.filter(recipient=world.marc, kind=NotificationKind.MENTION).update(emailed_at=None)
    world.remove_marc()
    key = Notification.objects.get(recipient=world.marc, kind=NotificationKind.MENTION).dedupe_key
    notification_services._send_immediate_emails([world.marc], key)
    assert notification_services.do_send_digest(world.marc.pk) == 1
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        text = message.subject + message.body + message.alternatives[0][0]
        assert SECRET_TITLE not in text and RENAMED not in text
        assert "Keep it quiet" not in text and "Confidential" not in text and "Board" not in text
        assert NO_ACCESS in text


@pytest.mark.parametrize("visibility", [V.PRIVATE, V.SECRET])
def test_a_reader_of_an_open_community_that_turns_private_or_secret(client, visibility):
    world = World(client, visibility=V.OPEN)
    Membership.objects.filter(community=world.board, user=world.marc).delete()  # a reader, not a member
    services.do_update_community(world.owner, world.board, visibility=visibility, name="Project Falcon")
    pages = world.pages()
    for name, body in pages.items():
        assert SECRET_TITLE not in body, name
        if visibility == V.SECRET:
            assert "Project Falcon" not in body, name
    assert NO_ACCESS in pages["notifications"].lower()


def test_a_notification_in_french_says_it_in_french(client):
    world = World(client)
    world.remove_marc()
    page = world.client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "une conversation à laquelle vous n’avez plus accès" in page


@pytest.mark.parametrize("url", ["notifications", "api"])
def test_the_notification_list_checks_access_in_one_query_for_the_page(client, url):
    marc = UserFactory()
    communities = [CommunityFactory(visibility=v) for v in (V.OPEN, V.PRIVATE, V.SECRET)]
    for community in communities:
        member(community, marc)
    author = UserFactory()

    def notify(n):
        for _ in range(n):
            for community in communities:
                post = services.do_create_post(marc, community, title="t")
                Notification.objects.create(
                    recipient=marc, kind=NotificationKind.REPLY, actor=author, community=community, post=post,
                    dedupe_key=f"k{post.pk}",
                )  # fmt: skip

    target = reverse("notifications:list") if url == "notifications" else "/api/v1/notifications/"
    if url == "api":
        client = APIClient()
        client.force_authenticate(marc)
    else:
        client.force_login(marc)
    notify(1)
    client.get(target)
    with CaptureQueriesContext(connection) as one:
        assert client.get(target).status_code == 200
    notify(5)
    Membership.objects.filter(user=marc, community=communities[1]).delete()  # some are no longer readable
    with CaptureQueriesContext(connection) as many:
        assert client.get(target).status_code == 200
    assert len(one.captured_queries) == len(many.captured_queries), "\n".join(q["sql"] for q in many.captured_queries)
