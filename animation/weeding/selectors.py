"""Weeding reads: the moderation queues (a community's, and the global one for administrators),
the audit log, and the one door to a moderation case."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from animation.permissions import can_animate
from animation.weeding.models import AuditEntry, Flag, ModerationCase
from communities.permissions import can_read_community
from rse.accounts.roles import is_administrator


def _with_queue_related(qs):
    return qs.select_related(
        "community", "post__author", "post__community", "comment__author", "decided_by", "rule"
    ).prefetch_related(Prefetch("flags", queryset=Flag.objects.select_related("reporter")))


def list_queue(community, *, status=ModerationCase.Status.PENDING):
    return _with_queue_related(ModerationCase.objects.filter(community=community, status=status)).order_by(
        "-created_at", "-id"
    )


def list_global_queue(user, *, status=ModerationCase.Status.PENDING):
    """Every community's pending cases, for administrators only."""
    if not is_administrator(user):
        raise PermissionDenied(_("The global moderation queue is for administrators."))
    return _with_queue_related(
        ModerationCase.objects.filter(status=status, community__deleted_at__isnull=True)
    ).order_by("-created_at", "-id")


def pending_count(community) -> int:
    return ModerationCase.objects.filter(community=community, status=ModerationCase.Status.PENDING).count()


def access_case_by_id(user, pk) -> ModerationCase:
    """404 for whoever may not read the community, 403 for its readers who do not animate it."""
    case = get_object_or_404(_with_queue_related(ModerationCase.objects.all()), pk=pk)
    community = case.community
    if community.deleted_at or not (can_read_community(user, community) or is_administrator(user)):
        raise Http404
    if not can_animate(user, community):
        raise PermissionDenied(_("Only the community's animators and owners, and administrators, animate it."))
    return case


def list_audit(community):
    return AuditEntry.objects.filter(community=community).select_related("actor").order_by("-created_at", "-id")


def list_proposals(community, statuses=("pending", "objected")):
    from animation.weeding.models import ArchiveProposal

    return (
        ArchiveProposal.objects.filter(community=community, status__in=statuses)
        .select_related("post__author", "objected_by")
        .order_by("deadline", "pk")
    )


def access_proposal_by_id(user, pk):
    """404 for whoever may not read the community, 403 for readers who are neither its animators
    nor the proposal's owners (the author of the conversation, the community's owners)."""
    from animation.weeding.archiving import can_object
    from animation.weeding.models import ArchiveProposal

    proposal = get_object_or_404(ArchiveProposal.objects.select_related("community", "post"), pk=pk)
    community = proposal.community
    if community.deleted_at or not (can_read_community(user, community) or is_administrator(user)):
        raise Http404
    if not can_object(user, proposal):
        raise PermissionDenied(_("Only its owners and the animators can decide."))
    return proposal
