"""Request-wide safety nets."""

import logging

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
