"""The catalogue of KPIs an objective is set against, each computed in SQL for a list of periods
at once (one query per KPI, a count per period), for one community or for the whole company.
People who opted out are not counted."""

import statistics
from datetime import timedelta

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from animation.feeding.selectors import nps_by_period
from communities.models import Comment, Membership, Post, Reaction
from engagement import privacy, rollup


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


class Scope:
    """Whose figures: the company (nothing given), the people of an org unit (and of the units
    under it) or of a site, or a community (its members, and what is written in it)."""

    def __init__(self, *, community=None, org_unit=None, site=None):
        self.community, self.org_unit, self.site = community, org_unit, site
        self._units = None

    @property
    def org_units(self) -> tuple | None:
        """The org unit and every unit under it (a division counts its departments' people)."""
        if self.org_unit is None:
            return None
        if self._units is None:
            from directory.selectors import unit_and_descendant_ids

            self._units = tuple(unit_and_descendant_ids(self.org_unit.pk))
        return self._units

    @classmethod
    def of(cls, scope):
        """A Scope, from a Scope, a Community or None (the company)."""
        return scope if isinstance(scope, Scope) else cls(community=scope)

    def _profile_filter(self, prefix) -> dict:
        if self.org_unit is not None:
            return {f"{prefix}profile__org_unit__in": self.org_units}
        if self.site is not None:
            return {f"{prefix}profile__site": self.site}
        return {}

    def people(self):
        """(queryset of rows, the field naming the person). The field is named, not annotated: an
        aggregate() refers to annotations by alias, which an EXISTS subquery cannot see."""
        population = privacy.population().filter(**self._profile_filter(""))
        if self.community is None:
            return population, "pk"
        members = Membership.objects.filter(
            community=self.community, status=Membership.Status.ACTIVE, user__in=population.values("pk")
        )
        return members, "user_id"

    def restrict(self, model, qs):
        """Content of the scope: written in the community, or by the org unit's or site's people."""
        if self.community is not None:
            if model is Post:
                return qs.filter(community=self.community)
            if model is Comment:
                return qs.filter(post__community=self.community)
            return qs.filter(Q(post__community=self.community) | Q(comment__post__community=self.community))
        return qs.filter(**self._profile_filter("user__" if model is Reaction else "author__"))


def content(model, scope):
    """Alive content of the scope by people of the population."""
    population = privacy.population().values("pk")
    if model is Reaction:
        qs = Reaction.objects.filter(user__in=population)
    else:
        qs = model.objects.filter(deleted_at__isnull=True, author__in=population)
    return scope.restrict(model, qs)


def _posts(scope):
    return content(Post, scope)


def _first_answer():
    return Subquery(
        Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True)
        .exclude(author=OuterRef("author"))
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def series(kpi: str, spans, scope=None) -> list:
    """The KPI's value in each period (None where there is nothing to measure). `scope`: a Scope,
    a community, or None for the company."""
    if not spans:
        return []
    scope = Scope.of(scope)
    community = scope.community
    if kpi == Kpi.ACTIVE_MEMBERS:
        return activity(spans, scope)["active_people"]
    if kpi == Kpi.CONTRIBUTORS:
        return activity(spans, scope)["contributors"]
    if kpi == Kpi.ANSWERED_24H:
        questions = _posts(scope).filter(kind=Post.Kind.QUESTION).annotate(first=_first_answer())
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
            _posts(scope)
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
            _posts(scope)
            .filter(items__isnull=False)
            .aggregate(**{f"s{i}": Count("pk", distinct=True, filter=_inside(s)) for i, s in enumerate(spans)})
        )
        return [agg[f"s{i}"] for i in range(len(spans))]
    if kpi == Kpi.ACK_RATE:
        aggregates = {}
        for i, span in enumerate(spans):
            aggregates[f"a{i}"] = Sum("acks_count", filter=_inside(span))
            aggregates[f"e{i}"] = Sum("community__members_count", filter=_inside(span))
        agg = _posts(scope).filter(requires_ack=True).aggregate(**aggregates)
        return [_percent(agg[f"a{i}"] or 0, agg[f"e{i}"] or 0) for i in range(len(spans))]
    if kpi == Kpi.PULSE_NPS:
        if scope.org_unit is not None or scope.site is not None:
            return [None] * len(spans)  # pulses ask communities, not org units or sites
        return [entry["nps"] for entry in nps_by_period(spans, community)]
    raise ValueError(kpi)


ACTIVITY = ("active_people", "contributors", "posts", "comments", "reactions")


def activity(spans, scope=None) -> dict:
    """Active people, contributors, posts, comments and reactions per period, in one query over the
    activity roll-up (engagement/rollup.py). In a community, its active members and what was
    written there."""
    scope = Scope.of(scope)
    people = rollup.People(org_units=scope.org_units, site=scope.site, community=scope.community)
    data = rollup.people_figures(spans, people)
    return {name: [data.get((i, None), {}).get(name, 0) for i in range(len(spans))] for name in ACTIVITY}


def reached(kpi, current, target) -> bool | None:
    if current is None:
        return None
    return current <= target if kpi in LOWER_IS_BETTER else current >= target
