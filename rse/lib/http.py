"""Small request helpers shared by the apps' views."""

from django.utils.functional import LazyObject, empty
from django.utils.http import url_has_allowed_host_and_scheme


def resolve_user(request):
    """request.user itself instead of the lazy proxy AuthenticationMiddleware puts there (the
    proxy stays lazy so that a database outage is a 503, not a 500, see DatabaseUnavailable-
    Middleware). For views that need the user anyway: a feed page reads it ~600 times (every
    permission predicate, every template variable), each read through the proxy costing a call."""
    user = request.user
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = request.user = user._wrapped
    return user


def safe_next(request, default):
    """The `next` the form or link asked for, when it stays on this site; else `default`
    (a POSTed next=https://evil.example must never become a redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path only: `next=abc` would be taken by redirect() for a view name (NoReverseMatch, a 500),
    # and control characters (NUL, line breaks) have no place in a Location header.
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return default
