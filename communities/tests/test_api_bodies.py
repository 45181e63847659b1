"""The API answers 400 with a reason to a body that is JSON but not an object, never a 500."""

import json

import pytest
from rest_framework.test import APIClient

from communities import services
from communities.models import Membership
from communities.tests.factories import CommunityFactory, member
from repository.models import ItemType

pytestmark = pytest.mark.django_db
BODIES = ["[1]", "null", '"text"', "3"]


@pytest.fixture
def endpoints(user):
    community = CommunityFactory(slug="bench")
    member(community, user, role=Membership.Role.OWNER)
    other = CommunityFactory(slug="elsewhere")
    member(other, user)
    post = services.do_create_post(user, community, kind="question", title="Q", body_md="Why?")
    comment = services.do_create_comment(user, post, body_md="Because")
    ItemType.objects.create(name="Customer", slug="customer")
    base = "/api/v1"
    return [
        ("post", f"{base}/communities/"),
        ("post", f"{base}/communities/bench/posts/"),
        ("post", f"{base}/communities/bench/invite/"),
        ("patch", f"{base}/posts/{post.pk}/"),
        ("post", f"{base}/posts/{post.pk}/comments/"),
        ("post", f"{base}/posts/{post.pk}/reactions/"),
        ("post", f"{base}/posts/{post.pk}/vote/"),
        ("post", f"{base}/posts/{post.pk}/rsvp/"),
        ("post", f"{base}/posts/{post.pk}/share/"),
        ("post", f"{base}/posts/{post.pk}/accept/"),
        ("post", f"{base}/posts/{post.pk}/pin/"),
        ("patch", f"{base}/comments/{comment.pk}/"),
        ("post", f"{base}/comments/{comment.pk}/reactions/"),
        ("put", f"{base}/notifications/preferences/"),
        ("post", f"{base}/notifications/mutes/"),
        ("post", f"{base}/contacts/"),
        ("put", f"{base}/repository/items/customer/ACME-1"),
    ]


@pytest.mark.parametrize("body", BODIES)
def test_a_json_body_that_is_not_an_object_is_a_clear_400(user, endpoints, body):
    client = APIClient()
    client.force_authenticate(user)
    for method, url in endpoints:
        response = getattr(client, method)(url, data=body, content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code)
        assert "JSON object" in json.dumps(response.json()), (method, url)
