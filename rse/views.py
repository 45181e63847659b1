import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.db.models import JSONField
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rse.accounts.roles import is_administrator
from rse.lib import health, jobs
from rse.lib.middleware import database_unavailable
from rse.trail.services import record


def server_error(request):
    """handler500: an error outside a view (a middleware) that is the database going away is a 503."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return defaults.server_error(request)


@never_cache
def healthz(request):
    """Each dependency's state; 503 when one of settings.RSE_HEALTHZ_REQUIRED is down (rse/lib/health.py)."""
    checks = health.check_all()
    down = [name for name, check in checks.items() if not check["ok"]]
    required_down = [name for name in down if checks[name]["required"]]
    status = "down" if required_down else ("degraded" if down else "ok")
    return JsonResponse({"status": status, "checks": checks}, status=503 if required_down else 200)


# --- Long jobs (rse/lib/jobs.py): one page for kinds without their own, retry and cancel -----


def _job_or_404(user, kind_name, job_id):
    kind = jobs.KINDS.get(kind_name)
    job = kind.model.objects.filter(pk=job_id).first() if kind else None
    if job is None or not kind.can_manage(user, job):
        raise Http404
    return kind, job


@login_required
def job_list(request):
    if not is_administrator(request.user):
        raise PermissionDenied
    statuses = []
    for kind in jobs.KINDS.values():
        # Parsed rows, previews and reports can be megabytes: not needed for a line in a table.
        heavy = [f.name for f in kind.model._meta.concrete_fields if isinstance(f, JSONField)]
        active = kind.model.objects.filter(status__in=list(kind.steps)).defer(*heavy).order_by("-pk")[:50]
        statuses += [jobs.status_of(job) for job in active]
    context = {"statuses": statuses, "stalled_minutes": settings.RSE_JOBS_STALLED_AFTER // 60}
    return render(request, "jobs/list.html", context)


@login_required
def job_detail(request, kind, job_id):
    _kind, job = _job_or_404(request.user, kind, job_id)
    return render(request, "jobs/detail.html", {"status": jobs.status_of(job)})


@login_required
def job_status(request, kind, job_id):
    _kind, job = _job_or_404(request.user, kind, job_id)
    return render(request, "jobs/_poll.html", {"status": jobs.status_of(job)})


@login_required
@require_POST
def job_retry(request, kind, job_id):
    kind, job = _job_or_404(request.user, kind, job_id)
    if not jobs.is_stalled(job):
        messages.info(request, _("This job is not stalled: there is nothing to retry."))
    elif jobs.retry(job):
        record("jobs.retried", actor=request.user, obj=job, kind=kind.name)
        messages.success(request, _("The job was queued again."))
    return redirect(kind.page_url(job))


@login_required
@require_POST
def job_cancel(request, kind, job_id):
    kind, job = _job_or_404(request.user, kind, job_id)
    if jobs.cancel(job):
        record("jobs.cancelled", actor=request.user, obj=job, kind=kind.name)
        messages.success(request, _("The job was cancelled."))
    else:
        messages.info(request, _("This job had already ended."))
    return redirect(kind.page_url(job))
