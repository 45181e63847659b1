"""Who may use the animators' tools: the community's animators and owners, and administrators."""

from communities import permissions as community_perms
from rse.accounts.roles import is_administrator

_UNSET = community_perms._UNSET


def can_animate(user, community, membership=_UNSET) -> bool:
    if not getattr(user, "is_authenticated", False) or community.deleted_at:
        return False
    return is_administrator(user) or community_perms.can_moderate(user, community, membership)
