"""Duplicate communities (names, members) for administrators, and the merge that keeps every
post and member and redirects the old address."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from animation.weeding import merging
from animation.weeding.models import AuditEntry
from communities.models import Comment, Community, Membership, Post
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


def _pairs(admin):
    return {(p.a.name, p.b.name) for p in merging.find_duplicates(admin)}


def test_near_identical_names_and_shared_members_are_found(admin):
    CommunityFactory(name="Lean & Continuous Improvement", slug="lean-ci")
    CommunityFactory(name="Lean continuous improvement", slug="lean-ci-2")
    CommunityFactory(name="Cycling club", slug="cycling")
    a = CommunityFactory(name="Project Atlas", slug="atlas")
    b = CommunityFactory(name="Atlas rollout team", slug="atlas-rollout")
    people = UserFactory.create_batch(4)
    for user in people:
        member(a, user)
        member(b, user)
    member(b)
    a.refresh_from_db()
    b.refresh_from_db()
    pairs = _pairs(admin)
    assert ("Lean & Continuous Improvement", "Lean continuous improvement") in pairs
    assert ("Project Atlas", "Atlas rollout team") in pairs
    assert not any("Cycling club" in pair for pair in pairs)
    with pytest.raises(PermissionDenied):
        merging.find_duplicates(UserFactory())


def test_merge_keeps_every_post_and_member_and_redirects(client, admin):
    source = CommunityFactory(name="Lean CI", slug="lean-ci")
    target = CommunityFactory(name="Lean & CI", slug="lean-and-ci")
    both = UserFactory()
    member(source, both, role=Membership.Role.OWNER)
    member(target, both)
    only_source = [member(source) for _ in range(3)]
    only_target = member(target)
    posts = [PostFactory(community=source, author=only_source[0]) for _ in range(3)]
    CommentFactory(post=posts[0], author=both)
    PostFactory(community=target, author=only_target)

    merging.do_merge_communities(admin, source, target)

    assert Post.objects.filter(community=target).count() == 4
    assert Comment.objects.filter(post__community=target).count() == 1
    members = set(Membership.objects.filter(community=target).values_list("user_id", flat=True))
    assert members == {both.pk, only_target.pk, *(u.pk for u in only_source)}
    assert Membership.objects.get(community=target, user=both).role == Membership.Role.OWNER
    target.refresh_from_db()
    assert target.members_count == 5 and target.posts_count == 4
    source.refresh_from_db()
    assert source.deleted_at is not None and source.merged_into == target
    assert AuditEntry.objects.filter(action="merged", community=target).exists()

    client.force_login(only_source[1])
    response = client.get(reverse("community_detail", args=["lean-ci"]))
    assert response.status_code == 301 and response["Location"] == reverse("community_detail", args=["lean-and-ci"])


def test_merge_page_is_for_administrators(client, admin):
    a = CommunityFactory(name="Data office", slug="data-office")
    b = CommunityFactory(name="Data Office", slug="data-office-2")
    url = reverse("animation:duplicates")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.post(url, {"source": b.pk, "target": a.pk}).status_code == 403
    client.force_login(admin)
    assert "Data office" in client.get(url).content.decode()
    assert client.post(url, {"source": b.pk, "target": a.pk}).status_code == 302
    assert Community.objects.get(pk=b.pk).merged_into_id == a.pk


def test_a_secret_target_is_not_revealed_by_the_old_address(client, admin):
    source = CommunityFactory(slug="old-name")
    target = CommunityFactory(slug="secret-new", visibility=Community.Visibility.SECRET)
    merging.do_merge_communities(admin, source, target)
    client.force_login(UserFactory())
    assert client.get(reverse("community_detail", args=["old-name"])).status_code == 404
