from django.contrib.auth.models import Group
from django.db import transaction

from rse.accounts.models import User
from rse.accounts.roles import Role


@transaction.atomic
def do_grant_role(user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role == Role.ADMINISTRATOR and not (user.is_staff and user.is_superuser):
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser", "updated_at"])
    user.__dict__.pop("_rse_roles", None)


@transaction.atomic
def do_revoke_role(user: User, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=role.value))
    if role == Role.ADMINISTRATOR:
        user.is_staff = False
        user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser", "updated_at"])
    user.__dict__.pop("_rse_roles", None)


def do_set_language(user: User, code: str) -> None:
    if user.language != code:
        user.language = code
        user.save(update_fields=["language", "updated_at"])
