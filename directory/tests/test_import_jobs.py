"""Imports as jobs (rse/lib/jobs.py): one whose worker died or whose message was lost is shown
stalled with Retry and Cancel, is queued again by beat, and applies exactly once (issue 14)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.imports import do_confirm_import, do_create_import, run_import
from directory.models import ImportJob, Profile
from directory.tests.conftest import committed, data_file
from rse.lib import jobs, outbox
from rse.lib.testing.faults import BrokerOutage
from rse.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_import(hr_user, monkeypatch):
    """An HR import confirmed while its message could not reach a worker (broker down, a message
    file the worker could not read): it waits in "queued"."""
    job = do_create_import(hr_user, ImportJob.Kind.HR, data_file("hr_employees.csv"))
    outage = BrokerOutage(monkeypatch).down()
    with committed():
        do_confirm_import(hr_user, job)
    outage.back()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    return job


def silent_for(job, minutes):
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=minutes))
    job.refresh_from_db()
    return job


def employees():
    return Profile.objects.filter(employee_id__in=["E1", "E2", "E3", "E4"]).count()


def test_an_import_whose_message_was_lost_is_queued_again_by_beat_and_applied_once(lost_import, settings):
    settings.RSE_JOBS_STALLED_AFTER = 600
    silent_for(lost_import, 9)
    assert jobs.requeue_stalled() == 0  # still within its time
    silent_for(lost_import, 11)
    with committed():
        assert jobs.requeue_stalled() == 1
    lost_import.refresh_from_db()
    assert lost_import.status == ImportJob.Status.DONE, lost_import.error
    assert lost_import.result["create"] == 4 and employees() == 4
    # The first message was sent too, once the broker answered again (the outbox drains after a
    # successful send): it found the work done. Nothing twice, nothing left to send.
    assert not OutboxMessage.objects.exists()
    with committed():
        assert outbox.drain() == 0
    assert employees() == 4


def test_a_dead_run_is_shown_stalled_with_retry_and_cancel_and_retry_finishes_it(client, hr_user, lost_import):
    dead = jobs.claim(ImportJob, lost_import.pk, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    client.force_login(hr_user)
    page = client.get(reverse("directory:import", args=[lost_import.pk])).content.decode()
    assert "This job has stalled." not in page  # it is running, for all we know
    silent_for(lost_import, 11)
    for url in (
        reverse("directory:import", args=[lost_import.pk]),
        reverse("directory:import_progress", args=[lost_import.pk]),
    ):
        page = client.get(url).content.decode()
        assert "This job has stalled." in page
        assert reverse("job_retry", args=["directory.import", lost_import.pk]) in page
        assert reverse("job_cancel", args=["directory.import", lost_import.pk]) in page
    with committed():
        response = client.post(reverse("job_retry", args=["directory.import", lost_import.pk]))
    assert response["Location"] == reverse("directory:import", args=[lost_import.pk])
    lost_import.refresh_from_db()
    assert lost_import.status == ImportJob.Status.DONE and lost_import.attempts == 2
    assert employees() == 4
    # The run that looked dead comes back: its outcome is refused, so its work would roll back.
    with pytest.raises(jobs.Superseded):
        jobs.finish(dead, status=ImportJob.Status.DONE)


def test_a_stalled_import_can_be_cancelled_and_nothing_is_applied(client, hr_user, lost_import):
    silent_for(lost_import, 30)
    client.force_login(hr_user)
    client.post(reverse("job_cancel", args=["directory.import", lost_import.pk]))
    lost_import.refresh_from_db()
    assert lost_import.status == ImportJob.Status.CANCELLED and lost_import.rows == []
    run_import(lost_import.pk)  # a message delivered late
    assert employees() == 0
    assert (
        "Cancelled: nothing was changed."
        in client.get(reverse("directory:import", args=[lost_import.pk])).content.decode()
    )


def test_retry_is_refused_while_the_job_makes_progress_and_for_others(client, hr_user, lost_import, other_user):
    client.force_login(hr_user)
    client.post(reverse("job_retry", args=["directory.import", lost_import.pk]))
    assert OutboxMessage.objects.count() == 1  # only the first, lost, send
    client.force_login(other_user)
    assert client.post(reverse("job_cancel", args=["directory.import", lost_import.pk])).status_code == 404
    assert client.get(reverse("job_detail", args=["directory.import", lost_import.pk])).status_code == 404


def test_beat_gives_up_after_the_last_attempt_and_the_page_says_so(client, hr_user, lost_import, settings):
    settings.RSE_JOBS_MAX_ATTEMPTS = 2
    ImportJob.objects.filter(pk=lost_import.pk).update(status=ImportJob.Status.RUNNING, attempts=2)
    silent_for(lost_import, 11)
    assert jobs.requeue_stalled() == 0
    client.force_login(hr_user)
    page = client.get(reverse("directory:import", args=[lost_import.pk])).content.decode()
    assert "queued again several times without success" in page
