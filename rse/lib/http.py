"""Small request helpers shared by the apps' views."""

from django.utils.http import url_has_allowed_host_and_scheme


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
