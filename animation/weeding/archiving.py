"""Stale content: conversations and communities without activity for N days (the community's
setting) are proposed for archiving; their owners are warned and may object for 7 days; then the
beat task archives them. An archived community is read-only, out of listings and suggestions,
still searchable, and can be restored; an archived conversation is locked (read-only).

Idempotent: one proposal per item and period of inactivity (unique constraints), decisions taken
under a row lock on the proposal, so the detection and archiving tasks run twice act once.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from animation.permissions import can_animate, check_animate
from animation.weeding.models import ArchiveProposal, WeedingSettings
from animation.weeding.services import do_audit
from communities.models import Community, Membership, NotificationKind, Post
from communities.notify import notify_on_commit

OBJECTION_DAYS = 7
MAX_CONVERSATIONS_PER_RUN = 200  # per community and run: the next run takes the rest


def _owner_ids(proposal) -> list[int]:
    if proposal.post_id:
        return [proposal.post.author_id]
    return list(
        Membership.objects.filter(
            community_id=proposal.community_id, status=Membership.Status.ACTIVE, role=Membership.Role.OWNER
        ).values_list("user_id", flat=True)
    )


def can_object(user, proposal) -> bool:
    return can_animate(user, proposal.community) or user.pk in _owner_ids(proposal)


def _label(proposal) -> str:
    return str(proposal.post if proposal.post_id else proposal.community)[:200]


def propose_archive(community, post, last_activity_at, now) -> ArchiveProposal | None:
    try:
        with transaction.atomic():
            proposal = ArchiveProposal.objects.create(
                community=community, post=post, last_activity_at=last_activity_at, created_at=now,
                deadline=now + timedelta(days=OBJECTION_DAYS),
            )  # fmt: skip
    except IntegrityError:
        return None  # proposed already for this period of inactivity (a second run)
    notify_on_commit(
        NotificationKind.ARCHIVE_PROPOSAL, _owner_ids(proposal), actor_id=None, community_id=community.pk,
        post_id=post.pk if post else None, ref=proposal.pk,
    )  # fmt: skip
    do_audit(
        None, community, "archive_proposed", target_type="post" if post else "community",
        target_id=post.pk if post else community.pk, label=_label(proposal),
        reason=_("No activity since %(date)s.") % {"date": timezone.localtime(last_activity_at).strftime("%Y-%m-%d")},
    )  # fmt: skip
    return proposal


def stale_community_ids(now=None) -> list[int]:
    """Every live, not archived community: each checks its own delay (its setting)."""
    return list(Community.objects.alive().filter(archived_at__isnull=True).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def do_propose_stale(community_id, now=None) -> list[ArchiveProposal]:
    """Propose the community itself when it is stale, else its stale conversations."""
    now = now or timezone.now()
    community = Community.objects.alive().filter(pk=community_id, archived_at__isnull=True).first()
    if community is None:
        return []
    row = WeedingSettings.objects.filter(community=community).first()
    days = row.stale_after_days if row else WeedingSettings.DEFAULT_STALE_AFTER_DAYS
    cutoff = now - timedelta(days=days)
    # Activity came back: a pending proposal for an older period is cancelled.
    ArchiveProposal.objects.filter(community=community, status=ArchiveProposal.Status.PENDING).filter(
        Q(post__isnull=True, community__last_activity_at__gt=cutoff)
        | Q(post__isnull=False, post__last_activity_at__gt=cutoff)
        | Q(post__deleted_at__isnull=False)
    ).update(status=ArchiveProposal.Status.CANCELLED, decided_at=now)
    if community.last_activity_at < cutoff:
        if ArchiveProposal.objects.filter(
            community=community, post__isnull=True, last_activity_at=community.last_activity_at
        ).exists():
            return []
        made = propose_archive(community, None, community.last_activity_at, now)
        return [made] if made else []
    # Proposed already for this period of inactivity, whatever became of it (an objection holds
    # until the conversation lives again).
    already = ArchiveProposal.objects.filter(post=OuterRef("pk"), last_activity_at=OuterRef("last_activity_at"))
    stale = (
        Post.objects.alive()
        .filter(community=community, last_activity_at__lt=cutoff, locked_at__isnull=True, pinned_at__isnull=True)
        .exclude(Exists(already))
        .order_by("last_activity_at", "pk")[:MAX_CONVERSATIONS_PER_RUN]
    )
    made = [propose_archive(community, post, post.last_activity_at, now) for post in stale]
    return [p for p in made if p]


def _archive(proposal, actor, now, reason=""):
    if proposal.post_id:
        Post.objects.filter(pk=proposal.post_id, locked_at__isnull=True).update(locked_at=now)
    else:
        Community.objects.filter(pk=proposal.community_id, archived_at__isnull=True).update(archived_at=now)
    proposal.status, proposal.decided_at = ArchiveProposal.Status.ARCHIVED, now
    proposal.save(update_fields=["status", "decided_at"])
    do_audit(
        actor, proposal.community_id, "archived", target_type="post" if proposal.post_id else "community",
        target_id=proposal.post_id or proposal.community_id, label=_label(proposal), reason=reason,
    )  # fmt: skip


def due_proposal_ids(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        ArchiveProposal.objects.filter(status=ArchiveProposal.Status.PENDING, deadline__lte=now)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def do_archive_due(proposal_id, now=None) -> bool:
    """Archive a proposal whose 7 days passed without objection (the beat task)."""
    now = now or timezone.now()
    proposal = (
        ArchiveProposal.objects.select_for_update(of=("self",))
        .select_related("community", "post")
        .filter(pk=proposal_id, status=ArchiveProposal.Status.PENDING, deadline__lte=now)
        .first()
    )
    if proposal is None:
        return False
    _archive(proposal, None, now, _("No objection in %(n)d days.") % {"n": OBJECTION_DAYS})
    return True


def _locked(proposal) -> ArchiveProposal:
    return (
        ArchiveProposal.objects.select_for_update(of=("self",)).select_related("community", "post").get(pk=proposal.pk)
    )


@transaction.atomic
def do_archive_now(user, proposal) -> ArchiveProposal:
    """An animator does not wait for the 7 days."""
    proposal = _locked(proposal)
    check_animate(user, proposal.community)
    if proposal.status not in (ArchiveProposal.Status.PENDING, ArchiveProposal.Status.OBJECTED):
        raise ValidationError(_("This proposal is closed."))
    _archive(proposal, user, timezone.now())
    return proposal


@transaction.atomic
def do_object(user, proposal, *, objection="") -> ArchiveProposal:
    proposal = _locked(proposal)
    if not can_object(user, proposal):
        raise PermissionDenied(_("Only its owners and the animators can object."))
    if proposal.status != ArchiveProposal.Status.PENDING:
        raise ValidationError(_("This proposal is closed."))
    proposal.status, proposal.objected_by, proposal.objection = (
        ArchiveProposal.Status.OBJECTED, user, (objection or "").strip()[:500],
    )  # fmt: skip
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "objected_by", "objection", "decided_at"])
    do_audit(
        user, proposal.community_id, "archive_objected", target_type="post" if proposal.post_id else "community",
        target_id=proposal.post_id or proposal.community_id, label=_label(proposal), reason=proposal.objection,
    )  # fmt: skip
    return proposal


@transaction.atomic
def do_archive_conversation(user, post) -> None:
    check_animate(user, post.community)
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(locked_at=now)
    ArchiveProposal.objects.filter(post=post, status=ArchiveProposal.Status.PENDING).update(
        status=ArchiveProposal.Status.ARCHIVED, decided_at=now
    )
    do_audit(user, post.community, "archived", target_type="post", target_id=post.pk, label=str(post)[:200])


@transaction.atomic
def do_archive_community(user, community) -> None:
    check_animate(user, community)
    now = timezone.now()
    Community.objects.filter(pk=community.pk, archived_at__isnull=True).update(archived_at=now)
    ArchiveProposal.objects.filter(community=community, post__isnull=True, status="pending").update(
        status=ArchiveProposal.Status.ARCHIVED, decided_at=now
    )
    do_audit(user, community, "archived", target_type="community", target_id=community.pk, label=community.name)


@transaction.atomic
def do_restore(user, community, *, post=None) -> None:
    """Back to life: a community out of the archive (listed, writable), or a conversation unlocked.
    Its last activity becomes now, so it is not proposed again at once."""
    check_animate(user, community)
    now = timezone.now()
    if post is not None:
        Post.objects.filter(pk=post.pk).update(locked_at=None, last_activity_at=now)
        target, target_id, label = "post", post.pk, str(post)
    else:
        Community.objects.filter(pk=community.pk).update(archived_at=None, last_activity_at=now)
        target, target_id, label = "community", community.pk, community.name
    do_audit(user, community, "restored", target_type=target, target_id=target_id, label=label[:200])
