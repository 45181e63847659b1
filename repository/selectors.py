"""Reads of the business repository. The one door to items: every path (page, search,
autocomplete, link preview in a post, API, notifications) goes through visible_items()."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from repository.models import Item
from rse.accounts.roles import is_administrator


def visible_items(user):
    """Items `user` may see: company-wide ones, and restricted ones shared with one of their groups."""
    qs = Item.objects.alive()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_administrator(user):
        return qs
    restrictions = Item.restricted_to.through.objects.filter(item_id=OuterRef("pk"))
    return qs.filter(~Exists(restrictions) | Exists(restrictions.filter(group__user=user)))


def can_see_item(user, item) -> bool:
    return visible_items(user).filter(pk=item.pk).exists()


def access_item_by_slug(user, slug) -> Item:
    """The item, or 404 when it does not exist *or* the user may not see it (no leak)."""
    return get_object_or_404(visible_items(user).select_related("item_type"), slug=slug)


def access_item_by_id(user, item_id) -> Item:
    return get_object_or_404(visible_items(user).select_related("item_type"), pk=item_id)


def visible_item_q(user, prefix="") -> Q:
    """The same rule as a Q on a relation (e.g. prefix='items__'), for joins from other apps."""
    return Q(**{f"{prefix}pk__in": visible_items(user).values("pk")})
