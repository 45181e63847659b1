"""Each post type end to end, through the pages (test client) and the API."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import (
    Comment,
    Community,
    Membership,
    Poll,
    PollBallot,
    Post,
    PostRevision,
    Reaction,
    Rsvp,
)  # fmt: skip
from communities.tests.factories import CommunityFactory, member
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.tests.factories import UserFactory
from rse.trail.models import Event

pytestmark = pytest.mark.django_db
R = Membership.Role


@pytest.fixture
def community(user):
    c = CommunityFactory(visibility=Community.Visibility.OPEN)
    member(c, user)
    return c


def test_discussion_in_the_browser(logged_client, community, user):
    response = logged_client.post(
        reverse("post_create", args=[community.slug]),
        {"kind": "discussion", "title": "Stand-ups", "body_md": "How long are **yours**?"},
    )
    post = Post.objects.get(title="Stand-ups")
    assert response.status_code == 302 and response["Location"] == reverse("post_detail", args=[post.pk])
    assert "<strong>yours</strong>" in post.body_html
    community.refresh_from_db()
    assert community.posts_count == 1
    assert Event.objects.filter(verb="communities.post_created", community_id=community.pk).exists()
    page = logged_client.get(reverse("community_detail", args=[community.slug])).content.decode()
    assert "Stand-ups" in page


def test_form_errors_are_shown_again(logged_client, community):
    response = logged_client.post(
        reverse("post_create", args=[community.slug]), {"kind": "poll", "title": "?", "poll_options": "Only one"}
    )
    assert response.status_code == 200
    assert "between 2 and 10" in response.content.decode()


def test_question_answer_accept_in_the_browser(
    client, community, user, notifications, django_capture_on_commit_callbacks
):
    helper = member(community)
    client.force_login(user)
    client.post(
        reverse("post_create", args=[community.slug]),
        {"kind": "question", "title": "Which tool?", "body_md": "For dashboards"},
    )
    question = Post.objects.get(title="Which tool?")
    assert question in Post.objects.filter(kind="question", accepted_comment__isnull=True)
    assert "Which tool?" in client.get(reverse("unanswered_questions")).content.decode()
    client.force_login(helper)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comment_create", args=[question.pk]), {"body_md": "Use a notebook"})
    answer = Comment.objects.get(post=question)
    assert notifications.recipients("answer") == {user.pk}
    # Someone else cannot accept.
    client.post(reverse("post_accept", args=[question.pk]), {"comment": answer.pk})
    question.refresh_from_db()
    assert question.accepted_comment is None
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("post_accept", args=[question.pk]), {"comment": answer.pk})
    question.refresh_from_db()
    assert question.accepted_comment == answer
    assert notifications.recipients("answer_accepted") == {helper.pk}
    assert Event.objects.filter(verb="communities.answer_accepted", community_id=community.pk).exists()
    assert "Which tool?" not in client.get(reverse("unanswered_questions")).content.decode()
    assert "Accepted answer" in client.get(reverse("post_detail", args=[question.pk])).content.decode()


def test_animator_may_accept_an_answer(community, user):
    animator = member(community, role=R.ANIMATOR)
    question = services.do_create_post(user, community, kind="question", title="Q?")
    answer = services.do_create_comment(UserFactory(), question, body_md="A")
    services.do_accept_answer(animator, question, answer)
    question.refresh_from_db()
    assert question.accepted_comment_id == answer.pk


def test_announcement_permissions_and_acknowledgement_rate(
    client, community, user, notifications, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services.do_create_post(user, community, kind="announcement", title="News")
    animator = member(community, role=R.ANIMATOR)
    readers = [member(community) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        post = services.do_create_post(
            animator, community, kind="announcement", title="New badge policy", body_md="Read me", requires_ack=True
        )
    assert notifications.recipients("announcement") == {user.pk, *(r.pk for r in readers)}
    client.force_login(readers[0])
    client.post(reverse("post_ack", args=[post.pk]))
    client.post(reverse("post_ack", args=[post.pk]))  # twice counts once
    post.refresh_from_db()
    assert post.acks_count == 1
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert "You confirmed you have read it." in page and "Read by" not in page
    client.force_login(animator)
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert "Read by 1 of 5 members (20%)." in page


def test_internal_communications_may_announce(community):
    from django.contrib.auth.models import Group

    comms = member(community)
    comms.groups.add(Group.objects.get_or_create(name=Role.INTERNAL_COMMS.value)[0])
    comms = User.objects.get(pk=comms.pk)
    post = services.do_create_post(comms, community, kind="announcement", title="Hello")
    assert post.kind == "announcement"


def test_poll_single_choice_vote_change_and_results(client, community, user):
    closes = timezone.now() + timedelta(days=2)
    post = services.do_create_post(
        user,
        community,
        kind="poll",
        title="Lunch?",
        poll_options=["Pizza", "Salad", "pizza", " "],
        poll_closes_at=closes,
    )
    options = list(post.poll_options.all())
    assert [o.label for o in options] == ["Pizza", "Salad"]
    voter = member(community)
    client.force_login(voter)
    client.post(reverse("post_vote", args=[post.pk]), {"option": [options[0].pk]})
    client.post(reverse("post_vote", args=[post.pk]), {"option": [options[1].pk]})  # change of mind
    for o in options:
        o.refresh_from_db()
    assert [o.votes_count for o in options] == [0, 1]
    assert Poll.objects.get(pk=post.pk).voters_count == 1
    response = client.post(
        reverse("post_vote", args=[post.pk]), {"option": [o.pk for o in options]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "Only one answer" in response.content.decode()
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert "100% (1)" in page


def test_poll_multiple_and_closed(community, user):
    post = services.do_create_post(
        user, community, kind="poll", title="Days?", poll_options=["Mon", "Tue", "Wed"], poll_multiple=True
    )
    ids = list(post.poll_options.values_list("pk", flat=True))
    services.do_vote(user, post, ids[:2])
    assert PollBallot.objects.get(post=post, user=user).choices.count() == 2
    with pytest.raises(ValidationError):
        services.do_vote(user, post, [999999])
    Poll.objects.filter(pk=post.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="closed"):
        services.do_vote(user, post, ids[:1])


def test_one_ballot_per_person_is_a_database_constraint(community, user):
    post = services.do_create_post(user, community, kind="poll", title="P", poll_options=["a", "b"])
    PollBallot.objects.create(post=post, user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollBallot.objects.create(post=post, user=user)


def test_event_rsvp(client, community, user):
    starts = timezone.now() + timedelta(days=7)
    post = services.do_create_post(
        user, community, kind="event", title="Summer party", event_starts_at=starts, event_place="Lyon"
    )
    guest = member(community)
    client.force_login(guest)
    client.post(reverse("post_rsvp", args=[post.pk]), {"answer": "yes"})
    client.post(reverse("post_rsvp", args=[post.pk]), {"answer": "maybe"})
    post.event.refresh_from_db()
    assert (post.event.yes_count, post.event.maybe_count, post.event.no_count) == (0, 1, 0)
    assert Rsvp.objects.get(post=post, user=guest).answer == "maybe"
    with pytest.raises(ValidationError):
        services.do_create_post(user, community, kind="event", title="No date")
    with pytest.raises(ValidationError):
        services.do_create_post(
            user,
            community,
            kind="event",
            title="Backwards",
            event_starts_at=starts,
            event_ends_at=starts - timedelta(hours=1),
        )


def test_reactions_toggle_and_change_with_counters(community, user):
    post = services.do_create_post(user, community, title="T", body_md="b")
    other = member(community)
    assert services.do_react(other, "like", post=post) == "like"
    assert services.do_react(other, "thanks", post=post) == "thanks"
    post.refresh_from_db()
    assert post.reactions_count == 1 and Reaction.objects.get(user=other, post=post).kind == "thanks"
    assert services.do_react(other, "thanks", post=post) is None
    post.refresh_from_db()
    assert post.reactions_count == 0
    with pytest.raises(ValidationError):
        services.do_react(other, "love", post=post)
    comment = services.do_create_comment(other, post, body_md="c")
    services.do_react(user, "agree", comment=comment)
    comment.refresh_from_db()
    assert comment.reactions_count == 1
    assert Event.objects.filter(verb="communities.reacted").count() == 4


def test_edit_keeps_visible_history(logged_client, community, user):
    post = services.do_create_post(user, community, title="Draft", body_md="first")
    logged_client.post(reverse("post_edit", args=[post.pk]), {"title": "Final", "body_md": "second"})
    post.refresh_from_db()
    assert post.edited_at and post.body_md == "second"
    assert PostRevision.objects.get(post=post).body_md == "first"
    history = logged_client.get(reverse("post_history", args=[post.pk])).content.decode()
    assert "first" in history and "second" in history
    with pytest.raises(PermissionDenied):
        services.do_edit_post(member(community), post, body_md="hijack")
    comment = services.do_create_comment(user, post, body_md="one")
    services.do_edit_comment(user, comment, body_md="two")
    assert comment.revisions.get().body_md == "one"


def test_soft_delete_tombstone_for_animators(client, community, user):
    post = services.do_create_post(user, community, title="T", body_md="b")
    comment = services.do_create_comment(user, post, body_md="regrettable words")
    reply = services.do_create_comment(member(community), post, body_md="a reply", parent=comment)
    services.do_delete_comment(user, comment)
    assert Comment.objects.filter(pk=comment.pk).exists()
    post.refresh_from_db()
    assert post.comments_count == 1
    client.force_login(member(community))
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert "regrettable words" not in page and "This comment was deleted." in page and "a reply" in page
    client.force_login(member(community, role=R.ANIMATOR))
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert "regrettable words" in page and "visible to animators only" in page
    assert reply.parent_id == comment.pk
    services.do_delete_post(user, post)
    assert client.get(reverse("post_detail", args=[post.pk])).status_code == 404
    community.refresh_from_db()
    assert community.posts_count == 0


def test_replies_are_one_level_deep(community, user):
    post = services.do_create_post(user, community, title="T", body_md="b")
    top = services.do_create_comment(user, post, body_md="top")
    reply = services.do_create_comment(user, post, body_md="reply", parent=top)
    deeper = services.do_create_comment(user, post, body_md="deeper", parent=reply)
    assert deeper.parent_id == top.pk


def test_share_into_another_community_links_back(client, community, user):
    other = CommunityFactory()
    member(other, user)
    original = services.do_create_post(user, community, title="Great idea", body_md="the body")
    client.force_login(user)
    client.post(reverse("post_share", args=[original.pk]), {"community": other.pk, "body_md": "FYI"})
    shared = Post.objects.get(community=other)
    assert shared.shared_from == original and shared.body_md == "FYI"
    assert "the body" not in shared.body_html  # never a copy
    third = CommunityFactory()
    member(third, user)
    reshared = services.do_share_post(user, shared, third)
    assert reshared.shared_from == original  # sharing a share points at the one conversation
    page = client.get(reverse("post_detail", args=[shared.pk])).content.decode()
    assert reverse("post_detail", args=[original.pk]) in page
    with pytest.raises(ValidationError):
        services.do_share_post(user, shared, community)  # back into the original's community


def test_shared_post_does_not_reveal_an_unreadable_original(client, user):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    public = CommunityFactory()
    author = member(private)
    member(public, author)
    original = services.do_create_post(author, private, title="Confidential plan", body_md="x")
    shared = services.do_share_post(author, original, public)
    client.force_login(user)
    page = client.get(reverse("post_detail", args=[shared.pk])).content.decode()
    assert "Confidential plan" not in page and "not visible to you" in page
    assert "<title>Shared post" in page and f"Post {shared.pk}" not in page
    feed = client.get(reverse("community_detail", args=[public.slug])).content.decode()
    assert "Confidential plan" not in feed and "Shared post" in feed
    client.force_login(author)
    feed = client.get(reverse("community_detail", args=[public.slug])).content.decode()
    assert "Shared: Confidential plan" in feed  # its heading, for those who may read the original


def test_bookmark_and_pin(client, community, user):
    post = services.do_create_post(user, community, title="Keep me", body_md="b")
    client.force_login(user)
    client.post(reverse("post_bookmark", args=[post.pk]))
    assert "Keep me" in client.get(reverse("bookmarks")).content.decode()
    client.post(reverse("post_pin", args=[post.pk]))
    post.refresh_from_db()
    assert post.pinned_at is None  # members cannot pin
    animator = member(community, role=R.ANIMATOR)
    client.force_login(animator)
    response = client.post(reverse("post_pin", args=[post.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Unpin" in response.content.decode()
    post.refresh_from_db()
    assert post.pinned_at is not None


def test_htmx_reaction_returns_the_card(logged_client, community, user):
    post = services.do_create_post(user, community, title="T", body_md="b")
    response = logged_client.post(reverse("post_react", args=[post.pk]), {"kind": "insightful"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'value="insightful" class="reaction" aria-pressed="true"' in response.content.decode()


# --- API ------------------------------------------------------------------------------------


def test_each_post_type_through_the_api(api, api_for, community, user):
    base = f"/api/v1/communities/{community.slug}/posts/"
    discussion = api.post(base, {"title": "Hi", "body_md": "**b**"}, format="json")
    assert discussion.status_code == 201 and "<strong>b</strong>" in discussion.json()["body_html"]

    question = api.post(base, {"kind": "question", "title": "How?", "body_md": "?"}, format="json").json()
    helper = member(community)
    answer = api_for(helper).post(f"/api/v1/posts/{question['id']}/comments/", {"body_md": "Like so"}, format="json")
    assert answer.status_code == 201
    denied = api_for(helper).post(
        f"/api/v1/posts/{question['id']}/accept/", {"comment": answer.json()["id"]}, format="json"
    )
    assert denied.status_code == 403 and denied.json()["detail"]
    accepted = api.post(f"/api/v1/posts/{question['id']}/accept/", {"comment": answer.json()["id"]}, format="json")
    assert accepted.json()["accepted_comment_id"] == answer.json()["id"]

    refused = api.post(base, {"kind": "announcement", "title": "News"}, format="json")
    assert refused.status_code == 403
    animator = member(community, role=R.ANIMATOR)
    announcement = (
        api_for(animator)
        .post(base, {"kind": "announcement", "title": "News", "requires_ack": True}, format="json")
        .json()
    )
    acked = api.post(f"/api/v1/posts/{announcement['id']}/acknowledge/").json()
    assert acked["acknowledgements"] == {"acknowledged": True}
    seen_by_author = api_for(animator).get(f"/api/v1/posts/{announcement['id']}/").json()
    assert seen_by_author["acknowledgements"]["count"] == 1

    poll = api.post(base, {"kind": "poll", "title": "Lunch?", "poll_options": ["A", "B"]}, format="json").json()
    assert all(
        o["votes_count"] is None for o in api_for(helper).get(f"/api/v1/posts/{poll['id']}/").json()["poll"]["options"]
    )
    voted = (
        api_for(helper)
        .post(f"/api/v1/posts/{poll['id']}/vote/", {"options": [poll["poll"]["options"][0]["id"]]}, format="json")
        .json()
    )
    assert voted["viewer"]["voted_options"] == [poll["poll"]["options"][0]["id"]]
    assert voted["poll"]["options"][0]["votes_count"] == 1
    bad = api_for(helper).post(f"/api/v1/posts/{poll['id']}/vote/", {"options": ["x"]}, format="json")
    assert bad.status_code == 400

    event = api.post(
        base,
        {
            "kind": "event",
            "title": "Party",
            "event_starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
            "event_place": "Roof",
        },
        format="json",
    ).json()
    rsvp = api_for(helper).post(f"/api/v1/posts/{event['id']}/rsvp/", {"answer": "yes"}, format="json").json()
    assert rsvp["event"]["yes"] == 1 and rsvp["viewer"]["rsvp"] == "yes"
    bad_date = api.post(base, {"kind": "event", "title": "x", "event_starts_at": "tomorrow"}, format="json")
    assert bad_date.status_code == 400 and "event_starts_at" in bad_date.json()

    reacted = (
        api_for(helper)
        .post(f"/api/v1/posts/{discussion.json()['id']}/reactions/", {"kind": "thanks"}, format="json")
        .json()
    )
    assert reacted["viewer"]["reaction"] == "thanks" and reacted["reactions_count"] == 1

    other = CommunityFactory()
    member(other, user)
    shared = api.post(f"/api/v1/posts/{discussion.json()['id']}/share/", {"community": other.slug}, format="json")
    assert shared.status_code == 201 and shared.json()["shared_from"]["id"] == discussion.json()["id"]


def test_api_edit_delete_and_comment_lifecycle(api, api_for, community, user):
    post = services.do_create_post(user, community, title="T", body_md="b")
    assert api.patch(f"/api/v1/posts/{post.pk}/", {"body_md": "new"}, format="json").json()["body_md"] == "new"
    comment = api.post(f"/api/v1/posts/{post.pk}/comments/", {"body_md": "c"}, format="json").json()
    reply = api.post(
        f"/api/v1/posts/{post.pk}/comments/", {"body_md": "r", "parent": comment["id"]}, format="json"
    ).json()
    assert reply["parent_id"] == comment["id"]
    assert api.patch(f"/api/v1/comments/{comment['id']}/", {"body_md": "c2"}, format="json").json()["body_md"] == "c2"
    assert (
        api.post(f"/api/v1/comments/{comment['id']}/reactions/", {"kind": "like"}, format="json").json()["my_reaction"]
        == "like"
    )
    stranger = api_for(member(community))
    assert stranger.delete(f"/api/v1/comments/{comment['id']}/").status_code == 403
    assert api.delete(f"/api/v1/comments/{comment['id']}/").status_code == 204
    listed = stranger.get(f"/api/v1/posts/{post.pk}/comments/").json()["results"]
    assert [c["id"] for c in listed] == [reply["id"]]
    assert api.delete(f"/api/v1/posts/{post.pk}/").status_code == 204
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 404
    assert api.post(f"/api/v1/communities/{community.slug}/posts/", {"kind": "nope"}, format="json").status_code == 400


def test_a_question_keeps_its_title_and_its_kind_through_the_api(api, community, user):
    post = services.do_create_post(user, community, kind="question", title="Which glue?", body_md="For steel")
    response = api.patch(f"/api/v1/posts/{post.pk}/", {"title": ""}, format="json")
    assert response.status_code == 400 and "title" in response.json()
    response = api.patch(f"/api/v1/posts/{post.pk}/", {"kind": "poll", "title": "Glue?"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    post.refresh_from_db()
    assert (post.kind, post.title) == ("question", "Which glue?")
    with pytest.raises(ValidationError):
        services.do_edit_post(user, post, title="  ")


def test_sharing_through_the_api_names_a_missing_or_unknown_target(api, community, user):
    post = services.do_create_post(user, community, title="Idea", body_md="b")
    secret = CommunityFactory(visibility=Community.Visibility.SECRET, slug="falcon")
    for body in ({}, {"community": ""}, {"community": "nowhere"}, {"community": secret.slug}):
        response = api.post(f"/api/v1/posts/{post.pk}/share/", body, format="json")
        assert response.status_code == 400 and "community" in response.json(), body
    assert api.post("/api/v1/posts/999999/share/", {"community": "x"}, format="json").status_code == 404


def test_a_deleted_comments_history_is_for_animators_only(client, community, user):
    post = services.do_create_post(user, community, title="T", body_md="b")
    comment = services.do_create_comment(user, post, body_md="first words")
    services.do_edit_comment(user, comment, body_md="second words")
    services.do_delete_comment(user, comment)
    url = reverse("comment_history", args=[comment.pk])
    client.force_login(member(community))
    assert client.get(url).status_code == 404
    client.force_login(member(community, role=R.ANIMATOR))
    assert "first words" in client.get(url).content.decode()


def test_mention_suggestions_do_not_list_a_private_community_to_outsiders(client, user):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE, slug="board")
    member(private, UserFactory(first_name="Zelda"))
    client.force_login(user)
    html = client.get(reverse("mention_autocomplete"), {"q": "Zel", "community": "board"}).content.decode()
    assert "Zelda" not in html
    member(private, user)
    assert "Zelda" in client.get(reverse("mention_autocomplete"), {"q": "Zel", "community": "board"}).content.decode()


def test_no_reply_to_a_deleted_comment_and_no_invitation_action_but_accept_or_decline(client, community, user):
    post = services.do_create_post(user, community, title="T", body_md="b")
    gone = services.do_create_comment(user, post, body_md="first")
    services.do_delete_comment(user, gone)
    gone.refresh_from_db()  # as the pages and the API load it
    with pytest.raises(ValidationError):
        services.do_create_comment(user, post, body_md="reply", parent=gone)
    secret = CommunityFactory(visibility=Community.Visibility.SECRET, slug="club")
    services.do_invite_member(member(secret, role=R.OWNER), secret, user)
    client.force_login(user)
    assert client.post("/c/club/invitation/whatever/").status_code == 404
    assert secret.memberships.get(user=user).status == Membership.Status.INVITED  # not declined
