"""can_<verb>(user, obj) predicates: the single place deciding who may do what in communities.

Selectors (visible_*), views, API, search, notifications and websocket consumers all use
these, so a secret community cannot leak through a forgotten path. `membership` may be
passed when the caller already loaded it (saves a query per call in lists).
"""

from communities.models import Community, Membership
from rse.accounts.roles import Role, has_role

_UNSET = object()
PUBLICLY_READABLE = (Community.Visibility.OPEN, Community.Visibility.RESTRICTED)
MODERATOR_ROLES = (Membership.Role.ANIMATOR, Membership.Role.OWNER)


def get_membership(user, community):
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(community=community, user=user).first()


def _m(user, community, membership):
    return get_membership(user, community) if membership is _UNSET else membership


def is_active_member(user, community, membership=_UNSET) -> bool:
    m = _m(user, community, membership)
    return m is not None and m.status == Membership.Status.ACTIVE


def can_see_community(user, community, membership=_UNSET) -> bool:
    """Listed to the user: everything but secret communities they are not in or invited to."""
    if not getattr(user, "is_authenticated", False) or community.deleted_at:
        return False
    if community.visibility != Community.Visibility.SECRET:
        return True
    m = _m(user, community, membership)
    return m is not None and m.status in (Membership.Status.ACTIVE, Membership.Status.INVITED)


def can_read_community(user, community, membership=_UNSET) -> bool:
    """May read the posts: open/restricted for every employee, private/secret for active members."""
    if not getattr(user, "is_authenticated", False) or community.deleted_at:
        return False
    if community.visibility in PUBLICLY_READABLE:
        return True
    return is_active_member(user, community, membership)


def can_post(user, community, membership=_UNSET) -> bool:
    return not community.archived_at and is_active_member(user, community, membership)


def can_moderate(user, community, membership=_UNSET) -> bool:
    """Animators and owners: approve, remove, pin, see tombstones, edit the community."""
    m = _m(user, community, membership)
    return m is not None and m.status == Membership.Status.ACTIVE and m.role in MODERATOR_ROLES


def can_announce(user, community, membership=_UNSET) -> bool:
    return can_moderate(user, community, membership) or (
        is_active_member(user, community, membership) and has_role(user, Role.INTERNAL_COMMS)
    )
