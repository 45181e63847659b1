"""Feeds: what lands where, keyset pagination that never repeats nor skips, infinite scroll."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities import selectors, services
from communities.models import Comment, Community, Membership, Post
from communities.tests.factories import CommunityFactory, PostFactory, member
from directory.models import Follow
from repository.models import Item, ItemFollow, ItemType
from rse.accounts.tests.factories import UserFactory
from rse.lib.cursor import paginate

pytestmark = pytest.mark.django_db


def titles(qs):
    return {p.title for p in qs}


def test_home_feed_sources(user):
    mine, followed_place, elsewhere, private = (
        CommunityFactory(), CommunityFactory(), CommunityFactory(), CommunityFactory(visibility=Community.Visibility.PRIVATE)
    )  # fmt: skip
    member(mine, user)
    star = UserFactory()
    Follow.objects.create(follower=user, followed=star)
    item = Item.objects.create(item_type=ItemType.objects.create(name="P", slug="p"), name="Lamp", slug="lamp")
    ItemFollow.objects.create(user=user, item=item)
    PostFactory(community=mine, title="in my community")
    PostFactory(community=followed_place, author=star, title="by someone I follow")
    about = PostFactory(community=elsewhere, title="about my item")
    about.items.add(item)
    PostFactory(community=elsewhere, title="unrelated")
    PostFactory(community=elsewhere, kind="announcement", title="company announcement")
    PostFactory(community=private, author=star, title="followed but private")
    expected = {"in my community", "by someone I follow", "about my item", "company announcement"}
    assert titles(selectors.home_feed(user)) == expected
    # the home page passes the memberships it already holds: same posts, my communities as a list
    assert titles(selectors.home_feed(user, memberships=selectors.my_memberships(user))) == expected


def test_essentials(user):
    community = CommunityFactory()
    member(community, user)
    other = member(community)
    pinned = PostFactory(community=community, title="pinned", pinned_at=timezone.now())
    PostFactory(community=community, title="selected", highlighted_at=timezone.now())
    PostFactory(community=community, title="noise")
    PostFactory(community=community, kind="announcement", title="announcement")
    services.do_create_post(other, community, title="mentions me", body_md=f"@{user.email.split('@')[0]}")
    question = services.do_create_post(user, community, kind="question", title="my question")
    services.do_create_comment(other, question, body_md="an answer")
    thread = PostFactory(community=community, title="reply to my comment")
    mine = services.do_create_comment(user, thread, body_md="me")
    services.do_create_comment(other, thread, body_md="you", parent=mine)
    assert titles(selectors.essentials_feed(user)) == {
        "pinned", "selected", "announcement", "mentions me", "my question", "reply to my comment",
    }  # fmt: skip
    assert pinned.pk in [p.pk for p in selectors.essentials_feed(user)]


@pytest.mark.parametrize("ordering", [("-created_at", "-id"), ("-last_activity_at", "-id")])
def test_keyset_pagination_never_repeats_nor_skips(user, ordering):
    community = CommunityFactory()
    same_time = timezone.now() - timedelta(days=1)
    for i in range(23):  # many rows share a timestamp: the id breaks ties
        when = same_time if i % 3 else same_time - timedelta(minutes=i)
        PostFactory(community=community, created_at=when, last_activity_at=when, title=f"p{i}")
    seen, cursor, pages = [], None, 0
    while True:
        page = paginate(selectors.community_feed(user, community), ordering=ordering, cursor=cursor, size=5)
        seen += [p.pk for p in page.items]
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    expected = list(Post.objects.filter(community=community).order_by(*ordering).values_list("pk", flat=True))
    assert seen == expected


def test_infinite_scroll_fragment(logged_client, user):
    community = CommunityFactory()
    member(community, user)
    for i in range(25):
        PostFactory(community=community, title=f"post {i:02d}")
    first = logged_client.get(reverse("community_detail", args=[community.slug]))
    html = first.content.decode()
    assert 'hx-trigger="revealed"' in html
    cursor = first.context["page"].next_cursor
    nxt = logged_client.get(
        reverse("community_detail", args=[community.slug]) + f"?cursor={cursor}", HTTP_HX_REQUEST="true"
    )
    fragment = nxt.content.decode()
    assert "<html" not in fragment and 'hx-trigger="revealed"' not in fragment
    assert len({p.pk for p in first.context["page"].items} | {p.pk for p in nxt.context["page"].items}) == 25
    assert logged_client.get(reverse("home") + "?cursor=garbage").status_code == 400
    assert logged_client.get("/api/v1/feeds/home/?cursor=garbage").status_code == 400


def test_api_feed_is_cursor_paginated(api, user):
    community = CommunityFactory()
    member(community, user)
    for i in range(7):
        PostFactory(community=community, title=f"p{i}")
    first = api.get("/api/v1/feeds/home/?page_size=5").json()
    assert len(first["results"]) == 5 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    ids = [p["id"] for p in first["results"] + second["results"]]
    assert len(set(ids)) == 7
    assert api.get("/api/v1/feeds/nope/").status_code == 404


def test_most_active_order(user):
    community = CommunityFactory()
    member(community, user)
    old = services.do_create_post(user, community, title="old")
    services.do_create_post(user, community, title="new")
    services.do_create_comment(user, old, body_md="revive")
    page = paginate(selectors.home_feed(user), ordering=selectors.feed_ordering("active"), size=5)
    assert page.items[0].title == "old"
    community.refresh_from_db()
    assert community.last_activity_at >= Comment.objects.get().created_at


def test_community_list_filters(user):
    from directory.models import OrgUnit, Profile, Skill, UserSkill

    unit = OrgUnit.objects.create(name="IT", slug="it")
    Profile.objects.create(user=user, org_unit=unit)
    colleague = UserFactory()
    Profile.objects.create(user=colleague, org_unit=unit)
    by_colleague = CommunityFactory(name="Colleagues' club", members_count=3)
    member(by_colleague, colleague)
    skill = Skill.objects.create(name="Python", slug="python")
    UserSkill.objects.create(user=user, skill=skill)
    by_skill = services.do_create_community(UserFactory(), name="Pythonistas", tags="python")
    star = UserFactory()
    Follow.objects.create(follower=user, followed=star)
    by_follow = CommunityFactory(name="Star's place")
    member(by_follow, star)
    mine = CommunityFactory(name="Mine")
    member(mine, user)
    member(mine, colleague)
    CommunityFactory(name="Unrelated")
    suggested = {c.name for c in selectors.list_communities(user, scope="suggested")}
    assert suggested == {by_colleague.name, by_skill.name, by_follow.name}
    assert {c.name for c in selectors.list_communities(user, scope="mine")} == {"Mine"}
    assert {c.name for c in selectors.list_communities(user, q="python")} == {"Pythonistas"}
    invited = CommunityFactory(visibility=Community.Visibility.SECRET, name="Invited")
    member(invited, user, status=Membership.Status.INVITED)
    assert "Invited" in {c.name for c in selectors.list_communities(user, scope="mine")}


def test_item_conversations_fragment_lists_readable_posts_about_an_item(logged_client, user):
    item = Item.objects.create(item_type=ItemType.objects.create(name="C", slug="c"), name="Acme", slug="acme")
    open_ = CommunityFactory()
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    member(open_, user)
    author = member(private)
    services.do_create_post(user, open_, title="Visible talk", body_md="about [[acme]]")
    services.do_create_post(author, private, title="Hidden talk", body_md="about [[acme]]")
    html = logged_client.get(reverse("item_conversations", args=[item.pk])).content.decode()
    assert "Visible talk" in html and "Hidden talk" not in html


def test_restricted_announcements_reach_everyone(user):
    comms = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    PostFactory(community=comms, kind="announcement", title="Official news")
    assert "Official news" in titles(selectors.home_feed(user))


def test_home_feed_reads_private_communities_only_as_an_active_member(user):
    """The home page's path (memberships held in Python) keeps the read rule: a private or secret
    community's posts only for its active members, never for a pending or invited person."""
    joined = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    asked = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    invited = CommunityFactory(visibility=Community.Visibility.SECRET)
    member(joined, user)
    member(asked, user, status=Membership.Status.PENDING)
    member(invited, user, status=Membership.Status.INVITED)
    author = UserFactory()
    Follow.objects.create(follower=user, followed=author)
    for community in (joined, asked, invited):
        PostFactory(community=community, author=author, title=f"in {community.pk}")
        PostFactory(community=community, author=author, kind="announcement", title=f"news {community.pk}")
    expected = {f"in {joined.pk}", f"news {joined.pk}"}
    assert titles(selectors.home_feed(user)) == expected
    assert titles(selectors.home_feed(user, memberships=selectors.my_memberships(user))) == expected
