from django.db.models import Q
from django.shortcuts import get_object_or_404

from communities.models import Membership
from integrations.webhooks.models import Delivery, Endpoint
from rse.accounts.roles import is_administrator


def manageable_endpoints(user, community=None):
    """The endpoints `user` manages (administrators: all), optionally of one community."""
    qs = Endpoint.objects.select_related("community", "created_by")
    if community is not None:
        qs = qs.filter(community=community)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_administrator(user):
        return qs
    owned = Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, role=Membership.Role.OWNER, community__deleted_at__isnull=True
    ).values("community_id")
    return qs.filter(Q(community_id__in=owned))


def access_endpoint_by_id(user, endpoint_id) -> Endpoint:
    return get_object_or_404(manageable_endpoints(user), pk=endpoint_id)


def list_deliveries(endpoint):
    return Delivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log").order_by("-created_at", "-id")
