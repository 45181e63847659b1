"""Rate limits for the API and the pages (issue 13), on DRF's throttles.

Counters live in the Django cache: Redis when REDIS_URL is set, so every process and node shares
them; with Redis down the resilient cache reads as empty and the limits fail open rather than
refusing everyone (rse/lib/cache.py). Rates come from settings.RSE_RATE_LIMITS, read at each
request (DRF's own THROTTLE_RATES is frozen at import, so neither tests nor operators could change
it), and clients are told apart by rse.lib.clientip (DRF's default trusts any X-Forwarded-For).

- `anon`: requests without a user, per client IP; `user`: requests of a signed-in user;
- an action scope (`post`, `comment`, `reaction`, `invite`): the writes of one kind by one user,
  one budget shared by the API (`@throttle_scope`) and the pages (`@limit_rate`).
"""

import math
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from rse.lib.clientip import client_ip


class RateThrottle(SimpleRateThrottle):
    cache_format = "throttle:%(scope)s:%(ident)s"

    def get_rate(self):
        return settings.RSE_RATE_LIMITS.get(self.scope) or None  # RATE_LIMITS="post=": no limit

    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(RateThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(RateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class ActionRateThrottle(RateThrottle):
    """One kind of write by one user: the scope is the view's `throttle_scope` (API) or given
    (pages). Reads are never counted."""

    def __init__(self, scope=None):
        self.scope = scope
        self.rate = None

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        self.scope = self.scope or getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class KeyedBudget(RateThrottle):
    """A budget for something that is not a request of a user, e.g. reset e-mails to an address."""

    def __init__(self, scope, ident):
        self.scope, self.ident = scope, ident
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    def take(self) -> bool:
        """Spends one unit; False when the budget is used up."""
        return self.allow_request(None, None)


def throttle_scope(scope):
    """Puts an @api_view function under the per-user budget `scope` (above @api_view)."""

    def decorator(view):
        view.cls.throttle_scope = scope
        return view

    return decorator


def retry_after(wait) -> int:
    return max(1, math.ceil(wait or 1))


def wait_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext(
            "You are doing this too often. Try again in %(n)d second.",
            "You are doing this too often. Try again in %(n)d seconds.",
            seconds,
        ) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "You are doing this too often. Try again in %(n)d minute.",
        "You are doing this too often. Try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def too_many_requests(request, wait, message=None, title=None):
    """429 with Retry-After: JSON on the API, the message alone for htmx (static/js/rse.js shows
    it), a page otherwise."""
    seconds = retry_after(wait)
    message = message or wait_message(seconds)
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, headers=headers)
    if request.headers.get("HX-Request"):
        return HttpResponse(message, status=429, headers=headers, content_type="text/plain; charset=utf-8")
    context = {"message": message, "title": title or _("Please slow down")}
    return HttpResponse(render_to_string("429.html", context, request=request), status=429, headers=headers)


def limit_rate(scope):
    """Puts a page's writes under the per-user budget `scope`, shared with the API's (below
    @login_required)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            throttle = ActionRateThrottle(scope)
            if not throttle.allow_request(request, None):
                return too_many_requests(request, throttle.wait())
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator
