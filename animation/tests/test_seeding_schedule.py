"""Scheduled posts: published exactly once and on time by the beat task, even run twice or after
a worker was down; the animator sees, edits and cancels the queue; champions read launch posts
early."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from animation.seeding import services
from animation.seeding.models import Champion, ScheduledPost, SeedingSetup
from animation.seeding.tasks import publish_due_posts_task, publish_scheduled_post_task
from communities.models import Community, Membership, Notification, NotificationKind, Post
from communities.services import do_leave_community
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0) + timedelta(days=1)


def _schedule(animator, community, at=T0, **kw):
    kw.setdefault("kind", "discussion")
    kw.setdefault("body_md", "Hello from the past")
    return services.do_schedule_post(animator, community, publish_at=at, **kw)


def test_published_once_on_time_even_when_the_task_runs_twice(community, animator, django_capture_on_commit_callbacks):
    scheduled = _schedule(animator, community, title="Kick-off")
    with time_machine.travel(T0 - timedelta(minutes=1), tick=False):
        publish_due_posts_task()
        assert not Post.objects.filter(community=community).exists()
    with time_machine.travel(T0 + timedelta(seconds=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            publish_due_posts_task()
            publish_due_posts_task()
            publish_scheduled_post_task(scheduled.pk)  # a redelivered message
    post = Post.objects.get(community=community)
    scheduled.refresh_from_db()
    assert post.title == "Kick-off" and post.author == animator
    assert scheduled.status == "published" and scheduled.post == post and scheduled.late_by is None


def test_a_post_due_while_the_worker_was_down_is_published_when_it_comes_back_with_both_times(
    community, animator, client
):
    scheduled = _schedule(animator, community, title="Monday news")
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        publish_due_posts_task()
    scheduled.refresh_from_db()
    assert scheduled.status == "published" and scheduled.late_by == timedelta(hours=3)
    client.force_login(animator)
    page = client.get(reverse("animation:schedule", args=[community.slug])).content.decode()
    assert "late: the publisher was not running" in page and "Scheduled for" in page
    data = client.get(f"/api/v1/communities/{community.slug}/scheduled-posts/?status=published").json()
    assert data["results"][0]["late"] is True and data["results"][0]["post_id"] == scheduled.post_id


def test_a_cancelled_post_is_never_published_and_a_published_one_cannot_be_edited(community, animator):
    cancelled = _schedule(animator, community, title="No")
    services.do_cancel_scheduled_post(animator, cancelled)
    kept = _schedule(animator, community, title="Yes", at=T0 + timedelta(hours=1))
    services.do_edit_scheduled_post(animator, kept, title="Yes, edited", publish_at=T0 + timedelta(minutes=30))
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        publish_due_posts_task()
    assert list(Post.objects.filter(community=community).values_list("title", flat=True)) == ["Yes, edited"]
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.do_edit_scheduled_post(animator, kept, title="Too late")
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.do_cancel_scheduled_post(animator, cancelled)


def test_an_author_who_left_makes_it_fail_with_a_reason_and_the_animators_hear_of_it(
    community, animator, django_capture_on_commit_callbacks
):
    owner = member(community, role=Membership.Role.OWNER)
    scheduled = _schedule(animator, community, title="Orphan")
    do_leave_community(animator, community)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            publish_due_posts_task()
    scheduled.refresh_from_db()
    assert scheduled.status == "failed" and "Join the community" in scheduled.error
    assert not Post.objects.filter(community=community).exists()
    assert Notification.objects.filter(recipient=owner, kind=NotificationKind.ANIMATION_ALERT).exists()


def test_bad_schedules_are_refused_with_a_reason(community, animator):
    with pytest.raises(ValidationError) as past:
        _schedule(animator, community, at=timezone.now() - timedelta(minutes=1))
    assert "future" in str(past.value)
    with pytest.raises(ValidationError, match="title"):
        _schedule(animator, community, kind="question", title="")
    with pytest.raises(ValidationError, match="year"):
        _schedule(animator, community, at=timezone.now() + timedelta(days=400))


def test_the_api_schedules_edits_and_cancels_members_get_403_outsiders_404(api, community, client):
    url = f"/api/v1/communities/{community.slug}/scheduled-posts/"
    created = api.post(url, {"kind": "question", "title": "Your tips?", "publish_at": T0.isoformat()},
                       content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.patch(f"/api/v1/scheduled-posts/{pk}/", {"title": "Your best tips?"},
                     content_type="application/json").json()["title"] == "Your best tips?"  # fmt: skip
    bad = api.post(url, {"kind": "poll", "publish_at": "tomorrow", "body_md": "x\x00"}, content_type="application/json")
    assert bad.status_code == 400 and {"kind", "publish_at", "body_md"} <= set(bad.json())
    past = api.post(
        url, {"title": "x", "body_md": "x", "publish_at": "2001-01-01T10:00:00Z"}, content_type="application/json"
    )
    assert past.status_code == 400 and "publish_at" in past.json()
    assert api.delete(f"/api/v1/scheduled-posts/{pk}/").status_code == 204
    assert api.delete(f"/api/v1/scheduled-posts/{pk}/").status_code == 400
    client.force_login(member(community))
    assert client.get(url).status_code == 403 and client.delete(f"/api/v1/scheduled-posts/{pk}/").status_code == 403
    secret = CommunityFactory(visibility=Community.Visibility.SECRET)
    assert client.get(f"/api/v1/communities/{secret.slug}/scheduled-posts/").status_code == 404


def test_the_queue_costs_the_same_for_one_and_many(api, community, animator, django_assert_num_queries):
    url = f"/api/v1/communities/{community.slug}/scheduled-posts/"
    page = reverse("animation:schedule", args=[community.slug])
    _schedule(animator, community, title="One")
    api.get(url), api.get(page)  # warm the session and the cached counts
    with _Counter() as first:
        api.get(url)
    with _Counter() as first_page:
        api.get(page)
    for i in range(5):
        _schedule(animator, community, title=f"More {i}", at=T0 + timedelta(hours=i + 1))
    with django_assert_num_queries(first.count):
        assert len(api.get(url).json()["results"]) == 6
    with django_assert_num_queries(first_page.count):
        api.get(page)


class _Counter:
    """Counts the queries of a block, to compare with the same page holding more rows."""

    def __enter__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._ctx = CaptureQueriesContext(connection)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        self.count = len(self._ctx.captured_queries)


def test_champions_read_launch_posts_early_once_and_only_they(community, animator, client,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    champion, other = member(community), member(community)
    services.do_set_champion(animator, community, champion)
    SeedingSetup.objects.create(community=community, champions_lead_hours=12)
    scheduled = _schedule(animator, community, title="Big launch", is_launch=True)
    with time_machine.travel(T0 - timedelta(hours=13), tick=False):
        publish_due_posts_task()
    assert not Notification.objects.filter(kind=NotificationKind.LAUNCH).exists()
    with time_machine.travel(T0 - timedelta(hours=11), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            publish_due_posts_task()
            publish_due_posts_task()
    told = Notification.objects.filter(kind=NotificationKind.LAUNCH)
    assert [n.recipient for n in told] == [champion]
    preview = reverse("animation:launch_preview", args=[community.slug, scheduled.pk])
    client.force_login(champion)
    assert client.get(reverse("notifications:open", args=[told.get().pk])).url == preview
    assert "Big launch" in client.get(preview).content.decode()
    client.force_login(other)
    assert client.get(preview).status_code == 403
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        publish_due_posts_task()
    client.force_login(champion)
    scheduled.refresh_from_db()
    assert client.get(preview).url == reverse("post_detail", args=[scheduled.post_id])


def test_only_members_become_champions(community, animator):
    with pytest.raises(ValidationError, match="members"):
        services.do_set_champion(animator, community, UserFactory())
    person = member(community)
    assert services.do_set_champion(animator, community, person) is True
    assert services.do_set_champion(animator, community, person) is True  # twice is once
    assert Champion.objects.filter(community=community).count() == 1


def test_the_page_schedules_and_shows_the_queue_at_375px_without_losing_input(community, animator, client):
    client.force_login(animator)
    url = reverse("animation:schedule", args=[community.slug])
    response = client.post(
        url, {"kind": "question", "title": "", "body_md": "Kept text", "publish_at": "2001-01-01T10:00"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Kept text" in page and "future" in page
    local = timezone.localtime(T0).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(url, {"kind": "discussion", "title": "Hi", "body_md": "x", "publish_at": local}).status_code == 302
    )
    assert ScheduledPost.objects.get(title="Hi").publish_at == T0.replace(second=0)
