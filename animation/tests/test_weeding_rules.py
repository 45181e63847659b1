"""Keyword rules: hold for review or reject, per community and company-wide, RE2 patterns, and
the dry run on the last 500 posts and comments before saving."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from animation.weeding import rules, services
from animation.weeding.models import KeywordRule, ModerationCase
from communities import services as community_services
from communities.models import Post
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_holding_rule_publishes_the_post_hidden_and_queues_it(community, animator):
    services.do_create_rule(animator, community, pattern="crypto, casino")
    author = member(community)
    post = community_services.do_create_post(author, community, body_md="Best CASINO in town")
    assert post.hidden_at is not None
    assert not Post.objects.alive().filter(pk=post.pk).exists()
    case = ModerationCase.objects.get(post=post)
    assert case.source == "rule" and case.hid_item and "crypto, casino" in case.held_reason
    ok = community_services.do_create_post(author, community, body_md="Casinos are words too: casinotheque")
    assert ok.hidden_at is None  # whole words only
    services.do_decide(animator, case, action="keep")
    post.refresh_from_db()
    assert post.hidden_at is None


def test_a_rejecting_rule_refuses_with_its_message_posts_and_comments(community, animator):
    services.do_create_rule(
        animator, community, pattern=r"\b\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}\b", is_regex=True, action="reject",
        message="No card numbers here.",
    )  # fmt: skip
    author = member(community)
    with pytest.raises(ValidationError, match="No card numbers here."):
        community_services.do_create_post(author, community, body_md="Mine is 1234 5678 9012 3456")
    post = PostFactory(community=community, author=animator)
    with pytest.raises(ValidationError, match="No card numbers here."):
        community_services.do_create_comment(author, post, body_md="1234-5678-9012-3456")
    assert not Post.objects.filter(author=author).exists()


def test_company_wide_rules_apply_everywhere_and_are_for_administrators(community, animator):
    with pytest.raises(PermissionDenied):
        services.do_create_rule(animator, community, pattern="secret", company_wide=True)
    admin = UserFactory(is_superuser=True, is_staff=True)
    rule = services.do_create_rule(admin, community, pattern="project x", company_wide=True)
    assert rule.community is None
    elsewhere = CommunityFactory()
    post = community_services.do_create_post(member(elsewhere), elsewhere, body_md="About Project X")
    assert post.hidden_at is not None


def test_patterns_are_checked_and_cannot_backtrack(community, animator):
    with pytest.raises(ValidationError):
        services.do_create_rule(animator, community, pattern="(a)\\1", is_regex=True)  # RE2 has no backreferences
    with pytest.raises(ValidationError):
        services.do_create_rule(animator, community, pattern=" , ")
    # The classic catastrophic pattern runs in linear time under RE2.
    assert rules.matches("(a+)+$", "a" * 50_000 + "b", is_regex=True) is False
    with pytest.raises(PermissionDenied):
        services.do_create_rule(member(community), community, pattern="x")


def test_dry_run_on_the_last_500_posts_and_comments(community, animator):
    post = PostFactory(community=community, author=animator, body_text="Buy cheap crypto now")
    CommentFactory(post=post, author=animator, body_text="crypto again")
    PostFactory(community=community, author=animator, body_text="nothing to see")
    PostFactory(community=CommunityFactory(), author=animator, body_text="crypto elsewhere")
    result = rules.dry_run(community, "crypto", False)
    assert result["checked"] == 3 and {hit["type"] for hit in result["caught"]} == {"post", "comment"}
    assert len(result["caught"]) == 2
    assert not KeywordRule.objects.exists()  # a dry run saves nothing
    assert rules.dry_run(community, "x", False, size=3)["checked"] == 3


def test_rules_api(client, community, animator):
    PostFactory(community=community, author=animator, body_text="crypto here")
    client.force_login(animator)
    url = f"/api/v1/communities/{community.slug}/rules/"
    dry = client.post(f"{url}dry-run/", {"pattern": "crypto"}, content_type="application/json")
    assert dry.status_code == 200 and dry.json()["checked"] == 1 and len(dry.json()["caught"]) == 1
    bad = client.post(f"{url}dry-run/", {"pattern": "(a", "is_regex": True}, content_type="application/json")
    assert bad.status_code == 400
    created = client.post(
        url, {"pattern": "crypto", "action": "reject", "message": "No."}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["action"] == "reject"
    assert [r["pattern"] for r in client.get(url).json()["results"]] == ["crypto"]
    client.force_login(member(community))
    assert client.get(url).status_code == 403
    assert client.post(f"{url}dry-run/", {"pattern": "x"}, content_type="application/json").status_code == 403


def test_rules_page_saves_only_after_a_dry_run(client, community, animator):
    PostFactory(community=community, author=animator, body_text="crypto here", title="Crypto news")
    client.force_login(animator)
    url = reverse("animation:rules", args=[community.slug])
    data = {"pattern": "crypto", "action": "hold", "message": ""}
    page = client.post(url, {**data, "do": "dry_run"})
    assert page.status_code == 200 and "Crypto news" in page.content.decode()
    assert not KeywordRule.objects.exists()
    # Saving a pattern other than the one just tried shows its dry run again instead.
    client.post(url, {**data, "pattern": "casino", "checked": "crypto", "do": "save"})
    assert not KeywordRule.objects.exists()
    response = client.post(url, {**data, "checked": "crypto", "do": "save"})
    assert response.status_code == 302 and KeywordRule.objects.get().pattern == "crypto"


def test_the_post_form_tells_the_author_what_a_rule_did(client, community, animator):
    services.do_create_rule(animator, community, pattern="casino")
    services.do_create_rule(animator, community, pattern="bitcoin", action="reject", message="No crypto talk, please.")
    author = member(community)
    client.force_login(author)
    url = reverse("post_create", args=[community.slug])
    response = client.post(url, {"kind": "discussion", "body_md": "The bitcoin price"})
    assert response.status_code == 200 and "No crypto talk, please." in response.content.decode()
    response = client.post(url, {"kind": "discussion", "body_md": "A casino trip"}, follow=True)
    assert "waiting for the animators" in response.content.decode()
    assert Post.objects.get(author=author).hidden_at is not None


def test_the_api_says_a_post_waits_for_review(client, community, animator):
    services.do_create_rule(animator, community, pattern="casino")
    client.force_login(member(community))
    response = client.post(
        f"/api/v1/communities/{community.slug}/posts/", {"kind": "discussion", "body_md": "casino night"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201 and response.json()["pending_review"] is True
    assert client.get(f"/api/v1/posts/{response.json()['id']}/").status_code == 404
