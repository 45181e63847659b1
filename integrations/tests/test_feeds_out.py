import feedparser
import pytest
from django.urls import reverse

from communities.models import Community, Membership
from communities.services.communities import do_remove_member
from communities.services.posts import do_create_post
from communities.tests.factories import CommunityFactory, member
from integrations.feeds import services
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    return response, feedparser.parse(response.content) if response.status_code == 200 else None


def _titles(parsed):
    return [e.title for e in parsed.entries]


@pytest.fixture
def private():
    return CommunityFactory(visibility=Community.Visibility.PRIVATE, name="Board room")


def test_a_private_community_feed_follows_the_readers_access(client, private):
    owner = member(private, role=Membership.Role.OWNER)
    reader = member(private)
    do_create_post(owner, private, title="Budget 2027", body_md="**Confidential** figures")
    key = services.do_regenerate_feed_token(reader).key
    for fmt in ("rss", "atom"):
        url = reverse("integrations:feed_community", args=[key, private.slug, fmt])
        response, parsed = _get(client, url)  # no session: the key is the only credential
        assert response.status_code == 200 and not parsed.bozo
        assert _titles(parsed) == ["Budget 2027"]
        assert "<strong>Confidential</strong>" in parsed.entries[0].summary
        assert parsed.entries[0].link.endswith(reverse("post_detail", args=[private.posts.get().pk]))
        assert response["Cache-Control"].startswith("private")
    assert _titles(_get(client, reverse("integrations:feed_home", args=[key, "rss"]))[1]) == ["Budget 2027"]

    do_remove_member(owner, Membership.objects.get(community=private, user=reader))

    url = reverse("integrations:feed_community", args=[key, private.slug, "rss"])
    assert client.get(url).status_code == 404
    assert _titles(_get(client, reverse("integrations:feed_home", args=[key, "rss"]))[1]) == []


def test_a_tag_feed_shows_only_readable_posts(client, private):
    owner = member(private, role=Membership.Role.OWNER)
    open_community = CommunityFactory()
    author = member(open_community)
    do_create_post(owner, private, title="Hidden #launch", body_md="secret #launch")
    do_create_post(author, open_community, title="Public #launch", body_md="open #launch")
    outsider_key = services.do_regenerate_feed_token(UserFactory()).key
    insider_key = services.do_regenerate_feed_token(owner).key
    url = "integrations:feed_tag"
    assert _titles(_get(client, reverse(url, args=[outsider_key, "launch", "atom"]))[1]) == ["Public #launch"]
    assert sorted(_titles(_get(client, reverse(url, args=[insider_key, "launch", "atom"]))[1])) == [
        "Hidden #launch",
        "Public #launch",
    ]


def test_revoked_and_regenerated_keys(client):
    community = CommunityFactory()
    user = member(community)
    old = services.do_regenerate_feed_token(user).key
    url = lambda key: reverse("integrations:feed_community", args=[key, community.slug, "rss"])  # noqa: E731
    assert client.get(url(old)).status_code == 200
    new = services.do_regenerate_feed_token(user).key
    assert new != old
    assert client.get(url(old)).status_code == 404
    assert client.get(url(new)).status_code == 200
    services.do_revoke_feed_token(user)
    assert client.get(url(new)).status_code == 404
    assert client.get(reverse("integrations:feed_community", args=["nope", community.slug, "rss"])).status_code == 404
    assert client.get(reverse("integrations:feed_home", args=[new, "json"])).status_code == 404


def test_an_inactive_persons_key_stops_working(client):
    community = CommunityFactory()
    user = member(community)
    key = services.do_regenerate_feed_token(user).key
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("integrations:feed_home", args=[key, "rss"])).status_code == 404


def test_secret_community_is_not_revealed(client):
    secret = CommunityFactory(visibility=Community.Visibility.SECRET)
    key = services.do_regenerate_feed_token(UserFactory()).key
    assert client.get(reverse("integrations:feed_community", args=[key, secret.slug, "rss"])).status_code == 404


def test_public_feeds_only_for_open_communities_when_allowed(client, settings, private):
    open_community = CommunityFactory()
    do_create_post(member(open_community), open_community, title="Hello all", body_md="x")
    url = reverse("integrations:public_feed_rss", args=[open_community.slug])
    settings.RSE_PUBLIC_FEEDS = False
    assert client.get(url).status_code == 404
    settings.RSE_PUBLIC_FEEDS = True
    response, parsed = _get(client, url)
    assert response.status_code == 200 and _titles(parsed) == ["Hello all"]
    assert response["Cache-Control"].startswith("public")
    assert _get(client, reverse("integrations:public_feed_atom", args=[open_community.slug]))[1].feed.title
    restricted = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    for community in (private, restricted):
        assert client.get(reverse("integrations:public_feed_rss", args=[community.slug])).status_code == 404


def test_feed_query_count_does_not_grow_with_posts(client, django_assert_num_queries):
    community = CommunityFactory()
    author = member(community)
    key = services.do_regenerate_feed_token(author).key
    url = reverse("integrations:feed_community", args=[key, community.slug, "rss"])
    do_create_post(author, community, title="one", body_md="x")
    client.get(url)  # last use written
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        do_create_post(author, community, title=f"more {i}", body_md="x")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(feedparser.parse(client.get(url).content).entries) == 6


def test_my_feeds_page(client):
    community = CommunityFactory(name="Makers")
    user = member(community)
    client.force_login(user)
    page = reverse("integrations:my_feeds")
    assert reverse("integrations:my_feeds") in client.get(reverse("directory:me"), follow=True).content.decode()
    assert "Makers" not in client.get(page).content.decode()
    client.post(reverse("integrations:feed_token_action", args=["regenerate"]))
    html = client.get(page).content.decode()
    key = user.feed_token.key
    assert reverse("integrations:feed_community", args=[key, community.slug, "atom"]) in html
    client.post(reverse("integrations:feed_token_action", args=["revoke"]))
    assert key not in client.get(page).content.decode()


def test_my_feeds_page_costs_the_same_for_one_and_many_communities(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = member(CommunityFactory())
    services.do_regenerate_feed_token(user)
    client.force_login(user)
    page = reverse("integrations:my_feeds")
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for _i in range(4):
        member(CommunityFactory(), user)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(page).content.decode().count(".atom") == 6
