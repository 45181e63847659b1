"""Reads for the animators' tools, and the one door to a community's Animate space."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from animation.permissions import can_animate
from communities.permissions import can_see_community
from communities.selectors import access_community_by_slug


def access_animated_community(user, slug):
    """The community whose Animate space `user` opens: 404 for those who may not know it
    exists (access_community_by_slug), 403 for its readers who are not its animators."""
    community = access_community_by_slug(user, slug)
    if not can_animate(user, community):
        raise PermissionDenied(_("Only the community's animators and owners, and administrators, animate it."))
    return community


__all__ = ["access_animated_community", "can_see_community", "overview"]


def overview(community) -> dict:
    """What the Animate overview shows of the seeding and feeding tools (a few counts)."""
    from animation.feeding.models import Prompt, Pulse
    from animation.seeding.models import Champion, ScheduledPost

    return {
        "scheduled_count": ScheduledPost.objects.filter(community=community, status="scheduled").count(),
        "prompts_count": Prompt.objects.filter(community=community, status=Prompt.Status.QUEUED).count(),
        "pulses_open": Pulse.objects.filter(community=community, status=Pulse.Status.OPEN).count(),
        "champions_count": Champion.objects.filter(community=community).count(),
    }
