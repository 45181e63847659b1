"""The health dashboard: figures from SQL aggregates, suggestions linking to the tools, a fixed
number of queries however many members."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from animation.feeding.models import Pulse, PulseResponse
from animation.health.selectors import community_health
from animation.weeding import services as weeding
from communities.models import Comment, Membership, Post
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _at(obj, when):
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)


def test_figures(community, animator):
    now = timezone.now()
    heavy = member(community)
    occasional = member(community)
    for _i in range(3):
        member(community)  # readers
    for i in range(10):
        _at(PostFactory(community=community, author=heavy), now - timedelta(days=i))
    question = PostFactory(community=community, author=occasional, kind=Post.Kind.QUESTION, title="How?")
    _at(question, now - timedelta(days=3))
    answer = CommentFactory(post=question, author=heavy)
    _at(answer, now - timedelta(days=3) + timedelta(hours=5))
    Post.objects.filter(pk=question.pk).update(comments_count=1)
    old_question = PostFactory(community=community, author=occasional, kind=Post.Kind.QUESTION, title="Anyone?")
    _at(old_question, now - timedelta(days=4))
    f = community_health(community, now)
    assert f["members"] == 6  # the animator, heavy, occasional and 3 readers
    assert f["active"] == 2
    assert (f["heavy"], f["occasional"], f["readers"]) == (1, 1, 4)
    assert sum(f["posts_per_week"]) == 12 and sum(f["comments_per_week"]) == 1
    assert f["questions"] == 2 and f["answered"] == 1 and f["answered_share"] == 50
    assert f["median_first_answer"] == timedelta(hours=5)
    assert f["unanswered_48h"] == 1
    keys = [s.key for s in f["suggestions"]]
    assert "unanswered" in keys and "pulse" in keys and "quiet" not in keys


def test_suggestions_link_to_the_tools(community, animator):
    post = PostFactory(community=community, author=animator)
    _at(post, timezone.now() - timedelta(days=20))
    weeding.do_flag(member(community), post, reason="spam")
    pulse = Pulse.objects.create(community=community, created_by=animator)
    for score in (10, 9, 9, 3, 7):
        PulseResponse.objects.create(pulse=pulse, user=member(community), score=score, created_at=timezone.now())
    f = community_health(community)
    assert f["pulse"]["nps"] == 40 and f["pending_flags"] == 1
    by_key = {s.key: s for s in f["suggestions"]}
    assert by_key["flags"].url == reverse("animation:moderation", args=[community.slug])
    assert by_key["quiet"].url == reverse("animation:prompts", args=[community.slug])
    assert "20 days" in by_key["quiet"].text
    assert "pulse" not in by_key


def test_page_and_api_access(client, community, animator):
    url = reverse("animation:health", args=[community.slug])
    api = f"/api/v1/communities/{community.slug}/health/"
    client.force_login(animator)
    page = client.get(url).content.decode()
    assert "<svg" in page and "Suggested next actions" in page
    data = client.get(api).json()
    assert data["members"] == 1 and len(data["posts_per_week"]) == 12
    client.force_login(member(community))
    assert client.get(url).status_code == 403 and client.get(api).status_code == 403
    private = CommunityFactory(visibility="private")
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/communities/{private.slug}/health/").status_code == 404
    assert client.get(reverse("animation:health", args=[private.slug])).status_code == 404


def test_the_page_has_a_fixed_number_of_queries_with_many_members(
    client, community, animator, django_assert_max_num_queries
):
    users = UserFactory.create_batch(300)
    Membership.objects.bulk_create([Membership(community=community, user=u) for u in users])
    posts = Post.objects.bulk_create(
        [Post(community=community, author=u, kind="question", title="Q", body_md="x") for u in users[:100]]
    )
    Comment.objects.bulk_create([Comment(post=p, author=users[-1], body_md="a") for p in posts[:50]])
    client.force_login(animator)
    url = reverse("animation:health", args=[community.slug])
    client.get(url)
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(f"/api/v1/communities/{community.slug}/health/").status_code == 200
