"""Long jobs, built once: progress, heartbeat, "stalled", retry, cancel, re-queued by beat.

A *job* is a row a Celery task works on for a while: directory contact and HR imports, repository
item imports, the daily notification digests, and every export or scheduled job to come. A worker
can die under one (killed, out of memory, a broker that lost the message); then the job would say
"Waiting for a worker… 0 of 4 rows" for ever. Here, a job whose status says a worker owes it
progress, and which made none for `RSE_JOBS_STALLED_AFTER` seconds, is *stalled*: its page says so
with Retry and Cancel (templates/jobs/_status.html), and the `rse.jobs.requeue_stalled` beat task
queues it again, up to `RSE_JOBS_MAX_ATTEMPTS` runs in all.

Exactly once, even when a "dead" run was only slow: every run starts with `claim()`, which bumps
`attempts`; a run writes its outcome with `finish()` (or `fenced(job).update(...)`), which only
matches the row if `attempts` and `status` are still the ones it claimed. A run that was retried
or cancelled meanwhile gets `Superseded` inside its transaction, so its work is rolled back.

Adding a kind of job (an export, scheduled publishing…)
1. The model inherits `Job` (status, done/total, error, timestamps, heartbeat_at, attempts); a
   model that keeps its own status and progress fields inherits only `Trackable`.
2. Its app registers it in AppConfig.ready():
       jobs.register(jobs.simple_kind("engagement.export", Export, _("HR export"),
                     task="engagement.run_export", can_manage=can_export, url=export_url))
   (`JobKind(...)` directly for several steps, as repository's validate → apply.)
3. Queue it with `jobs.submit(job)` in the transaction that created it: the task of its status's
   step goes through the outbox (rse/lib/outbox.py) after the commit. The task takes the job id.
4. The task body:
       job = jobs.claim(Export, job_id, "queued", "running")   # None: not for this run, return
       ... work in chunks, calling jobs.heartbeat(job, done=n) every chunk ...
       with transaction.atomic(): ...; jobs.finish(job, status=Export.Status.DONE, finished_at=now)
   Let `Superseded` roll the transaction back, then return quietly (the other run does the work).
5. Its page: `{% include "jobs/_status.html" with status=job_status %}`, `job_status = jobs.status_of(job)`.
   Kinds without a page of their own use /jobs/<kind>/<id>/; administrators see every job at /jobs/.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rse.lib.outbox import enqueue_on_commit

logger = logging.getLogger(__name__)


class Superseded(Exception):
    """This run lost the job (retried after it looked stalled, or cancelled): roll its work back."""


# --- Fields ---------------------------------------------------------------------------------


class Trackable(models.Model):
    """What the machinery needs on any job row."""

    attempts = models.PositiveIntegerField(_("runs started"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        abstract = True


class Job(Trackable):
    """A whole job row: status, progress, error, timestamps (for new kinds of jobs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


# --- Kinds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What a worker owes a job in one status: the task to send (called with the job's id), and
    the status a stalled job goes back to before it is sent again (default: unchanged)."""

    task: str
    requeue_as: str | None = None


def _done_total(job):
    return job.done, job.total


@dataclass(frozen=True)
class JobKind:
    name: str  # "directory.import": in URLs and logs
    model: type
    label: str
    steps: dict  # {status: Step} for every status in which a worker owes the job progress
    can_manage: Callable  # (user, job) -> bool: see it, retry it, cancel it
    url: Callable | None = None  # job -> its own page (default: /jobs/<kind>/<id>/)
    cancelled_status: str = "cancelled"
    on_cancel: Callable = field(default=lambda job: {})  # extra fields written on cancel
    progress: Callable = _done_total  # job -> (done, total)
    unit: str = ""  # what `total` counts ("rows"), shown after the numbers
    since_field: str = "updated_at"  # when heartbeat_at is empty (rows from before the machinery)

    def page_url(self, job) -> str:
        if self.url is not None:
            return self.url(job)
        return reverse("job_detail", args=[self.name, job.pk])


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    for status, step in kind.steps.items():
        if step.requeue_as is not None and step.requeue_as not in kind.steps:
            raise ValueError(f"{kind.name}: {status} is requeued as {step.requeue_as}, which has no step")
    KINDS[kind.name] = kind
    return kind


def simple_kind(name, model, label, *, task, can_manage, url=None, unit="", **options) -> JobKind:
    """The usual kind for a `Job` model: one task, queued → running, re-queued as queued."""
    return JobKind(
        name=name,
        model=model,
        label=label,
        steps={Job.Status.QUEUED: Step(task), Job.Status.RUNNING: Step(task, requeue_as=Job.Status.QUEUED)},
        can_manage=can_manage,
        url=url,
        unit=unit,
        **options,
    )


def kind_for(job_or_model) -> JobKind:
    model = job_or_model if isinstance(job_or_model, type) else type(job_or_model)
    for kind in KINDS.values():
        if kind.model is model:
            return kind
    raise LookupError(f"{model.__name__} is not a registered kind of job")


# --- The run ------------------------------------------------------------------------------------


def submit(job) -> None:
    """Queue the job's current step (in the transaction that created or confirmed it): the task is
    sent after the commit, through the outbox. A new step starts with a fresh count of runs."""
    kind = kind_for(job)
    now = timezone.now()
    type(job).objects.filter(pk=job.pk).update(heartbeat_at=now, attempts=0)
    job.heartbeat_at, job.attempts = now, 0
    enqueue_on_commit(kind.steps[job.status].task, job.pk)


def claim(model, job_id, from_status, to_status=None, *, queryset=None):
    """Start a run: the job, if it is in `from_status` (a status or a list), with `attempts` bumped
    (this run's token) and `to_status` set; None when it is not there (done, cancelled, taken)."""
    statuses = [from_status] if isinstance(from_status, str) else list(from_status)
    changes = {"attempts": F("attempts") + 1, "heartbeat_at": timezone.now()}
    if to_status is not None:
        changes["status"] = to_status
    if not model.objects.filter(pk=job_id, status__in=statuses).update(**changes):
        return None
    return (queryset if queryset is not None else model.objects).get(pk=job_id)


def fenced(job):
    """The job's row, only while it is still this run's (same attempts and status as claimed)."""
    return type(job).objects.filter(pk=job.pk, attempts=job.attempts, status=job.status)


def finish(job, **fields) -> None:
    """Write the run's outcome (status, counts…) unless another run or a cancel took the job over,
    in which case `Superseded` is raised: inside a transaction, the run's work is rolled back."""
    if not fenced(job).update(heartbeat_at=timezone.now(), **fields):
        raise Superseded(f"{kind_for(job).name} #{job.pk}: run {job.attempts} was superseded")
    for name, value in fields.items():
        setattr(job, name, value)


def _key(kind, job_id) -> str:
    return f"jobs:heartbeat:{kind.name}:{job_id}"


def heartbeat(job, done=None) -> None:
    """The run is making progress. Through the cache (other processes see it even while the run's
    transaction is open) and, outside a transaction, on the row itself (`done` too, for `Job`s)."""
    kind = kind_for(job)
    now = timezone.now()
    cache.set(_key(kind, job.pk), now.timestamp(), timeout=max(3600, 4 * settings.RSE_JOBS_STALLED_AFTER))
    job.heartbeat_at = now
    if transaction.get_connection().in_atomic_block:
        return
    changes = {"heartbeat_at": now}
    if done is not None and isinstance(job, Job):
        changes["done"] = job.done = done
    fenced(job).update(**changes)


def last_progress(job):
    kind = kind_for(job)
    times = [job.heartbeat_at or getattr(job, kind.since_field, None)]
    cached = cache.get(_key(kind, job.pk))
    if cached is not None:
        times.append(datetime.fromtimestamp(float(cached), tz=UTC))
    times = [t for t in times if t is not None]
    return max(times) if times else None


def is_active(job) -> bool:
    return job.status in kind_for(job).steps


def is_stalled(job, now=None) -> bool:
    if not is_active(job):
        return False
    last = last_progress(job)
    return last is None or last < (now or timezone.now()) - timedelta(seconds=settings.RSE_JOBS_STALLED_AFTER)


def retry(job) -> bool:
    """Send the job's step again (its status goes back to the step's `requeue_as`). Conditional on
    the row being as read, so the beat and a click at the same moment queue it once."""
    kind = kind_for(job)
    step = kind.steps.get(job.status)
    if step is None:
        return False
    status = step.requeue_as or job.status
    now = timezone.now()
    with transaction.atomic():
        changed = (
            type(job)
            .objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at)
            .update(status=status, heartbeat_at=now)
        )
        if changed:
            enqueue_on_commit(kind.steps[status].task, job.pk)
    if changed:
        job.status, job.heartbeat_at = status, now
        logger.warning("%s #%s re-queued after %d run(s)", kind.name, job.pk, job.attempts)
    return bool(changed)


def cancel(job) -> bool:
    """Stop a job a worker owes progress to; a run still going finds it superseded."""
    kind = kind_for(job)
    if job.status not in kind.steps:
        return False
    fields = {"status": kind.cancelled_status, "heartbeat_at": timezone.now(), **kind.on_cancel(job)}
    changed = type(job).objects.filter(pk=job.pk, status=job.status).update(**fields)
    if changed:
        for name, value in fields.items():
            setattr(job, name, value)
    return bool(changed)


def requeue_stalled(now=None) -> int:
    """Beat: queue again every stalled job with runs left; the others stay stalled on their page."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.RSE_JOBS_STALLED_AFTER)
    count = 0
    for kind in KINDS.values():
        candidates = (
            kind.model.objects.annotate(_last=Coalesce("heartbeat_at", kind.since_field))
            .filter(status__in=list(kind.steps), _last__lt=cutoff, attempts__lt=settings.RSE_JOBS_MAX_ATTEMPTS)
            .order_by("pk")[:200]
        )
        for job in candidates:
            if is_stalled(job, now) and retry(job):  # the cache may know of a fresher heartbeat
                count += 1
    return count


@shared_task(name="rse.jobs.requeue_stalled", acks_late=True)
def requeue_stalled_task():
    return requeue_stalled()


# --- For pages ----------------------------------------------------------------------------------


@dataclass
class JobStatus:
    kind: JobKind
    job: object
    label: str
    done: int
    total: int
    active: bool
    stalled: bool
    last_progress: datetime | None
    can_retry_automatically: bool

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def minutes_idle(self) -> int:
        if self.last_progress is None:
            return 0
        return int((timezone.now() - self.last_progress).total_seconds() // 60)

    @property
    def page_url(self):
        return self.kind.page_url(self.job)

    @property
    def status_url(self):
        return reverse("job_status", args=[self.kind.name, self.job.pk])

    @property
    def retry_url(self):
        return reverse("job_retry", args=[self.kind.name, self.job.pk])

    @property
    def cancel_url(self):
        return reverse("job_cancel", args=[self.kind.name, self.job.pk])


def status_of(job) -> JobStatus:
    kind = kind_for(job)
    done, total = kind.progress(job)
    display = getattr(job, "get_status_display", None)
    return JobStatus(
        kind=kind,
        job=job,
        label=display() if display else job.status,
        done=done,
        total=total,
        active=is_active(job),
        stalled=is_stalled(job),
        last_progress=last_progress(job),
        can_retry_automatically=job.attempts < settings.RSE_JOBS_MAX_ATTEMPTS,
    )
