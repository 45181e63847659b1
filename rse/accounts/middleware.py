"""Idle sessions end (issue 13, hole 8)."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.utils import timezone

LAST_ACTIVITY = "rse:last_activity"


def is_idle(session) -> bool:
    """Unused for longer than the idle timeout (a session from before this middleware is not)."""
    timeout = settings.RSE_SESSION_IDLE_TIMEOUT
    last = session.get(LAST_ACTIVITY)
    return bool(timeout) and isinstance(last, int) and int(time.time()) - last > timeout


def start_session_clock(session):
    """At sign-in (signals.py), so that the first requests have nothing to write."""
    if session.get("_session_expiry") is None:
        # Saving the session would otherwise push its expiry SESSION_COOKIE_AGE further each time.
        session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    session[LAST_ACTIVITY] = int(time.time())


class IdleSessionTimeoutMiddleware:
    """Signs out a session unused for settings.RSE_SESSION_IDLE_TIMEOUT seconds; the absolute
    expiry (SESSION_COOKIE_AGE after sign-in) stays, and stamping activity does not extend it.

    Only the session is read, never request.user: resolving the user here, outside the view, would
    turn a database outage into a 500 instead of DatabaseUnavailableMiddleware's 503. The stamp is
    written at most every few minutes, as each write of a cached_db session is an SQL query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.RSE_SESSION_IDLE_TIMEOUT
        session = getattr(request, "session", None)
        if timeout and session is not None:
            try:
                self._check(session, timeout)
            except (OperationalError, InterfaceError):
                pass  # the session store is away: the view answers 503, nothing to time out
        return self.get_response(request)

    def _check(self, session, timeout):
        if SESSION_KEY not in session:
            return
        if is_idle(session):
            session.flush()  # signed out everywhere this session was used, websockets included
            return
        now = int(time.time())
        last = session.get(LAST_ACTIVITY)
        if not isinstance(last, int):
            start_session_clock(session)  # a session from before this middleware
        elif now - last >= min(300, max(1, timeout // 10)):
            session[LAST_ACTIVITY] = now
