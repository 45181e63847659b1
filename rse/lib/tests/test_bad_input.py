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
    assert response.status_code == 400 and set(response.json()) >= {"name", "description_md"}
