"""Stale content: proposed once, owners warned, 7 days to object, archived by the beat task
(run twice, moving the clock); archived communities read-only, unlisted, searchable, restorable."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from animation.weeding.models import ArchiveProposal, AuditEntry
from animation.weeding.tasks import archive_due_task, propose_stale_task
from communities import services as community_services
from communities.models import Community, Membership, Notification, NotificationKind, Post
from communities.search import search_communities
from communities.selectors import list_communities
from communities.tests.factories import CommunityFactory, PostFactory, member

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


def _age(obj, days):
    type(obj).objects.filter(pk=obj.pk).update(last_activity_at=NOW - timedelta(days=days))
    obj.refresh_from_db()


@pytest.fixture
def stale_post(community, animator):
    author = member(community)
    post = PostFactory(community=community, author=author, title="Old thread")
    fresh = PostFactory(community=community, author=author, title="Fresh thread")
    _age(post, 120)
    _age(fresh, 3)
    _age(community, 3)
    return post


def test_stale_conversations_are_proposed_once_and_owners_warned(stale_post, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        propose_stale_task()
        propose_stale_task()
    proposal = ArchiveProposal.objects.get()
    assert proposal.post == stale_post and proposal.status == "pending"
    assert proposal.deadline == NOW + timedelta(days=7)
    warned = Notification.objects.filter(kind=NotificationKind.ARCHIVE_PROPOSAL)
    assert [n.recipient_id for n in warned] == [stale_post.author_id]


def test_archived_after_7_days_without_objection_even_run_twice(stale_post):
    with time_machine.travel(NOW, tick=False):
        propose_stale_task()
    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        assert archive_due_task() == 0
    with time_machine.travel(NOW + timedelta(days=7, hours=1), tick=False):
        assert archive_due_task() == 1
        assert archive_due_task() == 0
        propose_stale_task()  # an archived (locked) conversation is not proposed again
    stale_post.refresh_from_db()
    assert stale_post.locked_at is not None
    assert ArchiveProposal.objects.get().status == "archived"
    assert AuditEntry.objects.filter(action="archived", target_id=stale_post.pk).count() == 1
    with pytest.raises(PermissionDenied):
        community_services.do_create_comment(member(stale_post.community), stale_post, body_md="Hello?")


def test_an_owner_objects_and_it_is_kept(client, stale_post):
    with time_machine.travel(NOW, tick=False):
        propose_stale_task()
    proposal = ArchiveProposal.objects.get()
    client.force_login(stale_post.author)
    url = reverse("animation:archive_proposal", args=[stale_post.community.slug, proposal.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"objection": "Still the reference"})
    proposal.refresh_from_db()
    assert proposal.status == "objected" and proposal.objection == "Still the reference"
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        archive_due_task()
        propose_stale_task()
    stale_post.refresh_from_db()
    assert stale_post.locked_at is None and ArchiveProposal.objects.count() == 1
    client.force_login(member(stale_post.community))
    assert client.get(url).status_code == 404


def test_activity_cancels_a_proposal(stale_post, animator):
    with time_machine.travel(NOW, tick=False):
        propose_stale_task()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        community_services.do_create_comment(animator, stale_post, body_md="Still useful")
        propose_stale_task()
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        archive_due_task()
    assert ArchiveProposal.objects.get().status == "cancelled"
    stale_post.refresh_from_db()
    assert stale_post.locked_at is None


def test_a_stale_community_is_archived_then_restored(client, animator):
    community = CommunityFactory(name="Old guild", slug="old-guild")
    owner = member(community, role=Membership.Role.OWNER)
    reader = member(community)
    _age(community, 200)
    with time_machine.travel(NOW, tick=False):
        propose_stale_task()
    proposal = ArchiveProposal.objects.get(community=community)
    assert proposal.post is None
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        archive_due_task()
    community.refresh_from_db()
    assert community.archived_at is not None
    assert community not in list_communities(reader)
    assert community not in list_communities(reader, scope="active")
    assert community in list_communities(reader, scope="mine")
    assert community in [hit.obj for hit in search_communities(reader, "guild")]
    with pytest.raises(PermissionDenied):
        community_services.do_create_post(reader, community, body_md="Anyone?")
    client.force_login(owner)
    response = client.post(reverse("animation:stale", args=[community.slug]), {"do": "restore_community"})
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.archived_at is None
    assert community_services.do_create_post(reader, community, body_md="Back").pk


def test_the_stale_page_archives_a_conversation_now(client, community, animator, stale_post):
    with time_machine.travel(NOW, tick=False):
        propose_stale_task()
    proposal = ArchiveProposal.objects.get()
    client.force_login(animator)
    url = reverse("animation:stale", args=[community.slug])
    assert "Old thread" in client.get(url).content.decode()
    client.post(url, {"do": "archive", "proposal": proposal.pk})
    stale_post.refresh_from_db()
    assert stale_post.locked_at is not None
    page = client.get(reverse("post_detail", args=[stale_post.pk])).content.decode()
    assert "data-locked" in page
    client.post(url, {"do": "restore_post", "post": stale_post.pk})
    assert Post.objects.get(pk=stale_post.pk).locked_at is None
    client.force_login(member(community))
    assert client.get(url).status_code == 403
    assert Community.objects.get(pk=community.pk).archived_at is None


def test_the_api_lists_proposals_and_archives_one(client, community, animator, stale_post):
    with time_machine.travel(NOW, tick=False):
        propose_stale_task()
    proposal = ArchiveProposal.objects.get()
    client.force_login(animator)
    rows = client.get(f"/api/v1/communities/{community.slug}/archive-proposals/").json()["results"]
    assert [(r["id"], r["post_id"], r["title"]) for r in rows] == [(proposal.pk, stale_post.pk, "Old thread")]
    response = client.post(
        f"/api/v1/archive-proposals/{proposal.pk}/decision/", {"action": "archive"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "archived"
    stale_post.refresh_from_db()
    assert stale_post.locked_at is not None
    client.force_login(member(community))
    assert client.get(f"/api/v1/communities/{community.slug}/archive-proposals/").status_code == 403
    assert (
        client.post(
            f"/api/v1/archive-proposals/{proposal.pk}/decision/", {"action": "keep"}, content_type="application/json"
        ).status_code
        == 403
    )
