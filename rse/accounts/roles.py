"""Roles are Django groups, created by a data migration. One place to ask "may this person…"."""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from rse.lib.precompiled import precompiled


class Role(models.TextChoices):
    EMPLOYEE = "Employee", _("Employee")
    COMMUNITY_MANAGER = "Community manager", _("Community manager")
    INTERNAL_COMMS = "Internal communications", _("Internal communications")
    HR_ANALYST = "HR analyst", _("HR analyst")
    STAFF_REPRESENTATIVE = "Staff representative", _("Staff representative")  # works council (CSE, Betriebsrat)
    ADMINISTRATOR = "Administrator", _("Administrator")


def role_names(user) -> set[str]:
    """The user's roles, cached on the instance for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_rse_roles", None)
    if cached is None:
        cached = set(_group_names(user_id=user.pk))
        if user.is_superuser:
            cached.add(Role.ADMINISTRATOR.value)
        user._rse_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    names = role_names(user)
    return any(role.value in names for role in roles)


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.ADMINISTRATOR)


@precompiled()
def _group_names(*, user_id):
    """user.groups.values_list("name", flat=True), compiled once (pages that show the write
    buttons ask for the viewer's roles on every request)."""
    return Group.objects.filter(user__id=user_id).values_list("name", flat=True)
