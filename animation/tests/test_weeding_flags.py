"""Flags, the moderation queue and its decisions, and the audit log."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from animation.weeding import services
from animation.weeding.models import AuditEntry, Flag, ModerationCase
from communities import services as community_services
from communities.models import Comment, Community, Membership, Notification, NotificationKind, Post
from communities.search import search_posts
from communities.selectors import community_feed, home_feed
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(community):
    return member(community)


@pytest.fixture
def post(community, author):
    return PostFactory(community=community, author=author, title="Cheap watches here", body_md="Buy now")


def _flag(content, n, reason="spam"):
    community = content.community if isinstance(content, Post) else content.post.community
    flaggers = [member(community) for _ in range(n)]
    for user in flaggers:
        services.do_flag(user, content, reason=reason)
    return flaggers


def test_a_flagged_post_stays_visible_until_the_threshold_of_distinct_flaggers(community, post):
    reader = member(community)
    services.do_flag(reader, post, reason="spam")
    services.do_flag(reader, post, reason="offensive")  # the same person twice counts once
    _flag(post, 1)
    post.refresh_from_db()
    assert post.hidden_at is None
    _flag(post, 1)
    case = ModerationCase.objects.get(post=post)
    assert case.flags_count == 3 and Flag.objects.filter(case=case).count() == 3
    post.refresh_from_db()
    assert post.hidden_at is not None  # 3 distinct people: hidden pending review
    assert AuditEntry.objects.filter(community=community, action="auto_hide", target_id=post.pk).exists()


def test_below_the_threshold_nothing_is_hidden(community, post):
    _flag(post, 2)
    post.refresh_from_db()
    assert post.hidden_at is None
    assert ModerationCase.objects.get(post=post).status == "pending"


def test_flag_rules(community, post, author):
    reader = member(community)
    with pytest.raises(ValidationError):
        services.do_flag(author, post, reason="spam")  # one's own post
    with pytest.raises(ValidationError):
        services.do_flag(reader, post, reason="other")  # "other" needs a note
    with pytest.raises(ValidationError):
        services.do_flag(reader, post, reason="boring")
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    secret_post = PostFactory(community=private, author=member(private))
    with pytest.raises(PermissionDenied):
        services.do_flag(reader, secret_post, reason="spam")
    services.do_flag(reader, post, reason="other", note="Wrong community")
    assert Flag.objects.get(reporter=reader).note == "Wrong community"


def test_a_hidden_post_is_gone_for_members_everywhere_and_still_in_the_queue(client, community, post, animator):
    reader = member(community)
    _flag(post, 3)
    assert post.pk not in community_feed(reader, community).values_list("pk", flat=True)
    assert post.pk not in home_feed(reader).values_list("pk", flat=True)
    assert post.pk not in [p.pk for p in search_posts(reader, "watches")]
    client.force_login(reader)
    assert client.get(reverse("post_detail", args=[post.pk])).status_code == 404
    assert client.get(f"/api/v1/posts/{post.pk}/").status_code == 404
    page = client.get(reverse("community_detail", args=[community.slug])).content.decode()
    assert "Cheap watches" not in page
    client.force_login(animator)
    queue = client.get(f"/api/v1/communities/{community.slug}/moderation/").json()["results"]
    assert [c["post_id"] for c in queue] == [post.pk] and queue[0]["hidden"] is True
    page = client.get(reverse("animation:moderation", args=[community.slug])).content.decode()
    assert "Cheap watches" in page


def test_a_hidden_comment_becomes_a_tombstone_for_members(client, community, post, animator):
    comment = CommentFactory(post=post, author=member(community), body_md="Rude words")
    comment.body_html = "<p>Rude words</p>"
    comment.save()
    for user in [member(community) for _ in range(3)]:
        services.do_flag(user, comment, reason="offensive")
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert not Comment.objects.alive().filter(pk=comment.pk).exists()
    reader = member(community)
    client.force_login(reader)
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert "Rude words" not in page
    api = client.get(f"/api/v1/posts/{post.pk}/comments/").json()
    assert all(c["body_html"] == "" for c in api["results"] if c["id"] == comment.pk)
    client.force_login(animator)
    assert "Rude words" in client.get(reverse("post_detail", args=[post.pk])).content.decode()


@pytest.mark.parametrize(
    ("action", "extra", "hidden", "deleted"),
    [
        ("keep", {}, False, False),
        ("hide", {}, True, False),
        ("remove", {"reason": "Advertising is not allowed here."}, True, True),
    ],
)
def test_decisions_on_a_hidden_post(community, post, animator, action, extra, hidden, deleted):
    _flag(post, 3)
    case = ModerationCase.objects.get(post=post)
    services.do_decide(animator, case, action=action, **extra)
    post.refresh_from_db()
    assert (post.hidden_at is not None) == hidden or deleted
    assert (post.deleted_at is not None) == deleted
    case.refresh_from_db()
    assert case.status == "decided" and case.decision == action and case.decided_by == animator
    entry = AuditEntry.objects.get(community=community, action=action)
    assert entry.actor == animator and entry.target_id == post.pk and entry.target_label == "Cheap watches here"
    with pytest.raises(ValidationError):
        services.do_decide(animator, case, action="keep")  # decided once


def test_remove_tells_the_author_why(community, post, author, animator, django_capture_on_commit_callbacks):
    _flag(post, 1)
    case = ModerationCase.objects.get(post=post)
    with pytest.raises(ValidationError):
        services.do_decide(animator, case, action="remove")  # the reason is required
    with django_capture_on_commit_callbacks(execute=True):
        services.do_decide(animator, case, action="remove", reason="Advertising is not allowed here.")
    note = Notification.objects.get(recipient=author, kind=NotificationKind.MODERATION)
    from communities.notifications.texts import excerpt

    assert "Advertising is not allowed here." in excerpt(note)


def test_lock_warn_suspend_and_edit(community, post, author, animator, django_capture_on_commit_callbacks):
    _flag(post, 1)
    services.do_decide(animator, ModerationCase.objects.get(post=post), action="lock")
    post.refresh_from_db()
    assert post.locked_at is not None
    with pytest.raises(PermissionDenied):
        community_services.do_create_comment(member(community), post, body_md="Still there?")

    comment = CommentFactory(post=PostFactory(community=community, author=animator), author=author)
    services.do_flag(member(community), comment, reason="offensive")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_decide(
            animator, ModerationCase.objects.get(comment=comment), action="warn", reason="Please stay courteous."
        )
    assert Notification.objects.filter(recipient=author, kind=NotificationKind.MODERATION).exists()

    other = PostFactory(community=community, author=author)
    services.do_flag(member(community), other, reason="offensive")
    with pytest.raises(ValidationError):
        services.do_decide(animator, ModerationCase.objects.get(post=other), action="suspend", reason="x", days=0)
    services.do_decide(animator, ModerationCase.objects.get(post=other), action="suspend", reason="Insults", days=7)
    membership = Membership.objects.get(community=community, user=author)
    assert membership.suspended_until > timezone.now() + timedelta(days=6)
    with pytest.raises(PermissionDenied):
        community_services.do_create_post(author, community, body_md="I am back")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert community_services.do_create_post(author, community, body_md="I am back").pk

    third = PostFactory(community=community, author=author, body_md="Typo")
    services.do_flag(member(community), third, reason="confidential")
    services.do_decide(
        animator, ModerationCase.objects.get(post=third), action="edit", body_md="[redacted]", reason="Client name"
    )
    third.refresh_from_db()
    assert third.body_md == "[redacted]" and third.revisions.count() == 1
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"lock", "warn", "suspend", "edit"}


def test_members_cannot_decide_and_the_audit_log_outlives_the_item(community, post, animator):
    _flag(post, 3)
    case = ModerationCase.objects.get(post=post)
    with pytest.raises(PermissionDenied):
        services.do_decide(member(community), case, action="keep")
    services.do_decide(animator, case, action="remove", reason="Spam")
    Post.objects.filter(pk=post.pk).delete()  # even a hard delete keeps the log
    assert AuditEntry.objects.filter(community=community, action="remove", target_label="Cheap watches here").exists()


# --- API ------------------------------------------------------------------------------------


def test_api_flag_queue_decision_audit(client, community, post, animator):
    reader = member(community)
    client.force_login(reader)
    response = client.post(
        f"/api/v1/posts/{post.pk}/flags/", {"reason": "spam", "note": "Ads"}, content_type="application/json"
    )
    assert response.status_code == 201
    case_id = response.json()["case"]
    assert (
        client.post(f"/api/v1/posts/{post.pk}/flags/", {"reason": "nope"}, content_type="application/json").status_code
        == 400
    )
    assert client.get(f"/api/v1/communities/{community.slug}/moderation/").status_code == 403
    assert client.get(f"/api/v1/communities/{community.slug}/audit-log/").status_code == 403
    assert (
        client.post(
            f"/api/v1/moderation/{case_id}/decision/", {"action": "keep"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.get("/api/v1/moderation/").status_code == 403

    client.force_login(animator)
    queue = client.get(f"/api/v1/communities/{community.slug}/moderation/").json()["results"]
    assert queue[0]["id"] == case_id and queue[0]["flags"][0]["reason"] == "spam"
    response = client.post(
        f"/api/v1/moderation/{case_id}/decision/", {"action": "suspend", "reason": "Spam", "days": 3},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["decision"] == "suspend"
    log = client.get(f"/api/v1/communities/{community.slug}/audit-log/").json()["results"]
    assert log[0]["action"] == "suspend" and log[0]["actor_id"] == animator.pk and log[0]["reason"].startswith("Spam")

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/api/v1/moderation/").status_code == 200


def test_api_comment_flags_and_outsiders_of_a_private_community_get_404(client):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    post = PostFactory(community=private, author=member(private))
    comment = CommentFactory(post=post, author=member(private))
    insider = member(private)
    client.force_login(insider)
    response = client.post(f"/api/v1/comments/{comment.pk}/flags/", {"reason": "spam"}, content_type="application/json")
    assert response.status_code == 201
    case_id = response.json()["case"]
    client.force_login(UserFactory())
    assert (
        client.post(f"/api/v1/posts/{post.pk}/flags/", {"reason": "spam"}, content_type="application/json").status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/comments/{comment.pk}/flags/", {"reason": "spam"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/communities/{private.slug}/moderation/").status_code == 404
    assert client.get(f"/api/v1/communities/{private.slug}/audit-log/").status_code == 404
    assert client.get(f"/api/v1/communities/{private.slug}/rules/").status_code == 404
    assert (
        client.post(
            f"/api/v1/moderation/{case_id}/decision/", {"action": "keep"}, content_type="application/json"
        ).status_code
        == 404
    )


# --- Pages ----------------------------------------------------------------------------------


def test_flag_page_and_queue_page(client, community, post, animator):
    reader = member(community)
    client.force_login(reader)
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    flag_url = reverse("animation:flag_post", args=[post.pk])
    assert flag_url in page
    response = client.post(flag_url, {"reason": "spam", "note": ""})
    assert response.status_code == 302
    assert ModerationCase.objects.filter(post=post).exists()

    client.force_login(animator)
    queue_url = reverse("animation:moderation", args=[community.slug])
    case = ModerationCase.objects.get(post=post)
    response = client.post(queue_url, {"case": case.pk, "action": "keep", "reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.decision == "keep"
    page = client.get(reverse("animation:audit", args=[community.slug])).content.decode()
    assert "Cheap watches here" in page


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_page_and_api_have_a_fixed_number_of_queries(client, community, animator):
    def add_case():
        post = PostFactory(community=community, author=member(community))
        services.do_flag(member(community), post, reason="spam")
        comment = CommentFactory(post=post, author=member(community))
        services.do_flag(member(community), comment, reason="offensive", note="")

    add_case()
    client.force_login(animator)
    page = reverse("animation:moderation", args=[community.slug])
    api = f"/api/v1/communities/{community.slug}/moderation/"
    audit = f"/api/v1/communities/{community.slug}/audit-log/"
    for url in (page, api, audit):
        client.get(url)  # warm the per-process caches (roles, content types)
    one = [_count_queries(client, url) for url in (page, api, audit)]
    for _i in range(4):
        add_case()
    assert [_count_queries(client, url) for url in (page, api, audit)] == one


def test_the_audit_log_has_the_moderation_done_in_communities_too(community, post, animator):
    from communities.models import Membership as M

    Community.objects.filter(pk=community.pk).update(posts_count=5)  # the factory does not count
    community_services.do_pin_post(animator, post)
    community_services.do_delete_post(animator, post)
    comment_post = PostFactory(community=community, author=animator, comments_count=5)
    comment = CommentFactory(post=comment_post, author=member(community))
    community_services.do_delete_comment(animator, comment)
    community_services.do_delete_comment(comment_post.author, CommentFactory(post=comment_post, author=animator))
    leaver = member(community)
    community_services.do_remove_member(animator, M.objects.get(community=community, user=leaver))
    actions = list(AuditEntry.objects.filter(community=community).order_by("id").values_list("action", "target_type"))
    assert actions == [("pinned", "post"), ("delete", "post"), ("delete", "comment"), ("remove_member", "member")]
    assert AuditEntry.objects.filter(actor=animator).count() == 4


def test_a_suspended_member_is_told_until_when(client, community, post, author, animator):
    services.do_flag(member(community), post, reason="offensive")
    services.do_decide(animator, ModerationCase.objects.get(post=post), action="suspend", reason="Insults", days=2)
    with pytest.raises(PermissionDenied, match="suspended from this community until"):
        community_services.do_create_comment(author, PostFactory(community=community, author=animator), body_md="Hi")
    client.force_login(author)
    response = client.get(reverse("post_create", args=[community.slug]), follow=True)
    assert "suspended from this community until" in response.content.decode()


def _counts(post):
    post.refresh_from_db()
    return Community.objects.get(pk=post.community_id).posts_count, post.comments_count


def test_the_counters_follow_what_readers_see_hidden_kept_removed(community, animator):
    author = member(community)
    post = community_services.do_create_post(author, community, body_md="Quarterly numbers")
    comment = community_services.do_create_comment(author, post, body_md="Up 12 %")
    assert _counts(post) == (1, 1)
    _flag(comment, 3)  # hidden pending review: the thread says one comment fewer
    assert _counts(post) == (1, 0)
    services.do_decide(animator, ModerationCase.objects.get(comment=comment), action="keep")
    assert _counts(post) == (1, 1)
    _flag(post, 3)
    assert _counts(post) == (0, 1)
    case = ModerationCase.objects.get(post=post, comment__isnull=True)
    services.do_decide(animator, case, action="remove", reason="Off topic")
    assert _counts(post) == (0, 1)  # hidden, then removed: counted out once


def test_held_content_is_counted_once_approved_and_a_hidden_deletion_counts_out_once(community, animator):
    services.do_create_rule(animator, community, pattern="casino")
    author = member(community)
    post = community_services.do_create_post(author, community, body_md="Quarterly numbers")
    held = community_services.do_create_comment(author, post, body_md="casino night?")
    assert _counts(post) == (1, 0)
    services.do_decide(animator, ModerationCase.objects.get(comment=held), action="keep")
    assert _counts(post) == (1, 1)
    held_post = community_services.do_create_post(author, community, body_md="casino")
    assert _counts(post) == (1, 1)
    community_services.do_delete_post(author, held_post)  # hidden, then deleted by its author
    assert _counts(post) == (1, 1)
    _flag(Comment.objects.get(pk=held.pk), 3)
    community_services.do_delete_comment(author, Comment.objects.get(pk=held.pk))
    assert _counts(post) == (1, 0)
