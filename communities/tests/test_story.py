"""The issue's "done when", end to end: a new user finds and joins communities, asks a
question, gets an answer and accepts it, votes in a poll, reacts, shares a post into another
community, finds it again with search and reads the Essentials view — in the browser, then
through the API."""

import pytest
from django.urls import reverse

from communities import services
from communities.models import Community, Post
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lean = CommunityFactory(name="Lean network", slug="lean-network", description_md="Kaizen and 5S")
    quality = CommunityFactory(name="Quality people", slug="quality-people", visibility=Community.Visibility.RESTRICTED)
    veteran = member(lean, role="animator")
    member(quality, veteran, role="owner")
    poll = services.do_create_post(
        veteran, lean, kind="poll", title="Best day for the kaizen event?", poll_options=["Mon", "Tue"]
    )
    return {"lean": lean, "quality": quality, "veteran": veteran, "poll": poll}


def test_done_when_in_the_browser(client, world):
    newcomer = UserFactory()
    client.force_login(newcomer)
    listing = client.get(reverse("community_list") + "?q=lean").content.decode()
    assert "Lean network" in listing
    client.post(reverse("community_join", args=["lean-network"]))
    client.post(reverse("community_join", args=["quality-people"]))  # restricted: a request
    client.force_login(world["veteran"])
    membership = world["quality"].memberships.get(user=newcomer)
    client.post(reverse("membership_action", args=[membership.pk, "approve"]))

    client.force_login(newcomer)
    client.post(
        reverse("post_create", args=["lean-network"]),
        {"kind": "question", "title": "How to start a 5S audit?", "body_md": "First time!"},
    )
    question = Post.objects.get(title="How to start a 5S audit?")

    client.force_login(world["veteran"])
    client.post(
        reverse("comment_create", args=[question.pk]),
        {"body_md": f"Start with the checklist, @{newcomer.email.split('@')[0]}"},
    )
    answer = question.comments.get()

    client.force_login(newcomer)
    client.post(reverse("post_accept", args=[question.pk]), {"comment": answer.pk})
    option = world["poll"].poll_options.first()
    client.post(reverse("post_vote", args=[world["poll"].pk]), {"option": [option.pk]})
    client.post(reverse("post_react", args=[world["poll"].pk]), {"kind": "insightful"})
    client.post(
        reverse("post_share", args=[question.pk]), {"community": world["quality"].pk, "body_md": "Useful for us"}
    )
    found = client.get(reverse("search") + "?q=audit").content.decode()
    essentials = client.get(reverse("essentials")).content.decode()

    question.refresh_from_db()
    option.refresh_from_db()
    assert question.accepted_comment == answer
    assert option.votes_count == 1
    assert world["poll"].reactions.get(user=newcomer).kind == "insightful"
    assert Post.objects.filter(community=world["quality"], shared_from=question).exists()
    assert "How to start a 5S audit?" in found.replace("<mark>", "").replace("</mark>", "")  # words marked
    assert "How to start a 5S audit?" in essentials  # my question got an answer


def test_done_when_through_the_api(api_for, world):
    newcomer = UserFactory()
    me = api_for(newcomer)
    veteran = api_for(world["veteran"])
    found = me.get("/api/v1/communities/?q=lean").json()["results"]
    assert [c["slug"] for c in found] == ["lean-network"]
    assert me.post("/api/v1/communities/lean-network/join/").json()["status"] == "active"
    assert me.post("/api/v1/communities/quality-people/join/").json()["status"] == "pending"
    membership = world["quality"].memberships.get(user=newcomer)
    assert veteran.post(f"/api/v1/memberships/{membership.pk}/approve/").status_code == 200

    question = me.post(
        "/api/v1/communities/lean-network/posts/",
        {"kind": "question", "title": "How to start a 5S audit?"},
        format="json",
    ).json()
    answer = veteran.post(
        f"/api/v1/posts/{question['id']}/comments/", {"body_md": "Checklist first"}, format="json"
    ).json()
    assert (
        me.post(f"/api/v1/posts/{question['id']}/accept/", {"comment": answer["id"]}, format="json").json()[
            "accepted_comment_id"
        ]
        == answer["id"]
    )
    poll = world["poll"]
    option = poll.poll_options.first().pk
    assert me.post(f"/api/v1/posts/{poll.pk}/vote/", {"options": [option]}, format="json").json()["viewer"][
        "voted_options"
    ] == [option]
    assert (
        me.post(f"/api/v1/posts/{poll.pk}/reactions/", {"kind": "agree"}, format="json").json()["viewer"]["reaction"]
        == "agree"
    )
    shared = me.post(f"/api/v1/posts/{question['id']}/share/", {"community": "quality-people"}, format="json")
    assert shared.status_code == 201
    hits = me.get("/api/v1/search/?q=audit&type=posts").json()["results"]["posts"]
    assert question["id"] in [h["id"] for h in hits]
    essentials = me.get("/api/v1/feeds/essentials/").json()["results"]
    assert question["id"] in [p["id"] for p in essentials]


def test_api_rejects_bad_input_with_reasons(api, user):
    community = CommunityFactory()
    member(community, user)
    bad_title = api.post(f"/api/v1/communities/{community.slug}/posts/", {"title": {"x": 1}}, format="json")
    assert bad_title.status_code == 400 and "title" in bad_title.json()
    post = services.do_create_post(user, community, kind="question", title="Q")
    assert api.post(f"/api/v1/posts/{post.pk}/accept/", {"comment": "abc"}, format="json").status_code == 400
    assert api.post(f"/api/v1/posts/{post.pk}/vote/", {"options": [1]}, format="json").status_code == 400
    assert api.post(f"/api/v1/posts/{post.pk}/rsvp/", {"answer": "yes"}, format="json").status_code == 400
    assert api.post(f"/api/v1/posts/{post.pk}/acknowledge/").status_code == 400
    assert api.post("/api/v1/communities/", {"name": "", "visibility": "public"}, format="json").status_code == 400
    assert api.get("/api/v1/communities/?cursor=%%%").status_code == 400
    assert (
        api.post(f"/api/v1/posts/{post.pk}/comments/", {"body_md": "x", "parent": "zz"}, format="json").status_code
        == 400
    )


def test_browser_bad_input_never_500(logged_client, user):
    community = CommunityFactory()
    member(community, user)
    post = services.do_create_post(user, community, kind="question", title="Q")
    assert logged_client.post(reverse("post_accept", args=[post.pk]), {"comment": "abc"}).status_code == 302
    assert logged_client.post(reverse("post_vote", args=[post.pk]), {"option": ["x"]}).status_code == 302
    assert logged_client.post(reverse("membership_action", args=[1, "dance"])).status_code == 404
    assert logged_client.post(reverse("comment_create", args=[post.pk]), {"body_md": ""}).status_code == 302


def test_api_is_documented_in_the_schema(logged_client):
    schema = logged_client.get("/api/v1/schema/").content.decode()
    for path in [
        "/api/v1/communities/{slug}/posts/",
        "/api/v1/posts/{id}/vote/",
        "/api/v1/feeds/{name}/",
        "/api/v1/search/",
    ]:
        assert path in schema, path
    assert "PostInput" in schema and "VoteInput" in schema
