"""Duplicate communities, for administrators: near-identical names or mostly the same members,
and the merge that moves the posts and members of one into the other and leaves its old address
leading to the one kept (Community.merged_into)."""

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from animation.weeding.models import ArchiveProposal, ModerationCase
from animation.weeding.services import do_audit
from communities.models import Community, Membership, Post
from rse.accounts.roles import is_administrator

NAME_SIMILARITY = 0.85
SHARED_MEMBERS = 0.8  # of the smaller community's members
MIN_SHARED = 3
STOP_WORDS = {"the", "and", "of", "le", "la", "les", "de", "des", "du", "et", "community", "communaute"}


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return " ".join(w for w in words if w not in STOP_WORDS)


@dataclass
class DuplicatePair:
    a: Community
    b: Community
    reasons: list


def _member_overlaps() -> dict:
    """(smaller id, larger id) → shared active members, in one GROUP BY over a self-join."""
    m = Membership._meta.db_table
    c = Community._meta.db_table
    sql = f"""
        SELECT a.community_id, b.community_id, COUNT(*)
        FROM {m} a JOIN {m} b ON a.user_id = b.user_id AND a.community_id < b.community_id
        JOIN {c} ca ON ca.id = a.community_id JOIN {c} cb ON cb.id = b.community_id
        WHERE a.status = %s AND b.status = %s AND ca.deleted_at IS NULL AND cb.deleted_at IS NULL
        GROUP BY a.community_id, b.community_id
        HAVING COUNT(*) >= %s
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [Membership.Status.ACTIVE, Membership.Status.ACTIVE, MIN_SHARED])
        return {(a, b): n for a, b, n in cursor.fetchall()}


def find_duplicates(user) -> list[DuplicatePair]:
    if not is_administrator(user):
        raise PermissionDenied(_("Duplicates are for administrators."))
    communities = {c.pk: c for c in Community.objects.alive().order_by("pk")}
    pairs: dict[tuple, list] = {}
    by_prefix: dict[str, list] = {}
    for community in communities.values():
        key = normalise(community.name)
        community.norm = key
        by_prefix.setdefault(key[:3], []).append(community)
    for group in by_prefix.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                ratio = SequenceMatcher(None, a.norm, b.norm).ratio()
                if a.norm == b.norm or ratio >= NAME_SIMILARITY:
                    pairs.setdefault((min(a.pk, b.pk), max(a.pk, b.pk)), []).append(_("Near-identical names"))
    for (a_id, b_id), shared in _member_overlaps().items():
        a, b = communities.get(a_id), communities.get(b_id)
        if a is None or b is None:
            continue
        smaller = max(1, min(a.members_count, b.members_count))
        if shared >= SHARED_MEMBERS * smaller:
            pairs.setdefault((a_id, b_id), []).append(
                _("%(shared)d members in common (%(share)d %% of the smaller)")
                % {"shared": shared, "share": min(100, round(100 * shared / smaller))}
            )
    return [DuplicatePair(communities[a], communities[b], reasons) for (a, b), reasons in sorted(pairs.items())]


@transaction.atomic
def do_merge_communities(user, source, target) -> Community:
    """Everything of `source` moves into `target`: posts (with their comments), members (the
    higher role kept), pending moderation and archive proposals. `source` is then soft-deleted,
    its old address leading to `target`."""
    if not is_administrator(user):
        raise PermissionDenied(_("Merging communities is for administrators."))
    source = Community.objects.select_for_update().get(pk=source.pk)
    target = Community.objects.select_for_update().get(pk=target.pk)
    if source.pk == target.pk or source.deleted_at or target.deleted_at:
        raise ValidationError(_("Choose two different live communities."))
    now = timezone.now()
    moved_posts = Post.objects.filter(community=source).update(community=target)
    ModerationCase.objects.filter(community=source).update(community=target)
    ArchiveProposal.objects.filter(community=source, post__isnull=False).update(community=target)
    ArchiveProposal.objects.filter(community=source, status="pending").update(status="cancelled", decided_at=now)
    in_target = {m.user_id: m for m in Membership.objects.filter(community=target)}
    rank = {Membership.Role.MEMBER: 0, Membership.Role.ANIMATOR: 1, Membership.Role.OWNER: 2}
    for m in Membership.objects.filter(community=source).select_for_update():
        kept = in_target.get(m.user_id)
        if kept is None:
            m.community = target
            m.save(update_fields=["community", "updated_at"])
            continue
        if m.status == Membership.Status.ACTIVE and (
            kept.status != Membership.Status.ACTIVE or rank[m.role] > rank[kept.role]
        ):
            kept.status = Membership.Status.ACTIVE
            kept.role = m.role if rank[m.role] > rank[kept.role] else kept.role
            kept.save(update_fields=["status", "role", "updated_at"])
        m.delete()
    target.tags.add(*source.tags.all())
    counts = Community.objects.filter(pk=target.pk).aggregate(
        members=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True),
    )
    posts = Post.objects.alive().filter(community=target).aggregate(n=Count("pk"), last=Max("last_activity_at"))
    Community.objects.filter(pk=target.pk).update(
        members_count=counts["members"], posts_count=posts["n"],
        last_activity_at=max(filter(None, [posts["last"], target.last_activity_at, source.last_activity_at])),
    )  # fmt: skip
    Community.objects.filter(pk=source.pk).update(deleted_at=now, merged_into=target, members_count=0, posts_count=0)
    reason = _("%(source)s merged into %(target)s (%(posts)d posts moved).") % {
        "source": source.name, "target": target.name, "posts": moved_posts,
    }  # fmt: skip
    for community in (source, target):
        do_audit(user, community, "merged", target_type="community", target_id=source.pk, label=source.name,
                 reason=reason)  # fmt: skip
    return target
