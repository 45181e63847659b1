"""Who may do what in the directory. Views, API, selectors and tasks all ask here."""

from directory.models import ImportJob
from rse.accounts.roles import Role, has_role, is_administrator


def is_colleague(user) -> bool:
    """Logged-in, active people are colleagues: they see each other's public profile."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_see_mobile(viewer, profile) -> bool:
    """The one rule for the mobile phone: the owner always, colleagues if the owner allows it."""
    if not is_colleague(viewer):
        return False
    if viewer.pk == profile.user_id:
        return True
    return profile.phone_mobile_visibility == profile.Visibility.COLLEAGUES


def can_provision_hr(user) -> bool:
    return is_colleague(user) and (is_administrator(user) or has_role(user, Role.HR_ANALYST))


def can_anonymise(user) -> bool:
    return is_colleague(user) and is_administrator(user)


def can_endorse(user, user_skill) -> bool:
    return is_colleague(user) and user.pk != user_skill.user_id


def can_follow(user, target) -> bool:
    return is_colleague(user) and target.pk != user.pk and target.is_active


def can_manage_import(user, job) -> bool:
    if job.owner_id != user.pk:
        return False
    if job.kind == ImportJob.Kind.HR:
        return can_provision_hr(user)
    return is_colleague(user)
