"""URLs of things other apps own, in one place (they may not exist yet in this branch)."""

from django.urls import NoReverseMatch, reverse


def _first_reverse(names, args, fallback):
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return fallback


def item_url(slug: str) -> str:
    """The business item page (repository app)."""
    return _first_reverse(["repository:item_detail", "repository:item"], [slug], f"/repository/items/{slug}/")


def profile_url(user_id: int) -> str:
    """A person's profile page (directory app)."""
    return _first_reverse(["directory:profile", "directory:profile_detail"], [user_id], f"/people/{user_id}/")


def tag_url(slug: str) -> str:
    return reverse("tag_detail", args=[slug])
