"""Feeding reads: settings, the prompt list, quiet members, what a digest holds, pulse results
and NPS (read by engagement too)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from animation.feeding.matching import topics_of_user
from animation.feeding.models import FeedingSettings, Prompt, PromptSchedule, Pulse, PulseAnswer, PulseResponse
from animation.permissions import can_animate, can_answer_pulse
from communities.models import Comment, Community, Membership, Post
from communities.selectors import access_community_by_slug, visible_posts

MIN_PULSE_ANSWERS = 5  # below this, results are hidden: a handful of answers would name people
QUIET_AFTER_DAYS = 60


def feeding_settings(community) -> FeedingSettings:
    """The community's settings row, or the defaults (unsaved) when it has none."""
    return FeedingSettings.objects.filter(community=community).first() or FeedingSettings(community=community)


def prompt_schedule(community) -> PromptSchedule | None:
    return PromptSchedule.objects.filter(community=community).first()


def list_prompts(community):
    return Prompt.objects.filter(community=community).select_related("post")


def queued_prompts_count(community) -> int:
    return Prompt.objects.filter(community=community, status=Prompt.Status.QUEUED).count()


# --- Quiet members -------------------------------------------------------------------------


def quiet_members(community, *, days=QUIET_AFTER_DAYS, now=None):
    """Active members who joined more than `days` ago and wrote nothing here since: the people an
    animator may invite back, by hand."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    wrote = Post.objects.filter(community=community, author=OuterRef("user_id"), created_at__gte=since)
    commented = Comment.objects.filter(post__community=community, author=OuterRef("user_id"), created_at__gte=since)
    return (
        Membership.objects.filter(
            community=community, status=Membership.Status.ACTIVE, role=Membership.Role.MEMBER, created_at__lt=since,
            user__is_active=True,
        )
        .filter(~Exists(wrote), ~Exists(commented))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )  # fmt: skip


# --- What a digest holds -------------------------------------------------------------------


def _my_communities(user):
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("community_id")


def digest_highlights(user, since, until, limit=5):
    """The animators' selection in my communities over the period."""
    return list(
        visible_posts(user)
        .filter(community_id__in=_my_communities(user), highlighted_at__gte=since, highlighted_at__lt=until)
        .select_related("community")
        .order_by("-highlighted_at", "-id")[:limit]
    )


def digest_active_conversations(user, since, until, limit=5):
    """The conversations of my communities with the most comments written in the period."""
    counts = list(
        Comment.objects.alive()
        .filter(post__community_id__in=_my_communities(user), created_at__gte=since, created_at__lt=until)
        .values("post_id")
        .annotate(n=Count("id"))
        .order_by("-n", "-post_id")[: limit * 2]
    )
    by_id = {
        p.pk: p for p in visible_posts(user).filter(pk__in=[c["post_id"] for c in counts]).select_related("community")
    }
    result = []
    for row in counts:
        post = by_id.get(row["post_id"])
        if post is not None:
            post.period_comments = row["n"]
            result.append(post)
    return result[:limit]


def questions_i_could_answer(user, *, since=None, limit=5, now=None):
    """Open questions (no accepted answer) of the last 30 days in communities I may read, on a
    topic of my skills or of my accepted answers, or where my answers were accepted before."""
    now = now or timezone.now()
    slugs, communities = topics_of_user(user)
    if not slugs and not communities:
        return []
    match = Q(community_id__in=communities)
    if slugs:
        match |= Q(hashtags__slug__in=slugs) | Q(community__tags__slug__in=slugs)
    qs = (
        visible_posts(user)
        .filter(
            kind=Post.Kind.QUESTION, accepted_comment__isnull=True, created_at__gte=since or now - timedelta(days=30)
        )
        .exclude(author=user)
        .filter(match)
        .select_related("community")
        .distinct()
        .order_by("comments_count", "-created_at", "-id")
    )
    return list(qs[:limit])


# --- Pulses ----------------------------------------------------------------------------------


def list_pulses(community):
    return (
        Pulse.objects.filter(community=community)
        .annotate(responses_count=Count("responses"))
        .order_by("-created_at", "-id")
    )


def access_pulse_by_id(user, pulse_id, *, for_results=False) -> Pulse:
    """The pulse, for a member who may answer it, or for its community's animators (results).
    404 for those who may not know the community; 403 for readers who are neither."""
    pulse = get_object_or_404(Pulse.objects.select_related("community"), pk=pulse_id)
    community = access_community_by_slug(user, pulse.community.slug)
    if can_animate(user, community):
        return pulse
    if for_results or not can_answer_pulse(user, community):
        raise PermissionDenied(_("Pulses are answered by the members; their results are for the animators."))
    return pulse


def _nps(promoters, detractors, total):
    return round(100 * (promoters - detractors) / total) if total else None


def pulse_results(pulse) -> dict:
    """Number of answers, the 0–10 distribution, NPS, and the open answers; everything but the
    count hidden below MIN_PULSE_ANSWERS. One aggregate query, one for the open answers."""
    agg = PulseResponse.objects.filter(pulse=pulse).aggregate(
        total=Count("id"),
        promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6)),
        **{f"s{i}": Count("id", filter=Q(score=i)) for i in range(11)},
    )
    total = agg["total"]
    hidden = total < MIN_PULSE_ANSWERS
    result = {"responses": total, "hidden": hidden, "min_responses": MIN_PULSE_ANSWERS}
    if hidden:
        return {**result, "distribution": None, "nps": None, "promoters": None, "detractors": None, "answers": None}
    answers = {}
    for question_id, text in (
        PulseAnswer.objects.filter(response__pulse=pulse)
        .order_by("question_id", "id")
        .values_list("question_id", "text")
    ):
        answers.setdefault(question_id, []).append(text)
    return {
        **result,
        "distribution": [agg[f"s{i}"] for i in range(11)],
        "promoters": agg["promoters"],
        "detractors": agg["detractors"],
        "passives": total - agg["promoters"] - agg["detractors"],
        "nps": _nps(agg["promoters"], agg["detractors"], total),
        "answers": [{"question": q.text, "id": q.pk, "texts": answers.get(q.pk, [])} for q in pulse.questions.all()],
    }


def nps_for(community: Community, since, until) -> dict:
    """NPS of a community over [since, until), from every pulse answer given then, computed in
    SQL (engagement draws NPS over time from this). `nps` is None below MIN_PULSE_ANSWERS."""
    agg = PulseResponse.objects.filter(
        pulse__community=community, created_at__gte=since, created_at__lt=until
    ).aggregate(
        total=Count("id"),
        promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6)),
    )
    total = agg["total"]
    return {
        "responses": total,
        "promoters": agg["promoters"],
        "detractors": agg["detractors"],
        "passives": total - agg["promoters"] - agg["detractors"],
        "nps": _nps(agg["promoters"], agg["detractors"], total) if total >= MIN_PULSE_ANSWERS else None,
    }


def open_pulses_for(user, community):
    """Open pulses of the community that `user` has not answered yet (the community page's card)."""
    answered = PulseResponse.objects.filter(pulse=OuterRef("pk"), user=user)
    return Pulse.objects.filter(community=community, status=Pulse.Status.OPEN).filter(~Exists(answered))


def nps_by_period(spans, community=None) -> list[dict]:
    """NPS per period (`spans`: objects with .start and .end), for one community or, with None,
    for the whole company: one query with a count per period (engagement's charts and
    objectives read it). Each entry as nps_for's: `nps` None below MIN_PULSE_ANSWERS."""
    qs = PulseResponse.objects.all()
    if community is not None:
        qs = qs.filter(pulse__community=community)
    aggregates = {}
    for i, span in enumerate(spans):
        inside = Q(created_at__gte=span.start, created_at__lt=span.end)
        aggregates[f"t{i}"] = Count("id", filter=inside)
        aggregates[f"p{i}"] = Count("id", filter=inside & Q(score__gte=9))
        aggregates[f"d{i}"] = Count("id", filter=inside & Q(score__lte=6))
    agg = qs.aggregate(**aggregates) if aggregates else {}
    out = []
    for i in range(len(spans)):
        total, promoters, detractors = agg[f"t{i}"], agg[f"p{i}"], agg[f"d{i}"]
        shown = total >= MIN_PULSE_ANSWERS
        out.append({
            "responses": total,
            "nps": _nps(promoters, detractors, total) if shown else None,
            "promoters": promoters if shown else None,
            "detractors": detractors if shown else None,
        })  # fmt: skip
    return out
