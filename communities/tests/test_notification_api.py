"""REST API of notifications, preferences and mutes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from communities.models import Community, Mute, Notification, NotificationChannel, NotificationKind
from communities.tests.factories_realtime import CommunityFactory, PostFactory
from communities.tests.test_notification_views import make_notifications

pytestmark = pytest.mark.django_db
K = NotificationKind
BASE = "/api/v1/notifications/"


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_needs_authentication():
    assert APIClient().get(BASE).status_code == 401


def test_list_is_cursor_paginated_and_mine_only(api, user, other_user):
    rows = make_notifications(user, 5)
    make_notifications(other_user, 2)
    first = api.get(BASE, {"page_size": 3}).json()
    assert [n["id"] for n in first["results"]] == [r.pk for r in reversed(rows)][:3]
    assert first["results"][0]["kind"] == K.REPLY and first["results"][0]["text"]
    assert first["results"][0]["actor"]["name"] == rows[-1].actor.display_name
    second = api.get(first["next"]).json()
    assert [n["id"] for n in second["results"]] == [r.pk for r in reversed(rows)][3:]
    assert second["next"] is None


def test_list_query_count_is_flat(api, user):
    make_notifications(user, 1)
    with CaptureQueriesContext(connection) as one:
        api.get(BASE)
    make_notifications(user, 12)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(BASE).json()["results"]) == 13
    assert len(many.captured_queries) == len(one.captured_queries) <= 12


def test_unread_only(api, user):
    make_notifications(user, 2, read=True)
    unread = make_notifications(user, 1)
    assert [n["id"] for n in api.get(BASE, {"unread": "true"}).json()["results"]] == [unread[0].pk]


def test_unread_count_mark_read_and_all(api, user, other_user):
    a, b, c = make_notifications(user, 3)
    theirs = make_notifications(other_user, 1)[0]
    assert api.get(f"{BASE}unread-count/").json() == {"unread": 3}
    assert api.post(f"{BASE}{a.pk}/read/").json() == {"unread": 2}
    assert api.post(f"{BASE}{theirs.pk}/read/").status_code == 404
    assert api.post(f"{BASE}read-all/").json() == {"unread": 0}
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_preferences_read_and_update(api):
    prefs = api.get(f"{BASE}preferences/").json()
    assert prefs[K.MENTION] == NotificationChannel.EMAIL and prefs[K.REPLY] == NotificationChannel.IN_APP
    assert set(prefs) == set(K.values)
    updated = api.patch(f"{BASE}preferences/", {K.REPLY: "digest"}, format="json").json()
    assert updated[K.REPLY] == "digest" and updated[K.MENTION] == "email"
    assert api.get(f"{BASE}preferences/").json()[K.REPLY] == "digest"


@pytest.mark.parametrize("body", [{K.REPLY: "pigeon"}, {"gossip": "email"}, ["email"]])
def test_preferences_bad_input_is_a_400(api, body):
    response = api.patch(f"{BASE}preferences/", body, format="json")
    assert response.status_code == 400
    assert response.json()


def test_mutes_create_list_delete(api, user):
    post = PostFactory(community=CommunityFactory(visibility=Community.Visibility.OPEN))
    created = api.post(f"{BASE}mutes/", {"post_id": post.pk}, format="json")
    assert created.status_code == 201 and created.json()["post_id"] == post.pk
    assert api.post(f"{BASE}mutes/", {"community_id": post.community_id}, format="json").status_code == 201
    listed = api.get(f"{BASE}mutes/").json()["results"]
    assert {(m["community_id"], m["post_id"]) for m in listed} == {(None, post.pk), (post.community_id, None)}
    assert api.delete(f"{BASE}mutes/{created.json()['id']}/").status_code == 204
    assert api.delete(f"{BASE}mutes/{created.json()['id']}/").status_code == 404
    assert Mute.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("body", [{}, {"post_id": 1, "community_id": 1}, {"post_id": "x"}])
def test_mutes_bad_input_is_a_400(api, body):
    assert api.post(f"{BASE}mutes/", body, format="json").status_code == 400


def test_cannot_mute_a_secret_community(api):
    secret = CommunityFactory(visibility=Community.Visibility.SECRET)
    assert api.post(f"{BASE}mutes/", {"community_id": secret.pk}, format="json").status_code == 404
    assert api.post(f"{BASE}mutes/", {"post_id": PostFactory(community=secret).pk}, format="json").status_code == 404


def test_schema_lists_the_endpoints(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path in ("/api/v1/notifications/", "/api/v1/notifications/preferences/", "/api/v1/live/catch-up/"):
        assert path in schema["paths"]
