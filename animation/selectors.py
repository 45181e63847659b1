"""Reads for the animators' tools, and the one door to a community's Animate space."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from animation.permissions import can_animate
from communities.permissions import can_read_community, can_see_community
from communities.selectors import access_community_by_slug


def access_animated_community(user, slug):
    """The community whose Animate space `user` opens: 404 for those who may not know it
    exists (access_community_by_slug) or may not read it (outsiders of a private community),
    403 for its readers who are not its animators."""
    community = access_community_by_slug(user, slug)
    if can_animate(user, community):
        return community
    if not can_read_community(user, community):  # an outsider of a private community: it stays closed
        raise Http404
    raise PermissionDenied(_("Only the community's animators and owners, and administrators, animate it."))


__all__ = ["access_animated_community", "can_see_community", "overview"]


def overview(community) -> dict:
    """What the Animate overview shows of the seeding and feeding tools (a few counts)."""
    from animation.feeding.models import Prompt, Pulse
    from animation.seeding.models import Champion, ScheduledPost
    from animation.weeding.models import ArchiveProposal
    from animation.weeding.selectors import pending_count

    return {
        "scheduled_count": ScheduledPost.objects.filter(community=community, status="scheduled").count(),
        "prompts_count": Prompt.objects.filter(community=community, status=Prompt.Status.QUEUED).count(),
        "pulses_open": Pulse.objects.filter(community=community, status=Pulse.Status.OPEN).count(),
        "champions_count": Champion.objects.filter(community=community).count(),
        "pending_cases": pending_count(community),
        "archive_proposals": ArchiveProposal.objects.filter(community=community, status="pending").count(),
    }
