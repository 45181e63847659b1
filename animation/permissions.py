"""Who may use the animators' tools: the community's animators and owners, and administrators."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from communities import permissions as community_perms
from rse.accounts.roles import is_administrator

_UNSET = community_perms._UNSET


def can_animate(user, community, membership=_UNSET) -> bool:
    if not getattr(user, "is_authenticated", False) or community.deleted_at:
        return False
    return is_administrator(user) or community_perms.can_moderate(user, community, membership)


def check_animate(user, community, membership=_UNSET) -> None:
    """For services: the same rule as can_animate, as a refusal with a reason."""
    if not can_animate(user, community, membership):
        raise PermissionDenied(_("Only the community's animators and owners, and administrators, animate it."))


def can_manage_templates(user) -> bool:
    """Saving a community as a template is for administrators (templates are offered to all)."""
    return getattr(user, "is_authenticated", False) and is_administrator(user)


def can_answer_pulse(user, community, membership=_UNSET) -> bool:
    """A pulse asks the members: active members answer, readers of an open community do not."""
    return community_perms.is_active_member(user, community, membership) and not community.deleted_at


def can_read_launch_post(user, community, is_champion: bool, membership=_UNSET) -> bool:
    return can_animate(user, community, membership) or (
        is_champion and community_perms.is_active_member(user, community, membership)
    )
