"""Visibility × role × action: every door (pages, htmx actions, feeds, search, API) agrees
with the rules, and a secret community never shows itself to a non-member."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from communities import services
from communities.models import Community, Membership, Post
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
V = Community.Visibility
ROLES = ["non-member", "pending", "invited", "member", "animator", "owner"]
ACTIVE = {"member", "animator", "owner"}


def expected(visibility, role):
    public = visibility in (V.OPEN, V.RESTRICTED)
    reads = public or role in ACTIVE
    listed = visibility != V.SECRET or role in ACTIVE | {"invited"}
    return {
        "list": listed,
        "read": reads,
        "post": role in ACTIVE,
        "comment": role in ACTIVE or (visibility == V.OPEN),
        "moderate": role in {"animator", "owner"},
        "search": reads,
        "feed": reads,
    }


def make_world(visibility, role):
    community = CommunityFactory(visibility=visibility, name=f"Zanzibar {visibility}", slug=f"zanzibar-{visibility}")
    owner = member(community, role=Membership.Role.OWNER)
    post = services.do_create_post(
        owner, community, kind="question", title="Quixotic question", body_md="quixotic body"
    )
    viewer = UserFactory()
    if role == "owner":
        viewer = owner
    elif role != "non-member":
        status = {"pending": "pending", "invited": "invited"}.get(role, "active")
        role_value = {"animator": "animator"}.get(role, "member")
        member(community, viewer, role=role_value, status=status)
    return community, post, viewer


@pytest.mark.parametrize("visibility", V.values)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, visibility, role):
    community, post, viewer = make_world(visibility, role)
    want = expected(visibility, role)
    client.force_login(viewer)
    api = APIClient()
    api.force_authenticate(viewer)

    # list: the communities page, its search, the API list
    page = client.get(reverse("community_list") + "?q=zanzibar").content.decode()
    assert ("Zanzibar" in page) == want["list"]
    api_list = api.get("/api/v1/communities/?q=zanzibar").json()["results"]
    assert bool(api_list) == want["list"]
    detail = client.get(reverse("community_detail", args=[community.slug]))
    assert (detail.status_code == 200) == want["list"]
    assert (api.get(f"/api/v1/communities/{community.slug}/").status_code == 200) == want["list"]

    # read: the post page, the API post, attachments follow the same door
    assert (client.get(reverse("post_detail", args=[post.pk])).status_code == 200) == want["read"]
    assert (api.get(f"/api/v1/posts/{post.pk}/").status_code == 200) == want["read"]

    # feed: the community feed, the API feed, the open-questions list
    if want["list"]:
        assert ("Quixotic question" in detail.content.decode()) == want["feed"]
    api_feed = api.get(f"/api/v1/communities/{community.slug}/posts/")
    assert (api_feed.status_code == 200 and len(api_feed.json()["results"]) == 1) == want["feed"]
    assert ("Quixotic question" in client.get(reverse("unanswered_questions")).content.decode()) == want["feed"]

    # search: pages and API, every type
    results = client.get(reverse("search") + "?q=quixotic").content.decode()
    assert (f'href="{reverse("post_detail", args=[post.pk])}"' in results) == want["search"]
    assert ("question" in results) == want["search"]  # its title (the searched word is in <mark>)
    api_search = api.get("/api/v1/search/?q=quixotic").json()["results"]
    assert bool(api_search["posts"]) == want["search"]
    community_hits = api.get("/api/v1/search/?q=zanzibar&type=communities").json()["results"]["communities"]
    assert bool(community_hits) == want["list"]

    # post
    created = api.post(f"/api/v1/communities/{community.slug}/posts/", {"title": "Mine", "body_md": "x"}, format="json")
    assert (created.status_code == 201) == want["post"], created.content
    if not want["post"]:
        assert created.status_code in (403, 404) and "detail" in created.json()

    # comment and react
    commented = api.post(f"/api/v1/posts/{post.pk}/comments/", {"body_md": "hello"}, format="json")
    assert (commented.status_code == 201) == (want["comment"] and want["read"]), commented.content
    reacted = client.post(reverse("post_react", args=[post.pk]), {"kind": "like"}, HTTP_HX_REQUEST="true")
    assert (reacted.status_code == 200) == (want["comment"] and want["read"])
    post.refresh_from_db()
    assert post.reactions_count == (1 if want["comment"] and want["read"] else 0)

    # moderate: pin (page and API)
    client.post(reverse("post_pin", args=[post.pk]))
    post.refresh_from_db()
    assert (post.pinned_at is not None) == want["moderate"]
    highlight = api.post(f"/api/v1/posts/{post.pk}/highlight/")
    assert (highlight.status_code == 200) == want["moderate"]


def test_secret_community_never_appears_to_a_non_member(client, user):
    secret = CommunityFactory(visibility=V.SECRET, name="Aurora Zeta", slug="aurora-zeta", description_md="aurora")
    insider = member(secret, role=Membership.Role.OWNER)
    post = services.do_create_post(
        insider, secret, kind="announcement", title="Aurora kickoff", body_md=f"aurora with @{user.email.split('@')[0]}"
    )
    services.do_pin_post(insider, post)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    pages = [
        reverse("home"),
        reverse("essentials"),
        reverse("unanswered_questions"),
        reverse("bookmarks"),
        reverse("community_list"),
        reverse("community_list") + "?scope=suggested",
        reverse("community_list") + "?scope=active",
        reverse("search") + "?q=aurora",
        reverse("mention_autocomplete") + "?q=a",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "Aurora" not in body, url
    for url in ["/api/v1/communities/", "/api/v1/feeds/home/", "/api/v1/feeds/essentials/", "/api/v1/search/?q=aurora"]:
        assert "Aurora" not in api.get(url).content.decode(), url
    assert client.get(reverse("community_detail", args=[secret.slug])).status_code == 404
    assert client.get(reverse("mention_autocomplete") + "?q=a&community=aurora-zeta").status_code == 404
    assert api.get("/api/v1/communities/aurora-zeta/").status_code == 404
    assert api.post("/api/v1/communities/aurora-zeta/join/").status_code == 404
    assert not Post.objects.get(pk=post.pk).mentions.filter(user=user).exists()


def test_mention_autocomplete_offers_only_readers_in_private_communities(client, user):
    private = CommunityFactory(visibility=V.PRIVATE)
    member(private, user)
    insider = member(private, UserFactory(first_name="Zoe", last_name="Inside"))
    UserFactory(first_name="Zoe", last_name="Outside")
    client.force_login(user)
    body = client.get(reverse("mention_autocomplete") + f"?q=zoe&community={private.slug}").content.decode()
    assert "Inside" in body and "Outside" not in body
    assert insider.display_name in body
    everyone = client.get(reverse("mention_autocomplete") + "?q=zoe").content.decode()
    assert "Outside" in everyone
