"""Item imports as jobs (rse/lib/jobs.py): an import whose worker died while applying is shown
stalled, queued again by beat, and writes its items exactly once (issue 14)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from repository import imports
from repository.models import ImportJob, Item
from repository.tests.test_imports import acme, run  # noqa: F401 - fixtures
from rse.lib import jobs, outbox
from rse.lib.testing.faults import BrokerOutage
from rse.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_an_import_whose_worker_died_while_applying_is_queued_again_and_written_once(
    run,  # noqa: F811
    admin_client,
    admin_user,
    project_type,
    acme,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    job = run(admin_user, project_type, confirm=False)
    assert job.status == ImportJob.Status.PREVIEW
    outage = BrokerOutage(monkeypatch).down()
    with django_capture_on_commit_callbacks(execute=True):
        imports.do_confirm_import(admin_user, job)
    outage.back()
    dead = jobs.claim(ImportJob, job.pk, ImportJob.Status.APPLYING)  # a worker took it, then died
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=11))
    page = admin_client.get(reverse("repository:import_detail", args=[job.pk])).content.decode()
    assert "This job has stalled." in page and reverse("job_retry", args=["repository.import", job.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.requeue_stalled() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempts == 2, job.error
    created = job.counts["applied"]["create"]
    assert created and Item.objects.filter(item_type=project_type).count() == created
    with pytest.raises(jobs.Superseded):
        jobs.finish(dead, status=ImportJob.Status.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.drain()
        imports.apply_import(job.pk)  # a late duplicate of the message
    assert Item.objects.filter(item_type=project_type).count() == created
    assert not OutboxMessage.objects.exists()


def test_a_stalled_import_can_be_cancelled(run, admin_client, admin_user, project_type, acme, monkeypatch):  # noqa: F811
    outage = BrokerOutage(monkeypatch).down()
    job = run(admin_user, project_type, confirm=False)  # its validation never reached a worker
    outage.back()
    assert job.status == ImportJob.Status.VALIDATING
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    admin_client.post(reverse("job_cancel", args=["repository.import", job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    imports.validate_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and job.preview == []
