"""Issue 13, hole 5 (communities): nobody learns that a secret community, or a tag used only in
one, exists. Each probe is made over HTTP and must answer what it answers when nothing exists."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from communities import services
from communities.models import Community, Membership
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
V = Community.Visibility


def _create(user, name):
    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/v1/communities/", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["slug"]


def test_a_community_named_like_a_secret_one_gets_the_slug_it_would_get_anyway(client):
    insider, outsider = UserFactory(), UserFactory()
    client.force_login(insider)
    response = client.post(reverse("community_create"), {"name": "Project Aurora", "visibility": V.SECRET})
    assert response.status_code == 302
    secret = Community.objects.get(name="Project Aurora")
    # Its own address is not guessable from its name…
    assert secret.slug.startswith("project-aurora-") and secret.slug != "project-aurora"
    assert client.get(reverse("community_detail", args=["project-aurora"])).status_code == 404
    # …so the outsider's community gets exactly the slug it would get were there no secret one.
    assert _create(outsider, "Project Aurora") == "project-aurora"
    assert Community.objects.filter(name="Project Aurora").count() == 2


def test_a_taken_slug_never_gets_a_counter(client):
    """A slug held by something the creator cannot see (a deleted community, an old secret one)
    is replaced by a random tail, as when a visible community holds it: never "-2"."""
    legacy = CommunityFactory(name="Blue Harbour", slug="blue-harbour", visibility=V.SECRET)
    member(legacy, role=Membership.Role.OWNER)
    slug = _create(UserFactory(), "Blue Harbour")
    assert slug.startswith("blue-harbour-") and not slug.removeprefix("blue-harbour-").isdigit()
    assert len(slug) == len("blue-harbour-") + 8


def test_a_community_turning_secret_gets_a_new_address(client):
    owner = UserFactory()
    community = services.do_create_community(owner, name="Project Kestrel", visibility=V.PRIVATE)
    assert community.slug == "project-kestrel"
    client.force_login(owner)
    response = client.post(
        reverse("community_edit", args=["project-kestrel"]),
        {"name": "Project Kestrel", "visibility": V.SECRET, "description_md": "", "tags": ""},
    )
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.slug.startswith("project-kestrel-") and response["Location"].endswith(f"/c/{community.slug}/")
    assert _create(UserFactory(), "Project Kestrel") == "project-kestrel"


def test_existing_secret_communities_are_given_unguessable_slugs_by_the_migration():
    secret = CommunityFactory(name="Project Aurora", slug="project-aurora", visibility=V.SECRET)
    listed = CommunityFactory(name="Lean", slug="lean", visibility=V.PRIVATE)
    migration = importlib.import_module("communities.migrations.0009_secret_slugs_are_not_guessable")
    migration.forwards(apps, None)
    secret.refresh_from_db()
    listed.refresh_from_db()
    assert secret.slug.startswith("project-aurora-") and len(secret.slug) == len("project-aurora-") + 8
    assert listed.slug == "lean"


def _page(response, tag):
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page).replace(tag, "TAG")


@pytest.mark.parametrize("visibility", [V.SECRET, V.PRIVATE])
def test_a_tag_used_only_where_the_reader_cannot_see_looks_unused(client, visibility):
    hidden = CommunityFactory(visibility=visibility)
    insider = member(hidden, role=Membership.Role.OWNER)
    services.do_create_post(insider, hidden, title="Kickoff", body_md="Go #ProjectAurora and #aurora-phase-2")
    reader = UserFactory()
    client.force_login(reader)
    for used, unused in (("projectaurora", "projectzephyr"), ("aurora-phase-2", "zephyr-phase-2")):
        seen = client.get(reverse("tag_detail", args=[used]))
        never = client.get(reverse("tag_detail", args=[unused]))
        assert seen.status_code == never.status_code == 200
        # The same page, but for the tag's own words (and the per-response CSRF mask).
        assert _page(seen, used) == _page(never, unused)
        assert "ProjectAurora" not in seen.content.decode() and "Kickoff" not in seen.content.decode()
    # A member sees the tag as it was typed, and the post.
    client.force_login(insider)
    page = client.get(reverse("tag_detail", args=["projectaurora"])).content.decode()
    assert "#ProjectAurora" in page and "Kickoff" in page
