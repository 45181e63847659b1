"""Request-wide safety nets, and the benchmark's timing header."""

import logging
import time
from contextlib import ExitStack

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

logger = logging.getLogger(__name__)


class OutOfRangeIdMiddleware:
    """An id beyond what the database stores (/people/99999999999999999999/) names nothing: a
    404, not the 500 of SQLite's "Python int too large to convert to SQLite INTEGER"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OverflowError) and "SQLite INTEGER" in str(exception)):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Not found.")}, status=404)
        return page_not_found(request, exception)


def database_unavailable(request):
    """503 with a message, rendered without the database (no user, no session in the template)."""
    message = _("The service is briefly unavailable. Nothing you did was lost: try again in a moment.")
    headers = {"Retry-After": "5"}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=503, headers=headers)
    return HttpResponse(render_to_string("503.html", {"message": message}), status=503, headers=headers)


class DatabaseUnavailableMiddleware:
    """A request that finds the database gone (restarting, failing over, SQLite locked too long)
    answers 503 with a message instead of a traceback page; the broken connection is dropped at the
    end of the request (CONN_HEALTH_CHECKS), so the next request connects again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=…, db;dur=…;desc="N queries", dbmax;dur=…` on every response, for
    `make bench` (settings.SERVER_TIMING; off in production, where it would tell anyone how long
    our queries take). app is the time under this middleware, db the time inside SQL, dbmax the
    slowest (main) query of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connections

        durations = []

        def timed(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                durations.append(time.perf_counter() - start)

        start = time.perf_counter()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(timed))
            response = self.get_response(request)
        app = (time.perf_counter() - start) * 1000
        db, slowest = sum(durations) * 1000, max(durations, default=0) * 1000
        response["Server-Timing"] = (
            f'app;dur={app:.2f}, db;dur={db:.2f};desc="{len(durations)} queries", dbmax;dur={slowest:.2f}'
        )
        return response


def _has_nul(request) -> bool:
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
    )


class NulCharacterMiddleware:
    """A NUL character (%00) in the address or its query (`?q=`) is refused with a 400 and a reason
    on every page and API at once: PostgreSQL cannot store or compare text holding NUL ("A string
    literal cannot contain NUL"), so it reached the database as a 500. Bodies are the forms' and
    the serializers' job (Django's and DRF's CharField refuse NUL with a field error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _("The address contains a NUL character, which is not text.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(render_to_string("400.html", {"message": message}, request=None), status=400)
        return self.get_response(request)
