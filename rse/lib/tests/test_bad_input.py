"""Bad input found by trying the pages and the API as a new user: a clear 4xx, never a 500."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from communities import services
from communities.tests.factories import CommunityFactory, member
from repository.models import ItemType

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url", [f"/people/{HUGE}/", f"/posts/{HUGE}/", f"/api/v1/people/{HUGE}/", f"/api/v1/posts/{HUGE}/"]
)
def test_an_id_beyond_the_database_is_a_404(logged_client, url):
    response = logged_client.get(url)
    assert response.status_code == 404


def test_a_vote_for_an_option_id_beyond_the_database_is_a_400(logged_client, user):
    community = CommunityFactory()
    member(community, user)
    poll = services.do_create_post(user, community, kind="poll", title="Lunch?", poll_options=["a", "b"])
    page = logged_client.post(reverse("post_vote", args=[poll.pk]), {"option": HUGE}, follow=True)
    assert page.status_code == 200 and "Unknown option." in page.content.decode()
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(f"/api/v1/posts/{poll.pk}/vote/", {"options": [2**64]}, format="json")
    assert response.status_code == 400 and "options" in response.json()


def test_a_broken_notifications_page_link_is_a_400(logged_client):
    assert logged_client.get("/notifications/?cursor=abc").status_code == 400
    assert logged_client.get("/notifications/?unread=1&cursor=abc").status_code == 400


def test_an_item_name_that_is_not_text_is_refused_not_stored_as_a_python_list(admin_client):
    ItemType.objects.create(name="Customer", slug="customer")
    response = admin_client.put(
        "/api/v1/repository/items/customer/QA-2", {"name": ["x", "y"], "description": ["d"]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and set(response.json()) >= {"name", "description"}


def test_a_next_to_another_site_is_never_followed(logged_client, user):
    community = CommunityFactory()
    response = logged_client.post(reverse("community_join", args=[community.slug]), {"next": "https://evil.example/x"})
    assert response.status_code == 302 and response.url == reverse("community_detail", args=[community.slug])
    post = services.do_create_post(user, community, title="T", body_md="b")
    response = logged_client.post(reverse("post_bookmark", args=[post.pk]), {"next": "//evil.example/"})
    assert response.url == reverse("post_detail", args=[post.pk])
    response = logged_client.post(reverse("post_bookmark", args=[post.pk]), {"next": "/essentials/"})
    assert response.url == "/essentials/"  # on this site: followed


@pytest.mark.parametrize("values", ['["abc",1]', "[1,2]", "[null,1]", '[{"dt":"2026-01-01T00:00:00+00:00"},"x"]'])
def test_a_hand_made_cursor_is_a_400_not_a_500(logged_client, user, values):
    import base64

    cursor = base64.urlsafe_b64encode(values.encode()).decode().rstrip("=")
    assert logged_client.get("/", {"cursor": cursor}).status_code == 400
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/feeds/home/", {"cursor": cursor}).status_code == 400
