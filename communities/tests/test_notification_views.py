"""Notification pages, the bell, preferences, mutes and the no-login unsubscribe link."""

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import (
    Community,
    Mute,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
)
from communities.notifications.emails import unsubscribe_token
from communities.notifications.services import dedupe_key
from communities.tests.factories import member
from communities.tests.factories_realtime import CommentFactory, CommunityFactory, PostFactory
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
K = NotificationKind


def make_notifications(user, count, *, read=False):
    rows = []
    for _ in range(count):
        comment = CommentFactory()
        rows.append(
            Notification.objects.create(
                recipient=user,
                kind=K.REPLY,
                actor=comment.author,
                post=comment.post,
                comment=comment,
                community=comment.post.community,
                dedupe_key=dedupe_key(K.REPLY, actor_id=comment.author_id, comment_id=comment.pk),
                read_at=timezone.now() if read else None,
            )
        )
    return rows


def test_list_shows_my_notifications_only(logged_client, user, other_user):
    mine = make_notifications(user, 2)
    make_notifications(other_user, 1)
    response = logged_client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert [n for n, _s in response.context["entries"]] == list(reversed(mine))
    assert mine[0].actor.display_name in response.content.decode()


def test_list_query_count_does_not_grow(logged_client, user, django_assert_max_num_queries):
    make_notifications(user, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        logged_client.get(reverse("notifications:list"))
    make_notifications(user, 15)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = logged_client.get(reverse("notifications:list"))
    assert len(response.context["entries"]) == 16
    assert len(one.captured_queries) <= 12


def test_list_is_keyset_paginated(logged_client, user):
    rows = make_notifications(user, 25)
    first = logged_client.get(reverse("notifications:list"))
    cursor = first.context["page"].next_cursor
    assert cursor
    second = logged_client.get(reverse("notifications:list"), {"cursor": cursor}, HTTP_HX_REQUEST="true")
    shown = [n.pk for n, _s in first.context["entries"]] + [n.pk for n, _s in second.context["entries"]]
    assert shown == [r.pk for r in reversed(rows)]
    assert "<html" not in second.content.decode()


def test_unread_filter(logged_client, user):
    make_notifications(user, 2, read=True)
    unread = make_notifications(user, 1)
    response = logged_client.get(reverse("notifications:list"), {"unread": "1"})
    assert [n for n, _s in response.context["entries"]] == unread


def test_open_marks_read_and_redirects(logged_client, user):
    (notification,) = make_notifications(user, 1)
    response = logged_client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_cannot_open_or_read_someone_elses(logged_client, other_user):
    (notification,) = make_notifications(other_user, 1)
    assert logged_client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert logged_client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_with_htmx_returns_the_item(logged_client, user):
    (notification,) = make_notifications(user, 1)
    response = logged_client.post(reverse("notifications:read", args=[notification.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="notification-{notification.pk}"' in response.content.decode()
    assert "unread" not in response.content.decode().split(">")[0]


def test_mark_all_read(logged_client, user):
    make_notifications(user, 3)
    response = logged_client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_bell_shows_the_unread_count_on_every_page(logged_client, user):
    make_notifications(user, 3)
    make_notifications(user, 2, read=True)
    page = logged_client.get(reverse("home")).content.decode()
    assert 'id="notification-bell"' in page
    assert 'aria-label="Notifications, 3 unread"' in page
    assert "js/realtime.js" in page
    assert 'hx-trigger="every 60s' in page
    fragment = logged_client.get(reverse("notifications:bell")).content.decode()
    assert fragment.strip().startswith("<a") and "data-bell-count" in fragment and ">3<" in fragment


def test_pages_need_login(client):
    for name in ("notifications:list", "notifications:bell", "notifications:preferences"):
        assert client.get(reverse(name)).status_code == 302


def test_preferences_page_saves_choices(logged_client, user):
    response = logged_client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    data = {kind: NotificationChannel.IN_APP for kind in K.values}
    data[K.REPLY] = NotificationChannel.DIGEST
    data[K.MENTION] = NotificationChannel.OFF
    response = logged_client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    assert prefs[K.REPLY] == NotificationChannel.DIGEST and prefs[K.MENTION] == NotificationChannel.OFF


def test_preferences_page_reshows_errors(logged_client, user):
    response = logged_client.post(reverse("notifications:preferences"), {K.REPLY: "pigeon"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not NotificationPreference.objects.filter(user=user).exists()


def test_mute_and_unmute_from_the_pages(logged_client, user):
    post = PostFactory(community=CommunityFactory(visibility=Community.Visibility.OPEN))
    assert logged_client.post(reverse("notifications:mute"), {"post": post.pk, "next": "/"}).status_code == 302
    assert logged_client.post(reverse("notifications:mute"), {"community": post.community_id}).status_code == 302
    assert Mute.objects.filter(user=user).count() == 2
    page = logged_client.get(reverse("notifications:preferences")).content.decode()
    assert post.community.name in page
    mute = Mute.objects.get(user=user, post=post)
    assert logged_client.post(reverse("notifications:unmute", args=[mute.pk])).status_code == 302
    assert not Mute.objects.filter(pk=mute.pk).exists()
    assert logged_client.post(reverse("notifications:unmute", args=[mute.pk])).status_code == 404


def test_mute_refuses_bad_input_and_secret_targets(logged_client):
    secret = CommunityFactory(visibility=Community.Visibility.SECRET)
    assert logged_client.post(reverse("notifications:mute"), {}).status_code == 400
    assert logged_client.post(reverse("notifications:mute"), {"community": "x"}).status_code == 400
    assert logged_client.post(reverse("notifications:mute"), {"community": secret.pk}).status_code == 404
    assert (
        logged_client.post(reverse("notifications:mute"), {"post": PostFactory(community=secret).pk}).status_code == 404
    )
    assert not Mute.objects.exists()


def test_mute_does_not_redirect_elsewhere(logged_client):
    post = PostFactory()
    response = logged_client.post(reverse("notifications:mute"), {"post": post.pk, "next": "https://evil.example"})
    assert response["Location"] == reverse("notifications:preferences")


def test_unsubscribe_link_asks_first_then_stops_the_emails_without_login(client):
    user = UserFactory()
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk, K.MENTION)])
    page = client.get(url)  # opened, or fetched by a mail scanner: nothing changes yet
    assert page.status_code == 200 and "Stop these e-mails" in page.content.decode()
    assert not NotificationPreference.objects.exists()
    assert client.post(url).status_code == 200
    pref = NotificationPreference.objects.get(user=user, kind=K.MENTION)
    assert pref.channel == NotificationChannel.IN_APP  # no more e-mails, still in the bell


def test_one_click_unsubscribe_post_needs_no_csrf_token():
    from django.test import Client

    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk, K.REPLY)])
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationPreference.objects.get(user=user, kind=K.REPLY).channel == NotificationChannel.IN_APP


def test_digest_unsubscribe_turns_digests_back_to_in_app(client):
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind=K.REPLY, channel=NotificationChannel.DIGEST)
    NotificationPreference.objects.create(user=user, kind=K.MENTION, channel=NotificationChannel.EMAIL)
    assert (
        client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk, "digest")])).status_code
        == 200
    )
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    assert prefs == {K.REPLY: NotificationChannel.IN_APP, K.MENTION: NotificationChannel.EMAIL}


@pytest.mark.parametrize("token", ["garbage", "eyJ1Ijo3fQ:forged:sig"])
def test_bad_unsubscribe_link_is_refused(client, token):
    response = client.get(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_token_for_another_purpose_is_refused(client):
    from django.core import signing

    user = UserFactory()
    token = signing.dumps({"u": user.pk, "k": K.MENTION})  # right key, wrong salt
    assert client.get(reverse("notifications:unsubscribe", args=[token])).status_code == 400


def test_mute_button_partial_toggles(rf, user):
    from django.template.loader import render_to_string

    post = PostFactory()
    request = rf.get("/somewhere/")
    request.user = user
    html = render_to_string("communities/notifications/_mute_button.html", {"post": post}, request=request)
    assert 'aria-pressed="false"' in html and f'name="post" value="{post.pk}"' in html
    mute = Mute.objects.create(user=user, post=post)
    html = render_to_string("communities/notifications/_mute_button.html", {"post": post}, request=request)
    assert 'aria-pressed="true"' in html and reverse("notifications:unmute", args=[mute.pk]) in html
    html = render_to_string(
        "communities/notifications/_mute_button.html", {"community": post.community}, request=request
    )
    assert f'name="community" value="{post.community_id}"' in html


def test_a_member_mutes_a_community_and_a_conversation_from_their_pages(logged_client, user):
    import re

    from communities.models import Membership, Mute

    community = CommunityFactory()
    Membership.objects.create(community=community, user=user, status="active", role="member")
    post = PostFactory(community=community)
    for url, label, target in (
        (reverse("community_detail", args=[community.slug]), "this community", {"community": community}),
        (reverse("post_detail", args=[post.pk]), "this conversation", {"post": post}),
    ):
        html = logged_client.get(url).content.decode()
        form = re.search(r'<form method="post" action="([^"]+)" class="mute-form">.*?</form>', html, re.S)
        assert form and f"Mute {label}" in form.group(0), url
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
        response = logged_client.post(form.group(1), fields)
        assert response.status_code == 302 and response.url == url
        assert Mute.objects.filter(user=user, **target).exists()
        assert f"Unmute {label}" in logged_client.get(url).content.decode()


def test_a_fresh_notification_reads_just_now_then_how_long_ago(logged_client, user):
    from datetime import timedelta

    notification = make_notifications(user, 1)[0]
    assert "just now" in logged_client.get(reverse("notifications:list")).content.decode()
    type(notification).objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert "3\xa0hours ago" in logged_client.get(reverse("notifications:list")).content.decode()


def test_community_page_mute_button_follows_my_mute(logged_client, user):
    """The community page knows my mute from my memberships (no query of its own): the button
    mutes, then unmutes exactly my mute, and another person's mute changes nothing for me."""
    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    member(community, user)
    other = UserFactory()
    member(community, other)
    Mute.objects.create(user=other, community=community)
    url = reverse("community_detail", args=[community.slug])
    page = logged_client.get(url).content.decode()
    assert "Mute this community" in page and "Unmute this community" not in page
    assert logged_client.post(reverse("notifications:mute"), {"community": community.pk}).status_code == 302
    mine = Mute.objects.get(user=user, community=community)
    page = logged_client.get(url).content.decode()
    assert "Unmute this community" in page
    assert f'action="{reverse("notifications:unmute", args=[mine.pk])}"' in page
