"""The job machinery itself (rse/lib/jobs.py), on the digest run (a `Job` model): runs fenced by
their claim, stalled detection through the cache, the administrators' list of jobs."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import DigestRun
from directory.models import ImportJob
from rse.accounts.tests.factories import UserFactory
from rse.lib import jobs

pytestmark = pytest.mark.django_db
Q = DigestRun.Status


def new_run(day=date(2026, 1, 5), **fields):
    return DigestRun.objects.create(day=day, heartbeat_at=timezone.now(), **fields)


def test_a_run_that_was_taken_over_cannot_write_its_outcome():
    run = new_run()
    first = jobs.claim(DigestRun, run.pk, Q.QUEUED, Q.RUNNING)
    assert first.attempts == 1 and jobs.claim(DigestRun, run.pk, Q.QUEUED, Q.RUNNING) is None  # claimed once
    DigestRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    seen_by_beat, seen_by_someone = DigestRun.objects.get(pk=run.pk), DigestRun.objects.get(pk=run.pk)
    assert jobs.retry(seen_by_beat)  # it looked dead
    assert not jobs.retry(seen_by_someone)  # a click on Retry at the same moment: queued once
    second = jobs.claim(DigestRun, run.pk, Q.QUEUED, Q.RUNNING)
    assert second.attempts == 2
    with pytest.raises(jobs.Superseded):
        jobs.finish(first, status=Q.DONE)
    jobs.finish(second, status=Q.DONE, done=4, total=4)
    run.refresh_from_db()
    assert (run.status, run.done) == (Q.DONE, 4)


def test_a_cancelled_run_cannot_finish():
    run = jobs.claim(DigestRun, new_run().pk, Q.QUEUED, Q.RUNNING)
    assert jobs.cancel(DigestRun.objects.get(pk=run.pk))
    with pytest.raises(jobs.Superseded):
        jobs.finish(run, status=Q.DONE)
    assert not jobs.cancel(DigestRun.objects.get(pk=run.pk))  # over already


def test_a_heartbeat_inside_the_runs_transaction_is_seen_through_the_cache(
    settings, django_capture_on_commit_callbacks
):
    settings.RSE_JOBS_STALLED_AFTER = 600
    run = jobs.claim(DigestRun, new_run().pk, Q.QUEUED, Q.RUNNING)
    DigestRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=20))
    run.refresh_from_db()
    assert jobs.is_stalled(run)
    jobs.heartbeat(run, done=3)  # the test's transaction is open: the cache carries it
    stored = DigestRun.objects.get(pk=run.pk)
    assert stored.heartbeat_at < timezone.now() - timedelta(minutes=19)
    assert not jobs.is_stalled(stored)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.requeue_stalled() == 0


def test_only_statuses_a_worker_owes_can_stall():
    old = timezone.now() - timedelta(days=1)
    for status in (Q.DONE, Q.FAILED, Q.CANCELLED):
        run = new_run(day=date(2026, 2, 1) + timedelta(days=len(status)), status=status)
        DigestRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
        run.refresh_from_db()
        assert not jobs.is_stalled(run) and not jobs.retry(run)
    assert jobs.requeue_stalled() == 0


def test_every_kind_of_job_is_registered_with_a_task_per_step():
    from rse.celery import app

    app.loader.import_default_modules()
    assert {"directory.import", "repository.import", "communities.digest"} <= set(jobs.KINDS)
    for kind in jobs.KINDS.values():
        assert issubclass(kind.model, jobs.Trackable)
        for step in kind.steps.values():
            assert step.task in app.tasks, f"{kind.name}: no task {step.task}"
    assert jobs.kind_for(ImportJob).name == "directory.import"


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_of_jobs_is_for_administrators_with_a_fixed_number_of_queries(
    client, count, django_assert_num_queries
):
    for n in range(count):
        run = new_run(day=date(2026, 3, 1) + timedelta(days=n), status=Q.RUNNING)
        if n % 2:
            DigestRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    client.force_login(UserFactory())
    assert client.get(reverse("job_list")).status_code == 403
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with django_assert_num_queries(3 + len(jobs.KINDS)):  # user, bell, avatar, and one query per kind of job
        page = client.get(reverse("job_list")).content.decode()
    assert page.count('href="/jobs/communities.digest/') == count
    assert page.count("<strong>Stalled</strong>") == count // 2
