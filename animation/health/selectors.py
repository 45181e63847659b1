"""A community's health, in a handful of SQL aggregates (no loop over members or posts in Python):
members and active members, contributors vs readers (90-9-1), posts and comments per week, the
share of questions answered and the median time to a first answer, the last pulse's NPS, pending
flags, and the suggested next actions computed from these figures."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Comment, Membership, Post, Reaction

WEEKS = 12
ACTIVE_DAYS = 30
CONTRIBUTION_DAYS = 90
HEAVY_CONTRIBUTIONS = 10  # in 90 days: the "1" of 90-9-1
UNANSWERED_HOURS = 48
QUIET_COMMUNITY_DAYS = 14
MIN_PULSE_ANSWERS = 5


def member_figures(community, now) -> dict:
    """One query: members, active over 30 days (wrote or reacted), and the 90-9-1 split of the
    contributions over 90 days. Each side is grouped once and joined to the memberships by hash
    (a correlated subquery per member cost a second at 10,000 members on PostgreSQL)."""
    since_active = now - timedelta(days=ACTIVE_DAYS)
    since_contrib = now - timedelta(days=CONTRIBUTION_DAYS)
    m, p, c, r = (model._meta.db_table for model in (Membership, Post, Comment, Reaction))
    sql = f"""
        WITH contrib AS (
            SELECT uid, COUNT(*) AS n, MAX(at) AS last_at FROM (
                SELECT author_id AS uid, created_at AS at FROM {p}
                WHERE community_id = %(community)s AND deleted_at IS NULL AND created_at >= %(since)s
                UNION ALL
                SELECT cm.author_id, cm.created_at FROM {c} cm JOIN {p} cp ON cp.id = cm.post_id
                WHERE cp.community_id = %(community)s AND cm.deleted_at IS NULL AND cm.created_at >= %(since)s
            ) x GROUP BY uid
        ), reacted AS (
            SELECT DISTINCT re.user_id AS uid FROM {r} re
            LEFT JOIN {p} rp ON rp.id = re.post_id
            LEFT JOIN {c} rc ON rc.id = re.comment_id LEFT JOIN {p} rcp ON rcp.id = rc.post_id
            WHERE re.created_at >= %(active)s AND (rp.community_id = %(community)s OR rcp.community_id = %(community)s)
        )
        SELECT COUNT(*),
            SUM(CASE WHEN contrib.last_at >= %(active)s OR reacted.uid IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN COALESCE(contrib.n, 0) >= %(heavy)s THEN 1 ELSE 0 END),
            SUM(CASE WHEN COALESCE(contrib.n, 0) BETWEEN 1 AND %(heavy)s - 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN contrib.n IS NULL THEN 1 ELSE 0 END)
        FROM {m} mb LEFT JOIN contrib ON contrib.uid = mb.user_id LEFT JOIN reacted ON reacted.uid = mb.user_id
        WHERE mb.community_id = %(community)s AND mb.status = %(status)s
    """  # noqa: S608 - table names from the models, every value a parameter
    params = {
        "community": community.pk, "since": since_contrib, "active": since_active, "heavy": HEAVY_CONTRIBUTIONS,
        "status": Membership.Status.ACTIVE,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    keys = ("members", "active", "heavy", "occasional", "readers")
    return {key: int(value or 0) for key, value in zip(keys, row, strict=True)}


def _week_starts(now):
    start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return [start - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]


def _per_week(qs, weeks, **extra):
    """One aggregate query: a filtered count per week (no GROUP BY on a date function, which
    differs between SQLite and PostgreSQL time zones), plus any `extra` aggregates."""
    bounds = [*weeks[1:], None]
    columns = {
        f"w{i}": Count("pk", filter=Q(created_at__gte=start) & (Q(created_at__lt=end) if end else Q()))
        for i, (start, end) in enumerate(zip(weeks, bounds, strict=True))
    }
    row = qs.aggregate(**columns, **extra)
    return [row.pop(f"w{i}") for i in range(len(weeks))], row


def post_figures(community, now, weeks) -> dict:
    """One query over the community's posts: per week, plus the questions of the last 90 days."""
    since = now - timedelta(days=CONTRIBUTION_DAYS)
    question = Q(kind=Post.Kind.QUESTION, created_at__gte=since)
    answered = Q(accepted_comment__isnull=False) | Q(comments_count__gt=0)
    per_week, row = _per_week(
        Post.objects.alive().filter(community=community),
        weeks,
        last_post_at=Max("created_at"),
        questions=Count("pk", filter=question),
        answered=Count("pk", filter=question & answered),
        unanswered_48h=Count(
            "pk",
            filter=Q(kind=Post.Kind.QUESTION, accepted_comment__isnull=True, comments_count=0)
            & Q(created_at__lt=now - timedelta(hours=UNANSWERED_HOURS), created_at__gte=since),
        ),
    )
    return {"posts_per_week": per_week, **row}


def comment_figures(community, weeks) -> list[int]:
    per_week, _row = _per_week(Comment.objects.alive().filter(post__community=community), weeks)
    return per_week


def median_first_answer(community, now, questions_answered) -> timedelta | None:
    """The median delay between a question and its first answer (last 90 days). SQL sorts the
    delays; only the one or two middle rows come back."""
    if not questions_answered:
        return None
    first = Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True).exclude(author=OuterRef("author"))
    qs = (
        Post.objects.alive()
        .filter(community=community, kind=Post.Kind.QUESTION, created_at__gte=now - timedelta(days=CONTRIBUTION_DAYS))
        .annotate(first_at=Subquery(first.order_by().values("post").annotate(m=Min("created_at")).values("m")[:1]))
        .filter(first_at__isnull=False)
        .annotate(delay=ExpressionWrapper(F("first_at") - F("created_at"), output_field=DurationField()))
        .order_by("delay", "pk")
    )
    n = questions_answered
    middle = list(qs.values_list("delay", flat=True)[(n - 1) // 2 : n // 2 + 1])
    if not middle:
        return None
    return sum(middle, timedelta()) / len(middle)


def last_pulse(community) -> dict | None:
    from animation.feeding.models import Pulse

    pulse = (
        Pulse.objects.filter(community=community)
        .annotate(
            total=Count("responses"),
            promoters=Count("responses", filter=Q(responses__score__gte=9)),
            detractors=Count("responses", filter=Q(responses__score__lte=6)),
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if pulse is None:
        return None
    hidden = pulse.total < MIN_PULSE_ANSWERS
    nps = None if hidden else round(100 * (pulse.promoters - pulse.detractors) / pulse.total)
    return {"id": pulse.pk, "created_at": pulse.created_at, "responses": pulse.total, "hidden": hidden, "nps": nps}


@dataclass
class Suggestion:
    key: str
    text: str
    url: str


def suggestions(community, figures, now) -> list[Suggestion]:
    """The next actions, from the figures already computed (no query), each a link to its tool."""
    slug = community.slug
    out = []
    if figures["pending_flags"]:
        n = figures["pending_flags"]
        out.append(Suggestion(
            "flags", ngettext("%(n)d flag pending — review it", "%(n)d flags pending — review them", n) % {"n": n},
            reverse("animation:moderation", args=[slug]),
        ))  # fmt: skip
    if figures["unanswered_48h"]:
        n = figures["unanswered_48h"]
        out.append(Suggestion(
            "unanswered",
            ngettext(
                "%(n)d question unanswered for 48 h — nudge experts",
                "%(n)d questions unanswered for 48 h — nudge experts", n,
            ) % {"n": n},
            reverse("animation:feeding_settings", args=[slug]),
        ))  # fmt: skip
    last = figures["last_post_at"]
    if last is None or last < now - timedelta(days=QUIET_COMMUNITY_DAYS):
        days = (now - last).days if last else None
        text = (
            _("No post for %(n)d days — schedule a prompt") % {"n": days}
            if days is not None
            else _("No post yet — schedule a prompt")
        )
        out.append(Suggestion("quiet", text, reverse("animation:prompts", args=[slug])))
    if figures["archive_proposals"]:
        n = figures["archive_proposals"]
        out.append(Suggestion(
            "archive",
            ngettext("%(n)d item proposed for archiving — review", "%(n)d items proposed for archiving — review", n) % {"n": n},
            reverse("animation:stale", args=[slug]),
        ))  # fmt: skip
    pulse = figures["pulse"]
    if pulse is None or pulse["created_at"] < now - timedelta(days=90):
        out.append(Suggestion(
            "pulse", _("No pulse for 3 months — ask the members"), reverse("animation:pulses", args=[slug])
        ))  # fmt: skip
    members = figures["members"]
    if members and figures["active"] * 4 < members:
        out.append(Suggestion(
            "quiet_members", _("Fewer than 1 member in 4 active this month — invite quiet members back"),
            reverse("animation:quiet", args=[slug]),
        ))  # fmt: skip
    return out


def community_health(community, now=None) -> dict:
    from animation.weeding.models import ArchiveProposal, ModerationCase

    now = now or timezone.now()
    weeks = _week_starts(now)
    figures = member_figures(community, now)
    posts = post_figures(community, now, weeks)
    figures.update(posts)
    figures["comments_per_week"] = comment_figures(community, weeks)
    figures["weeks"] = weeks
    figures["answered_share"] = round(100 * posts["answered"] / posts["questions"]) if posts["questions"] else None
    figures["median_first_answer"] = median_first_answer(community, now, posts["answered"])
    figures["pulse"] = last_pulse(community)
    pending = ModerationCase.objects.filter(community=community, status=ModerationCase.Status.PENDING)
    proposals = ArchiveProposal.objects.filter(community=community, status=ArchiveProposal.Status.PENDING)
    figures["pending_flags"] = pending.count()
    figures["archive_proposals"] = proposals.count()
    figures["suggestions"] = suggestions(community, figures, now)
    return figures
