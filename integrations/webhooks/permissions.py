"""Who manages which webhook endpoints, and which events an endpoint may hear of."""

from communities.models import Membership
from rse.accounts.roles import is_administrator


def is_community_owner(user, community_id) -> bool:
    if not getattr(user, "is_authenticated", False) or community_id is None:
        return False
    return Membership.objects.filter(
        community_id=community_id, user=user, status=Membership.Status.ACTIVE, role=Membership.Role.OWNER
    ).exists()


def can_manage_webhooks(user, community=None) -> bool:
    """Administrators manage every endpoint; an active owner those of their community."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_administrator(user):
        return True
    return community is not None and not community.deleted_at and is_community_owner(user, community.pk)


def may_receive(endpoint, community_id) -> bool:
    """An endpoint hears of a community's events only while the person who registered it is an
    administrator, or an owner of that community: a private community's posts never reach an
    endpoint whose owner lost that right (checked at each event, not only at registration)."""
    if endpoint.community_id is not None and endpoint.community_id != community_id:
        return False
    creator = endpoint.created_by
    if not creator.is_active:
        return False
    if is_administrator(creator):
        return True
    return community_id is not None and is_community_owner(creator, community_id)
