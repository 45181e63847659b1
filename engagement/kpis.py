"""The catalogue of KPIs an objective is set against, each computed in SQL for a list of periods
at once (one query per KPI, a count per period), for one community or for the whole company.
People who opted out are not counted."""

import statistics
from datetime import timedelta

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from animation.feeding.selectors import nps_by_period
from communities.models import Comment, Membership, Post, Reaction
from engagement import privacy


class Kpi(models.TextChoices):
    ACTIVE_MEMBERS = "active_members", _("Active members")
    CONTRIBUTORS = "contributors", _("Contributors")
    ANSWERED_24H = "answered_24h", _("Questions answered within 24 h (%)")
    MEDIAN_FIRST_ANSWER = "median_first_answer_hours", _("Median time to first answer (hours)")
    ITEM_CONVERSATIONS = "item_conversations", _("Conversations that reference a business item")
    ACK_RATE = "ack_rate", _("Acknowledgement rate of announcements (%)")
    PULSE_NPS = "pulse_nps", _("Pulse NPS")


LOWER_IS_BETTER = {Kpi.MEDIAN_FIRST_ANSWER}
UNITS = {Kpi.ANSWERED_24H: " %", Kpi.ACK_RATE: " %", Kpi.MEDIAN_FIRST_ANSWER: " h"}


def _inside(span, field="created_at"):
    return Q(**{f"{field}__gte": span.start, f"{field}__lt": span.end})


def _people(community):
    """(queryset of rows, the field naming the person): the population, or the community's members.
    The field is named, not annotated: an aggregate() refers to annotations by alias, which an
    EXISTS subquery cannot see."""
    population = privacy.population()
    if community is None:
        return population, "pk"
    members = Membership.objects.filter(
        community=community, status=Membership.Status.ACTIVE, user__in=population.values("pk")
    )
    return members, "user_id"


def _acted(model, span, community, person_field):
    person = "user" if model is Reaction else "author"
    qs = model.objects.filter(_inside(span), **{person: OuterRef(person_field)})
    if model is not Reaction:
        qs = qs.filter(deleted_at__isnull=True)
    if community is not None:
        if model is Post:
            qs = qs.filter(community=community)
        elif model is Comment:
            qs = qs.filter(post__community=community)
        else:
            qs = qs.filter(Q(post__community=community) | Q(comment__post__community=community))
    return Exists(qs)


def _posts(community):
    qs = Post.objects.filter(deleted_at__isnull=True, author__in=privacy.population().values("pk"))
    return qs if community is None else qs.filter(community=community)


def _first_answer():
    return Subquery(
        Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True)
        .exclude(author=OuterRef("author"))
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def series(kpi: str, spans, community=None) -> list:
    """The KPI's value in each period (None where there is nothing to measure)."""
    if not spans:
        return []
    if kpi in (Kpi.ACTIVE_MEMBERS, Kpi.CONTRIBUTORS):
        people, field = _people(community)
        aggregates = {}
        for i, span in enumerate(spans):
            did = Q(_acted(Post, span, community, field)) | Q(_acted(Comment, span, community, field))
            if kpi == Kpi.ACTIVE_MEMBERS:
                did |= Q(_acted(Reaction, span, community, field))
            aggregates[f"s{i}"] = Count(field, distinct=True, filter=did)
        agg = people.aggregate(**aggregates)
        return [agg[f"s{i}"] for i in range(len(spans))]
    if kpi == Kpi.ANSWERED_24H:
        questions = _posts(community).filter(kind=Post.Kind.QUESTION).annotate(first=_first_answer())
        fast = Q(first__lt=F("created_at") + timedelta(hours=24))
        aggregates = {}
        for i, span in enumerate(spans):
            aggregates[f"t{i}"] = Count("pk", filter=_inside(span))
            aggregates[f"a{i}"] = Count("pk", filter=_inside(span) & fast)
        agg = questions.aggregate(**aggregates)
        return [_percent(agg[f"a{i}"], agg[f"t{i}"]) for i in range(len(spans))]
    if kpi == Kpi.MEDIAN_FIRST_ANSWER:
        waits = [[] for _span in spans]
        rows = (
            _posts(community)
            .filter(kind=Post.Kind.QUESTION, created_at__gte=spans[0].start, created_at__lt=spans[-1].end)
            .annotate(first=_first_answer())
            .filter(first__isnull=False)
            .values_list("created_at", "first")
        )
        for asked, answered in rows:
            for i, span in enumerate(spans):
                if span.start <= asked < span.end:
                    waits[i].append((answered - asked).total_seconds() / 3600)
        return [round(statistics.median(w), 1) if w else None for w in waits]
    if kpi == Kpi.ITEM_CONVERSATIONS:
        agg = (
            _posts(community)
            .filter(items__isnull=False)
            .aggregate(**{f"s{i}": Count("pk", distinct=True, filter=_inside(s)) for i, s in enumerate(spans)})
        )
        return [agg[f"s{i}"] for i in range(len(spans))]
    if kpi == Kpi.ACK_RATE:
        aggregates = {}
        for i, span in enumerate(spans):
            aggregates[f"a{i}"] = Sum("acks_count", filter=_inside(span))
            aggregates[f"e{i}"] = Sum("community__members_count", filter=_inside(span))
        agg = _posts(community).filter(requires_ack=True).aggregate(**aggregates)
        return [_percent(agg[f"a{i}"] or 0, agg[f"e{i}"] or 0) for i in range(len(spans))]
    if kpi == Kpi.PULSE_NPS:
        return [entry["nps"] for entry in nps_by_period(spans, community)]
    raise ValueError(kpi)


def value(kpi, span, community=None):
    return series(kpi, [span], community)[0]


def reached(kpi, current, target) -> bool | None:
    if current is None:
        return None
    return current <= target if kpi in LOWER_IS_BETTER else current >= target
