"""The pages opt in to static/js/realtime.js, the events carry what those pages need (ids and
counts only), and the fragments the pages fetch go through the same access door as the pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Community, Membership
from communities.tests.factories import CommunityFactory, member
from repository.models import Item, ItemType
from rse.accounts.tests.factories import UserFactory
from rse.lib import events

pytestmark = pytest.mark.django_db
V = Community.Visibility
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def published(monkeypatch):
    """(event, groups, payload) of everything published after commit."""
    calls = []
    monkeypatch.setattr(events, "publish", lambda event, groups, payload: calls.append((event, groups, payload)))
    return calls


def _private_world(user):
    community = CommunityFactory(visibility=V.PRIVATE)
    author = member(community, role=Membership.Role.OWNER)
    member(community, user)
    return community, author


# --- fragments --------------------------------------------------------------------------------


def test_comment_fragment_renders_one_thread_with_its_live_hooks(user, logged_client):
    community, author = _private_world(user)
    post = services.do_create_post(author, community, title="Q", body_md="Why?")
    head = services.do_create_comment(author, post, body_md="Because")
    reply = services.do_create_comment(user, post, body_md="Thanks", parent=head)

    response = logged_client.get(reverse("comment_fragment", args=[head.pk]), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<li") and f'data-comment-id="{head.pk}"' in html
    assert f'data-live-target="comment-{head.pk}"' in html and f'data-live-replies="{head.pk}"' in html
    assert f'data-comment-id="{reply.pk}"' in html  # the thread comes with its replies

    only_reply = logged_client.get(reverse("comment_fragment", args=[reply.pk]), **HX).content.decode()
    assert f'data-comment-id="{reply.pk}"' in only_reply and "data-live-replies" not in only_reply
    assert f'data-comment-id="{head.pk}"' not in only_reply


def test_comment_fragment_is_404_for_a_non_member_of_a_private_community_and_for_deleted(user, client):
    community, author = _private_world(user)
    post = services.do_create_post(author, community, title="Q", body_md="Why?")
    comment = services.do_create_comment(author, post, body_md="Secret")
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(reverse("comment_fragment", args=[comment.pk])).status_code == 404
    assert client.get(reverse("post_poll", args=[post.pk])).status_code == 404

    client.force_login(user)
    assert client.get(reverse("comment_fragment", args=[comment.pk])).status_code == 200
    services.do_delete_comment(author, comment)
    assert client.get(reverse("comment_fragment", args=[comment.pk])).status_code == 404


def test_removed_member_loses_the_fragments_at_once(user, client):
    community, author = _private_world(user)
    post = services.do_create_post(
        author, community, kind="poll", title="Lunch?", body_md="Where", poll_options=["Here", "There"]
    )
    comment = services.do_create_comment(author, post, body_md="Here!")
    client.force_login(user)
    assert client.get(reverse("post_poll", args=[post.pk])).status_code == 200
    services.do_remove_member(author, Membership.objects.get(community=community, user=user))
    assert client.get(reverse("post_poll", args=[post.pk])).status_code == 404
    assert client.get(reverse("comment_fragment", args=[comment.pk])).status_code == 404


def test_poll_fragment_shows_fresh_results_and_refreshes_itself(user, logged_client):
    community, author = _private_world(user)
    post = services.do_create_post(
        author, community, kind="poll", title="Lunch?", body_md="Where", poll_options=["Here", "There"]
    )
    options = list(post.poll_options.order_by("position"))
    url = reverse("post_poll", args=[post.pk])
    before = logged_client.get(url, **HX).content.decode()
    assert 'data-live-refresh="communities.voted"' in before and f'data-live-url="{url}"' in before
    assert "0 voters" in before
    services.do_vote(author, post, [options[1].pk])
    services.do_vote(user, post, [options[0].pk])
    after = logged_client.get(url, **HX).content.decode()
    assert "2 voters" in after and "50% (1)" in after
    discussion = services.do_create_post(author, community, title="Plain", body_md="text")
    assert logged_client.get(reverse("post_poll", args=[discussion.pk])).status_code == 404


def test_comment_fragment_query_count_does_not_grow_with_replies(user, logged_client):
    community, author = _private_world(user)
    post = services.do_create_post(author, community, title="Q", body_md="Why?")
    head = services.do_create_comment(author, post, body_md="Because")
    services.do_create_comment(user, post, body_md="r0", parent=head)
    url = reverse("comment_fragment", args=[head.pk])
    logged_client.get(url, **HX)
    with CaptureQueriesContext(connection) as one:
        logged_client.get(url, **HX)
    for i in range(6):
        reply = services.do_create_comment(author, post, body_md=f"r{i + 1}", parent=head)
        services.do_react(user, "like", comment=reply)
    with CaptureQueriesContext(connection) as many:
        response = logged_client.get(url, **HX)
    assert response.content.decode().count("data-comment-id=") == 8
    assert len(one.captured_queries) == len(many.captured_queries) <= 12, "\n".join(
        q["sql"] for q in many.captured_queries
    )


# --- pages opt in -----------------------------------------------------------------------------


def test_feeds_opt_in_and_serve_their_first_page_as_a_fragment(user, logged_client):
    community, author = _private_world(user)
    other = CommunityFactory(visibility=V.OPEN)
    member(other, user)
    post = services.do_create_post(author, community, title="Hello", body_md="All")

    page = logged_client.get(reverse("community_detail", args=[community.slug])).content.decode()
    assert f'data-live-community="{community.pk}"' in page and "data-live-feed" in page
    assert "New posts (__COUNT__)" in page and f'data-post-id="{post.pk}"' in page

    home = logged_client.get(reverse("home")).content.decode()
    assert f'data-live-community="{community.pk} {other.pk}"' in home or (
        f'data-live-community="{other.pk} {community.pk}"' in home
    )
    assert "data-live-kinds" not in home
    essentials = logged_client.get(reverse("essentials")).content.decode()
    assert 'data-live-kinds="announcement"' in essentials
    assert "data-live-community" not in logged_client.get(reverse("bookmarks")).content.decode()

    for url in (reverse("home"), reverse("community_detail", args=[community.slug])):
        fragment = logged_client.get(url + "?fragment=1", **HX).content.decode()
        assert "<html" not in fragment and f'data-post-id="{post.pk}"' in fragment
        assert "fragment=1" not in fragment  # the "More" link does not carry it


def test_post_page_opts_in_with_counters_comments_and_replies(user, logged_client):
    community, author = _private_world(user)
    post = services.do_create_post(author, community, title="Q", body_md="Why?")
    head = services.do_create_comment(author, post, body_md="Because")
    page = logged_client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert f'data-live-post="{post.pk}"' in page and "data-live-since=" in page
    assert 'data-live-comment-url="/comments/{id}/fragment/"' in page
    assert "data-live-comments" in page and f'data-live-replies="{head.pk}"' in page
    assert f'data-live-target="post-{post.pk}"' in page and 'data-live-count="comments"' in page
    # the plural forms of live counts come from the JavaScript catalogue (realtime.js PLURALS)
    assert 'data-live-count="reactions" data-live-plural>0 reactions<' in page


def test_item_page_announces_new_conversations(user, logged_client):
    lamp = Item.objects.create(
        item_type=ItemType.objects.create(name="Product", slug="product"), name="Lamp", slug="lamp"
    )
    page = logged_client.get(reverse("repository:item", args=[lamp.slug])).content.decode()
    assert f'data-live-item="{lamp.pk}"' in page and "data-live-feed" in page
    community = CommunityFactory(visibility=V.OPEN)
    author = member(community)
    post = services.do_create_post(author, community, title="About the lamp", body_md=f"[[{lamp.slug}]]")
    fragment = logged_client.get(reverse("item_conversations", args=[lamp.pk]), **HX).content.decode()
    assert f'data-post-id="{post.pk}"' in fragment and reverse("post_detail", args=[post.pk]) in fragment


# --- payloads ---------------------------------------------------------------------------------


def test_payloads_carry_ids_and_counts(user, published, django_capture_on_commit_callbacks):
    community, author = _private_world(user)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.do_create_post(author, community, kind="question", title="Q", body_md="Why?")
        head = services.do_create_comment(author, post, body_md="Because")
        reply = services.do_create_comment(user, post, body_md="Thanks", parent=head)
        services.do_react(user, "like", post=post)
        services.do_react(author, "like", comment=reply)
        services.do_react(user, "thanks", comment=reply)
        services.do_accept_answer(author, post, head)
    by_event = {}
    for event, groups, payload in published:
        by_event.setdefault(event, []).append((groups, payload))
    comments = [p for _g, p in by_event["communities.comment_created"]]
    assert comments[0]["parent_id"] is None and comments[0]["counts"] == {"comments": 1}
    assert comments[1] == {
        "post_id": post.pk, "comment_id": reply.pk, "parent_id": head.pk, "community_id": community.pk,
        "author_id": user.pk, "counts": {"comments": 2},
    }  # fmt: skip
    reacted = [p for _g, p in by_event["communities.reacted"]]
    assert reacted[0] == {
        "post_id": post.pk,
        "comment_id": None,
        "community_id": community.pk,
        "counts": {"reactions": 1},
    }
    assert [r["counts"]["reactions"] for r in reacted[1:]] == [1, 2]
    accepted = by_event["communities.answer_accepted"][0][1]
    assert accepted["comment_id"] == head.pk and accepted["community_id"] == community.pk


def test_poll_votes_carry_the_voter_count(user, published, django_capture_on_commit_callbacks):
    community, author = _private_world(user)
    post = services.do_create_post(
        author, community, kind="poll", title="Lunch?", body_md="Where", poll_options=["Here", "There"],
        poll_closes_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    option = post.poll_options.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_vote(user, post, [option.pk])
        services.do_vote(author, post, [option.pk])
        services.do_vote(author, post, [option.pk])  # changing one's vote: still 2 voters
    voted = [p for e, _g, p in published if e == "communities.voted"]
    assert [v["counts"]["voters"] for v in voted] == [1, 2, 2]


@pytest.mark.parametrize(
    ("visibility", "members_only"), [(V.OPEN, False), (V.RESTRICTED, False), (V.PRIVATE, True), (V.SECRET, True)]
)
def test_new_post_rings_on_item_pages_marked_when_only_members_may_read_it(
    visibility, members_only, published, django_capture_on_commit_callbacks
):
    lamp = Item.objects.create(
        item_type=ItemType.objects.create(name="Product", slug="product"), name="Lamp", slug="lamp"
    )
    community = CommunityFactory(visibility=visibility)
    author = member(community)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.do_create_post(author, community, title="Lamp", body_md=f"About [[{lamp.slug}]]")
    groups, payload = next((g, p) for e, g, p in published if e == "communities.post_created")
    assert f"community.{community.pk}" in groups and f"post.{post.pk}" in groups
    assert f"item.{lamp.pk}" in groups
    assert payload["item_ids"] == [lamp.pk]
    assert payload["members_only"] is members_only
    assert payload["kind"] == "discussion"


# --- the home page hears of everything its feed shows ------------------------------------------


def test_followers_home_pages_hear_of_a_post_in_a_community_they_are_not_in(user, monkeypatch):
    from communities.models import NotificationChannel, NotificationKind, NotificationPreference
    from communities.notifications import services as notifications
    from directory.models import Follow

    sent = []
    monkeypatch.setattr(notifications, "publish", lambda event, groups, payload: sent.append((event, groups, payload)))
    author, outsider = UserFactory(), UserFactory()
    Follow.objects.create(follower=user, followed=author)
    Follow.objects.create(follower=outsider, followed=author)
    # Not notified by e-mail nor in the app: the home feed still shows the post, so it rings there.
    NotificationPreference.objects.create(
        user=user, kind=NotificationKind.FOLLOWED_PERSON_POST, channel=NotificationChannel.OFF
    )
    open_ = CommunityFactory(visibility=V.OPEN)
    private = CommunityFactory(visibility=V.PRIVATE)
    member(open_, author)
    member(private, author)
    member(private, user)
    post = services.do_create_post(author, open_, title="Kaizen", body_md="Ten minutes saved")
    notifications.do_deliver_notifications(
        "followed_person_post", [user.pk, outsider.pk], actor_id=author.pk, post_id=post.pk, community_id=open_.pk
    )
    home = [(sorted(groups), payload) for event, groups, payload in sent if event == "communities.post_created"]
    assert home == [
        (
            sorted([f"user.{user.pk}", f"user.{outsider.pk}"]),
            {"post_id": post.pk, "community_id": open_.pk, "author_id": author.pk, "kind": "discussion", "home": True},
        )
    ]
    sent.clear()
    hidden = services.do_create_post(author, private, title="Members only", body_md="…")
    notifications.do_deliver_notifications(
        "followed_person_post", [user.pk, outsider.pk], actor_id=author.pk, post_id=hidden.pk, community_id=private.pk
    )
    home = [groups for event, groups, _payload in sent if event == "communities.post_created"]
    assert home == [[f"user.{user.pk}"]]  # the outsider may not read it: nothing reaches them


@pytest.mark.parametrize(("visibility", "to_home"), [(V.OPEN, True), (V.RESTRICTED, True), (V.PRIVATE, False)])
def test_announcements_everyone_may_read_ring_on_every_home_page(
    visibility, to_home, published, django_capture_on_commit_callbacks
):
    community = CommunityFactory(visibility=visibility)
    animator = member(community, role=Membership.Role.ANIMATOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_create_post(animator, community, kind="announcement", title="News", body_md="…")
        services.do_create_post(animator, community, title="Chat", body_md="…")
    groups = [g for e, g, _p in published if e == "communities.post_created"]
    assert ("home" in groups[0]) is to_home
    assert "home" not in groups[1]  # a discussion is not news for everyone


def test_home_and_essentials_pages_listen_for_the_home_feed(user, logged_client):
    for url in (reverse("home"), reverse("essentials")):
        html = logged_client.get(url).content.decode()
        assert f'data-live-home="{user.pk}"' in html, url
    assert "data-live-home" not in logged_client.get(reverse("bookmarks")).content.decode()
