"""Engagement reads shared by pages, API and the command line."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement import influence, kpis, metrics
from engagement.models import Export, ExportAudit, Objective
from engagement.permissions import can_manage_export, can_see_all_dashboards


def access_export_by_id(user, export_id) -> Export:
    export = get_object_or_404(Export.objects.select_related("requested_by"), pk=export_id)
    if not can_manage_export(user, export):
        raise PermissionDenied(_("This export is for the person who asked for it."))
    return export


def list_exports_for_user(user, limit=10):
    return Export.objects.filter(requested_by=user).order_by("-created_at", "-id")[:limit]


def list_export_audit(limit=200):
    return ExportAudit.objects.select_related("actor").order_by("-created_at", "-id")[:limit]


# --- Dashboards and objectives ------------------------------------------------------------------


def access_community_dashboard(user, slug):
    """A community's engagement figures: its animators (and administrators) through the Animate
    door, HR analysts and internal communications for every community."""
    from animation.selectors import access_animated_community
    from communities.models import Community

    if can_see_all_dashboards(user):
        from communities.permissions import can_see_community

        community = get_object_or_404(Community.objects.alive(), slug=slug)
        if community.visibility == Community.Visibility.SECRET and not can_see_community(user, community):
            raise Http404  # a secret community stays secret, even to HR
        return community
    return access_animated_community(user, slug)


def objective_spans(objective, today=None):
    """The objective's periods up to today: weeks for a period of four months or less, else months."""
    today = today or timezone.localdate()
    end = min(objective.ends_on, today, metrics.LATEST)
    # An objective longer than the rules allow (stored before them, or through the admin): its last
    # three years.
    start = max(objective.starts_on, end - timedelta(days=metrics.MAX_DAYS), metrics.EARLIEST)
    if end < start:
        return []
    granularity = "week" if (objective.ends_on - objective.starts_on).days <= 120 else "month"
    return metrics.periods(start, end, granularity)


def objective_progress(objective, today=None) -> dict:
    """The KPI per period and over the whole period so far, in one query (two for the median)."""
    spans = objective_spans(objective, today)
    if not spans:
        return {"objective": objective, "points": [], "current": None, "reached": None, "started": False}
    whole = metrics.Period("all", spans[0].start, spans[-1].end)
    values = kpis.series(objective.kpi, [*spans, whole], objective.community)
    current = values[-1]
    return {
        "objective": objective,
        "points": [(span.label, v) for span, v in zip(spans, values[:-1], strict=True)],
        "current": current,
        "reached": kpis.reached(objective.kpi, current, objective.target),
        "started": True,
        "unit": kpis.UNITS.get(objective.kpi, ""),
    }


def list_objectives(community=None):
    """A community's objectives, or the company-wide ones (community=None)."""
    return Objective.objects.filter(community=community).order_by("-starts_on", "-id")


def list_visible_objectives(user, community=None):
    """For the API: the company's and every community's for those who see all, else the
    objectives of the communities `user` animates."""
    qs = Objective.objects.select_related("community").order_by("-starts_on", "-id")
    if community is not None:
        return qs.filter(community=community)
    if can_see_all_dashboards(user):
        return qs
    return qs.filter(community__in=animated_communities(user))


def animated_communities(user):
    """The communities `user` animates (their dashboards), alive ones, by name."""
    from communities.models import Community, Membership
    from communities.permissions import MODERATOR_ROLES

    ids = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, role__in=MODERATOR_ROLES).values(
        "community_id"
    )
    return Community.objects.alive().filter(pk__in=ids).order_by("name")


def communities_with_pulses():
    from communities.models import Community

    secret = Community.Visibility.SECRET  # never named to those who may not know it exists
    return Community.objects.alive().exclude(visibility=secret).filter(pulses__isnull=False).distinct().order_by("name")


def community_influence(viewer, community, *, since=None, until=None, limit=10) -> dict:
    """Key voices and concentration of a community, names loaded in one query. Names only for
    those who may read the community or animate it (HR sees the figures of a secret one)."""
    from animation.permissions import can_animate
    from communities.permissions import can_read_community
    from rse.accounts.models import User

    result = influence.context_influence("community", community.pk, since=since, until=until)
    voices = result.key_voices(limit)
    if can_animate(viewer, community) or can_read_community(viewer, community):
        users = User.objects.in_bulk([v.user_id for v in voices])
        for voice in voices:
            voice.user = users.get(voice.user_id)
    else:
        voices = []
    return {
        "community": community.slug,
        "size": result.size,
        "contributors": result.contributors,
        "concentration": {
            "people": result.concentration_people,
            "percent_of_contributors": result.concentration_percent,
        },
        "key_voices": voices,
    }


def context_influence_for_viewer(viewer, kind, value, *, since=None, until=None, limit=10) -> dict:
    """Key voices of a hashtag or a business item, counting only conversations in communities
    the viewer may read; names loaded in one query."""
    from communities.selectors import visible_communities
    from rse.accounts.models import User

    readable = visible_communities(viewer).values("pk")
    result = influence.context_influence(kind, value, since=since, until=until, communities=readable)
    voices = result.key_voices(limit)
    users = User.objects.in_bulk([v.user_id for v in voices])
    for voice in voices:
        voice.user = users.get(voice.user_id)
    return {
        "size": result.size,
        "contributors": result.contributors,
        "concentration": {
            "people": result.concentration_people,
            "percent_of_contributors": result.concentration_percent,
        },
        "key_voices": voices,
    }
