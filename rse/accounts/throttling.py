"""Limits on guessing passwords and on password-reset e-mails (issue 13), on django-axes.

A login is refused once there were AXES_FAILURE_LIMIT failures for the account within
AXES_COOLOFF_TIME, or from the client's IP within RSE_LOGIN_IP_WINDOW, whichever door was used: the
login page, /admin/login/ or HTTP Basic on the API (all go through django.contrib.auth.authenticate,
where axes' backend stands first). Each failure is one row of axes' failure log, so both windows
slide exactly. The client IP comes from rse.lib.clientip: a forged X-Forwarded-For does not start a
new count.
"""

import hashlib
import logging
import math

from axes.backends import AxesBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.authentication import BasicScheme
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from rse.accounts.backends import SessionUserLookup
from rse.lib.ratelimit import KeyedBudget, too_many_requests

logger = logging.getLogger(__name__)


def login_username(request, credentials):
    """The account a login attempt names, whatever the form calls the field, in one case."""
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email")
    if name is None and request is not None and hasattr(request, "POST"):
        name = request.POST.get("username") or request.POST.get("email")
    return name.strip().lower() if isinstance(name, str) and name.strip() else None


class LoginAttemptsHandler(AxesDatabaseHandler):
    """Two sliding windows over the failure log instead of axes' one cool-off for every parameter."""

    def _windows(self, request, credentials):
        now = request.axes_attempt_time or timezone.now()
        username = get_client_username(request, credentials)
        account = AccessFailureLog.objects.filter(username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
        address = AccessFailureLog.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=now - settings.RSE_LOGIN_IP_WINDOW
        )
        windows = [(address, settings.RSE_LOGIN_IP_WINDOW)]
        if username:
            windows.append((account, settings.AXES_COOLOFF_TIME))
        return windows

    def get_failures(self, request, credentials=None) -> int:
        return max(failures.count() for failures, _window in self._windows(request, credentials))

    def seconds_locked(self, request, credentials=None) -> int:
        """How long until the windows that are full let a login through again."""
        limit = get_failure_limit(request, credentials)
        now = timezone.now()
        waits = [0]
        for failures, window in self._windows(request, credentials):
            times = list(failures.order_by("-attempt_time").values_list("attempt_time", flat=True)[:limit])
            if len(times) >= limit:
                waits.append((times[-1] + window - now).total_seconds())
        return max(1, math.ceil(max(waits)))


def _handler():
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.get_implementation()


def seconds_locked(request, credentials=None) -> int:
    handler = _handler()
    if hasattr(handler, "seconds_locked"):
        return handler.seconds_locked(request, credentials)
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-in attempts. For your security, signing in is paused: try again in %(n)d minute.",
        "Too many failed sign-in attempts. For your security, signing in is paused: try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After and a message, on the login pages."""
    seconds = seconds_locked(request, credentials)
    return too_many_requests(request, seconds, lockout_message(seconds), title=_("Signing in is paused"))


class LoginThrottleBackend(SessionUserLookup, AxesBackend):
    """axes' backend, but a call without a request (the test client's login(), a management
    command) is left to the next backend instead of raising: every login over HTTP passes one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottledBasicAuthentication(BasicAuthentication):
    """HTTP Basic under the same login limits, refused with 429 and Retry-After once locked."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                credentials = {"username": userid}
                seconds = seconds_locked(request, credentials)
                raise Throttled(wait=seconds, detail=lockout_message(seconds), code="locked_out") from None
            raise


class ThrottledBasicScheme(BasicScheme):
    """The OpenAPI schema describes it as HTTP Basic."""

    target_class = ThrottledBasicAuthentication


class ThrottledPasswordResetForm(PasswordResetForm):
    """At most RSE_RATE_LIMITS["password_reset"] e-mails per address: beyond it nothing is sent
    and the page is the same, so it tells nothing about the address."""

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"].strip().lower()
        ident = hashlib.sha256(f"rse.password-reset:{email}".encode()).hexdigest()[:32]
        if not KeyedBudget("password_reset", ident).take():
            logger.warning("password reset e-mail not sent: too many requests for one address")
            return
        super().save(*args, **kwargs)
