"""Influence in context on a hand-built community: distinct responders weighted by their strongest
action, normalised by the context's size, key voices and concentration; never a global score."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from communities.models import Membership, Post, Reaction, Tag
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from directory.tests.factories import person
from engagement import influence
from engagement.models import AnalyticsOptOut

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    c = CommunityFactory(name="Lean")
    people = {
        name: person(first_name=name).user
        for name in ["ana", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo"]
    }
    for user in people.values():
        member(c, user)
    p = people
    # Ana's question: Bob answers (accepted), Cy replies, Dee reacts.
    question = PostFactory(community=c, author=p["ana"], kind=Post.Kind.QUESTION)
    answer = CommentFactory(post=question, author=p["bob"])
    CommentFactory(post=question, author=p["cy"])
    Reaction.objects.create(user=p["dee"], post=question)
    Post.objects.filter(pk=question.pk).update(accepted_comment=answer)
    # Bob's answer gets a reaction from Cy (Cy's strongest action towards Bob) and from Ana.
    Reaction.objects.create(user=p["cy"], comment=answer)
    # Bob's post: Eve replies twice and reacts (counted once, as a reply), Fay shares it.
    bobs = PostFactory(community=c, author=p["bob"])
    CommentFactory(post=bobs, author=p["eve"])
    CommentFactory(post=bobs, author=p["eve"])
    Reaction.objects.create(user=p["eve"], post=bobs)
    PostFactory(community=CommunityFactory(), author=p["fay"], shared_from=bobs)
    # Bob reacting to his own post is no response.
    Reaction.objects.create(user=p["bob"], post=bobs)
    tag = Tag.objects.create(name="kaizen", slug="kaizen")
    tag.posts.add(bobs)
    return c, people, tag


def test_weighted_distinct_responders_normalised_by_size(world):
    community, p, _tag = world
    result = influence.context_influence("community", community.pk)
    scores = {v.user_id: (v.weighted, v.responders, v.influence) for v in result.voices}
    # Bob: Ana accepted his answer (4), Cy reacted (1), Eve replied (3, not 3+3+1), Fay shared (2).
    assert scores[p["bob"].pk] == (10, 4, 100.0)  # 10 weighted responders per 10 members
    # Ana: Bob replied (3), Cy replied (3), Dee reacted (1).
    assert scores[p["ana"].pk] == (7, 3, 70.0)
    assert [v.user_id for v in result.key_voices()] == [p["bob"].pk, p["ana"].pk]
    assert result.size == 10
    # Contributors: Ana, Bob, Cy, Eve (Fay's share is in another community); 90 % of 17 needs both voices.
    assert (result.contributors, result.concentration_people, result.concentration_percent) == (4, 2, 50.0)


def test_contexts_are_separate(world):
    community, p, tag = world
    by_tag = influence.context_influence("hashtag", tag.pk)
    # Only Bob's post has the tag: Eve's reply (3, her reaction counts no more) and Fay's share (2);
    # the hashtag's size is the 2 people who wrote about it.
    assert [(v.user_id, v.weighted, v.influence) for v in by_tag.voices] == [(p["bob"].pk, 5, 250.0)]
    other = CommunityFactory()
    assert influence.context_influence("community", other.pk).voices == []


def test_opted_out_people_are_neither_shown_nor_counted(world):
    community, p, _tag = world
    AnalyticsOptOut.objects.create(user=p["ana"])
    AnalyticsOptOut.objects.create(user=p["eve"])
    scores = {v.user_id: v.weighted for v in influence.context_influence("community", community.pk).voices}
    assert p["ana"].pk not in scores
    assert scores[p["bob"].pk] == 3  # Cy's reaction 1 and Fay's share 2; Ana and Eve no longer count


def test_influence_is_one_query(world, assert_num_selects):
    community, _p, _tag = world
    with assert_num_selects(1):
        influence._scores(influence._sources("community", value=community.pk))


def test_api_key_voices_for_the_animator(client, world):
    community, p, _tag = world
    Membership.objects.filter(community=community, user=p["jo"]).update(role=Membership.Role.ANIMATOR)
    client.force_login(p["jo"])
    body = client.get(f"/api/v1/engagement/communities/{community.slug}/influence/").json()
    assert body["size"] == 10 and body["contributors"] == 4
    assert body["concentration"] == {"people": 2, "percent_of_contributors": 50.0}
    assert [v["name"] for v in body["key_voices"]][:2] == ["bob Example", "ana Example"]
    assert body["key_voices"][0]["weighted_responders"] == 10
    client.force_login(p["ivy"])  # a member, not an animator
    assert client.get(f"/api/v1/engagement/communities/{community.slug}/influence/").status_code == 403


def test_profile_shows_influence_per_topic_beside_followers(client, world):
    _community, p, _tag = world
    client.force_login(p["ivy"])
    page = client.get(reverse("directory:profile", args=[p["bob"].pk])).content.decode()
    assert "Followers" in page and "Influence by topic" in page
    assert "Lean" in page and "#kaizen" in page


def test_community_dashboard_shows_key_voices_and_concentration(client, world):
    community, p, _tag = world
    Membership.objects.filter(community=community, user=p["jo"]).update(role=Membership.Role.ANIMATOR)
    client.force_login(p["jo"])
    today = datetime.now(UTC).date()
    page = client.get(
        reverse("engagement:community", args=[community.slug]), {"since": f"{today.year - 1}-01-01"}
    ).content.decode()
    assert "Key voices" in page and "50.0 % of contributors (2) trigger 90 % of the responses" in page
    assert page.index("bob Example") < page.index("ana Example")


def test_hashtag_and_item_pages_for_hr(client, world, hr_analyst):
    _community, p, tag = world
    from repository.models import Item, ItemType

    item = Item.objects.create(
        item_type=ItemType.objects.create(name="Customer", slug="customer"), name="ACME", slug="acme"
    )
    post = Post.objects.get(author=p["ana"], kind=Post.Kind.QUESTION)
    post.items.add(item)
    client.force_login(hr_analyst)
    today = datetime.now(UTC).date()
    params = {"since": f"{today.year - 1}-01-01"}
    page = client.get(reverse("engagement:hashtag", args=[tag.slug]), params).content.decode()
    assert "#kaizen" in page and "bob Example" in page
    page = client.get(reverse("engagement:item", args=[item.slug]), params).content.decode()
    assert "ACME" in page and "ana Example" in page
    client.force_login(p["ivy"])
    assert client.get(reverse("engagement:hashtag", args=[tag.slug])).status_code == 403


def test_my_profile_says_whether_i_am_counted_and_links_to_the_opt_out(client, world):
    _community, p, _tag = world
    client.force_login(p["bob"])
    page = client.get(reverse("directory:profile", args=[p["bob"].pk])).content.decode()
    assert "Engagement analytics" in page and reverse("engagement:index") in page and ">counted<" in page
    client.force_login(p["ivy"])
    page = client.get(reverse("directory:profile", args=[p["bob"].pk])).content.decode()
    assert "Engagement analytics" not in page


def test_a_profile_does_not_tell_who_opted_out(client, world):
    """A new user's finding: the profile of the one person who opted out was the only one without
    an "Influence by topic" line. Someone left out, and someone with no responses in what the
    viewer may read, now show the same line."""
    community, p, _tag = world
    newcomer = person(first_name="Neo").user
    member(community, newcomer)
    client.force_login(p["ivy"])

    def influence_line(user):
        page = client.get(reverse("directory:profile", args=[user.pk])).content.decode()
        start = page.index("Influence by topic")
        return page[start : page.index("</dd>", start)]

    assert "Lean" in influence_line(p["bob"])
    AnalyticsOptOut.objects.create(user=p["bob"])
    assert influence_line(p["bob"]) == influence_line(newcomer)
