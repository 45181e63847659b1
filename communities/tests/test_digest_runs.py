"""The daily digests as a job (rse/lib/jobs.py): progress, stalled when a batch is lost, queued
again by beat for the people left only, each digest sent once (issue 14)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities.models import DigestRun, NotificationChannel, NotificationKind, NotificationPreference
from communities.notifications import services, tasks
from communities.tests.factories_realtime import PostFactory
from rse.accounts.tests.factories import UserFactory
from rse.lib import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers():
    people = UserFactory.create_batch(3)
    post = PostFactory()
    for person in people:
        NotificationPreference.objects.create(
            user=person, kind=NotificationKind.REPLY, channel=NotificationChannel.DIGEST
        )
    tasks.fan_out_notifications_task.delay(
        NotificationKind.REPLY, [p.pk for p in people], actor_id=post.author_id, post_id=post.pk
    )
    return people


def test_the_daily_run_is_a_job_that_counts_the_people_served(readers):
    assert tasks.send_digests_task.delay().get() == 3
    run = DigestRun.objects.get()
    assert (run.status, run.done, run.total, run.attempts) == (DigestRun.Status.DONE, 3, 3, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in readers)
    assert tasks.send_digests_task.delay().get() == 0  # the same day again: nothing twice
    assert len(mail.outbox) == 3


def test_a_lost_batch_stalls_the_run_and_beat_serves_only_the_people_left(
    readers, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "DIGEST_BATCH", 1)
    real_delay = tasks.send_digest_batch_task.delay
    lost = readers[1].pk

    def delay(run_id, user_ids):
        if lost not in user_ids:  # that message never reaches a worker
            return real_delay(run_id, user_ids)
        return None

    monkeypatch.setattr(tasks.send_digest_batch_task, "delay", delay)
    tasks.send_digests_task.delay()
    run = DigestRun.objects.get()
    assert (run.status, run.done, run.total) == (DigestRun.Status.RUNNING, 2, 3)
    assert len(mail.outbox) == 2
    assert jobs.requeue_stalled() == 0
    monkeypatch.setattr(tasks.send_digest_batch_task, "delay", real_delay)
    DigestRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=11))
    run.refresh_from_db()
    assert jobs.status_of(run).stalled
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.requeue_stalled() == 1
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.attempts) == (DigestRun.Status.DONE, 3, 3, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in readers)  # each once


def test_the_run_has_a_page_for_administrators_only(client, readers):
    admin_user = UserFactory(is_superuser=True, is_staff=True)
    run = services.do_start_digest_run()
    DigestRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=30))
    url = reverse("job_detail", args=["communities.digest", run.pk])
    client.force_login(readers[0])
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert "Daily e-mail digests" in page and "This job has stalled." in page
    assert reverse("job_retry", args=["communities.digest", run.pk]) in page
    status = client.get(reverse("job_status", args=["communities.digest", run.pk])).content.decode()
    assert "This job has stalled." in status and 'hx-trigger="every 2s"' in status
