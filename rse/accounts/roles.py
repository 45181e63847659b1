"""Roles are Django groups, created by a data migration. One place to ask "may this person…"."""

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Exists, OuterRef
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
    """The user's roles (the names of their groups), cached on the instance for the request; the
    signed-in user comes with them (with_role_flags, set_roles_from_flags: no query of its own)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_rse_roles", None)
    if cached is None:
        _set_roles(user, _group_names(user_id=user.pk))
        cached = user._rse_roles
    return cached


def _set_roles(user, names):
    names = set(names)
    if user.is_superuser:
        names.add(Role.ADMINISTRATOR.value)
    user._rse_roles = names


def with_role_flags(users):
    """A queryset of users, each with one flag per Role (an EXISTS on their groups): the
    session's user is loaded so on every request, and a page that asks has_role() then runs no
    query (only Role names matter to has_role; other groups are not roles)."""
    return users.annotate(
        **{
            f"_role_flag_{i}": Exists(Group.objects.filter(user=OuterRef("pk"), name=role.value))
            for i, role in enumerate(Role)
        }
    )


def set_roles_from_flags(user):
    _set_roles(user, [role.value for i, role in enumerate(Role) if user.__dict__.pop(f"_role_flag_{i}", False)])
    return user


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
