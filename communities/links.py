"""URLs of things other apps own, in one place (communities may not import their views)."""

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


def item_url(slug: str) -> str:
    """The business item page (repository app)."""
    return reverse("repository:item", args=[slug])


def item_id_url(pk: int) -> str:
    """The item page by id, naming nothing (for restricted items)."""
    return reverse("repository:item_by_id", args=[pk])


def profile_url(user_id: int) -> str:
    """A person's profile page (directory app)."""
    return reverse("directory:profile", args=[user_id])


def tag_url(slug: str) -> str:
    return reverse("tag_detail", args=[slug])


POST_ACTIONS = ("vote", "rsvp", "ack", "bookmark", "pin", "highlight", "share", "history", "edit", "react")


def post_urls(post_id: int) -> dict:
    """Every URL a post card needs. Reversed once (for id 0), then formatted: a feed page shows
    twenty cards of a dozen links each, and reverse() per link was a visible share of the time."""
    base = _post_base()
    urls = {action: f"{base}{post_id}/{action}/" for action in POST_ACTIONS}
    urls["detail"] = f"{base}{post_id}/"
    return urls


_BASE_CACHE: dict = {}


def _post_base() -> str:
    from django.urls import get_script_prefix

    prefix = get_script_prefix()
    if prefix not in _BASE_CACHE:
        detail = reverse("post_detail", args=[0])
        if not detail.endswith("/0/") or any(
            reverse(f"post_{action}", args=[0]) != f"{detail}{action}/" for action in POST_ACTIONS
        ):
            raise ImproperlyConfigured("post URLs must be <post_detail>/<action>/ for post_urls()")
        _BASE_CACHE[prefix] = detail[: -len("0/")]
    return _BASE_CACHE[prefix]
