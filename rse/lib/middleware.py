"""Request-wide safety nets."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found


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
