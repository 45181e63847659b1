"""Engagement over the REST API (paths fixed by the engagement issue). Thin: serializers validate,
services and selectors decide."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from engagement import dashboards, exports, metrics, selectors, services
from engagement.kpis import Kpi
from engagement.models import Export
from engagement.permissions import can_see_all_dashboards
from rse.lib import jobs

# --- Exports ------------------------------------------------------------------------------------


class ExportInput(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    granularity = serializers.ChoiceField(choices=Export.Granularity.choices)
    group_by = serializers.ChoiceField(choices=Export.GroupBy.choices)
    format = serializers.ChoiceField(choices=Export.Format.choices)
    individual_rows = serializers.BooleanField(default=False)


class ExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField()
    granularity = serializers.CharField()
    group_by = serializers.CharField()
    format = serializers.CharField()
    individual_rows = serializers.BooleanField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    progress = serializers.SerializerMethodField()
    stalled = serializers.SerializerMethodField()
    rows = serializers.IntegerField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_progress(self, export) -> int:
        return jobs.status_of(export).percent if export.status != Export.Status.DONE else 100

    def get_stalled(self, export) -> bool:
        return jobs.is_stalled(export)

    def get_download_url(self, export) -> str | None:
        if export.status != Export.Status.DONE or not export.file:
            return None
        url = reverse("engagement:export_download", args=[export.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


@extend_schema(request=ExportInput, responses={202: ExportSerializer})
@api_view(["POST"])
def export_create(request):
    """Queue an HR export (HR analysts and administrators); poll the returned job for progress."""
    data = ExportInput(data=request.data)
    data.is_valid(raise_exception=True)
    export = exports.do_request_export(request.user, source=Export.Source.API, **data.validated_data)
    export.refresh_from_db()
    return Response(ExportSerializer(export, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=ExportSerializer)
@api_view(["GET"])
def export_detail(request, pk):
    """An export's status, progress and, once done, its download link."""
    export = selectors.access_export_by_id(request.user, pk)
    return Response(ExportSerializer(export, context={"request": request}).data)


# --- Objectives ---------------------------------------------------------------------------------


class ObjectiveInput(serializers.Serializer):
    community = serializers.SlugField(required=False, allow_null=True, default=None)
    kpi = serializers.ChoiceField(choices=Kpi.choices)
    target = serializers.FloatField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class PointSerializer(serializers.Serializer):
    period = serializers.CharField()
    value = serializers.FloatField(allow_null=True)


class ObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="objective.id")
    community = serializers.SerializerMethodField()
    kpi = serializers.CharField(source="objective.kpi")
    kpi_label = serializers.CharField(source="objective.kpi_label")
    target = serializers.FloatField(source="objective.target")
    starts_on = serializers.DateField(source="objective.starts_on")
    ends_on = serializers.DateField(source="objective.ends_on")
    current = serializers.FloatField(allow_null=True)
    reached = serializers.BooleanField(allow_null=True)
    series = serializers.SerializerMethodField()

    def get_community(self, progress) -> str | None:
        community = progress["objective"].community
        return community.slug if community else None

    def get_series(self, progress) -> list[dict]:
        return PointSerializer([{"period": p, "value": v} for p, v in progress["points"]], many=True).data


class ObjectiveListSerializer(serializers.Serializer):
    results = ObjectiveSerializer(many=True)


@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter("community", str, description="a community's slug: its objectives only")],
    responses=ObjectiveListSerializer,
)
@extend_schema(methods=["POST"], request=ObjectiveInput, responses={201: ObjectiveSerializer})
@api_view(["GET", "POST"])
def objectives(request):
    """Objectives with their progress: the company's and every community's for HR, internal
    communications and administrators; an animator's communities' for an animator."""
    if request.method == "POST":
        data = ObjectiveInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        slug = values.pop("community")
        community = selectors.access_community_dashboard(request.user, slug) if slug else None
        objective = services.do_create_objective(request.user, community, **values)
        return Response(
            ObjectiveSerializer(selectors.objective_progress(objective)).data, status=status.HTTP_201_CREATED
        )
    slug = request.query_params.get("community")
    community = selectors.access_community_dashboard(request.user, slug) if slug else None
    if community is None and not request.user.is_authenticated:
        raise PermissionDenied
    rows = selectors.list_visible_objectives(request.user, community)[:100]
    return Response({"results": ObjectiveSerializer([selectors.objective_progress(o) for o in rows], many=True).data})


# --- NPS ------------------------------------------------------------------------------------------


class NpsPointSerializer(serializers.Serializer):
    period = serializers.CharField()
    responses = serializers.IntegerField()
    nps = serializers.IntegerField(allow_null=True)


class NpsSerializer(serializers.Serializer):
    community = serializers.CharField(allow_null=True)
    periods = NpsPointSerializer(many=True)


class NpsListSerializer(serializers.Serializer):
    results = NpsSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter("community", str, description="a community's slug"),
        OpenApiParameter("since", str, description="YYYY-MM-DD (default: a year ago)"),
        OpenApiParameter("until", str, description="YYYY-MM-DD (default: today)"),
        OpenApiParameter("granularity", str, enum=["month", "week"]),
    ],
    responses=NpsListSerializer,
)
@api_view(["GET"])
def nps(request):
    """Pulse NPS per period with its number of answers (the score is null under 5 answers): for a
    community, or for every community the caller may see (and the company, for HR and
    internal communications)."""
    form = dashboards.PeriodForm(request.query_params)
    if request.query_params and not form.is_valid():
        return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
    since, until, granularity = form.period()
    spans = metrics.periods(since, until, granularity)
    slug = request.query_params.get("community")
    if slug:
        targets = [selectors.access_community_dashboard(request.user, slug)]
    elif can_see_all_dashboards(request.user):
        targets = [None, *selectors.communities_with_pulses()[:100]]
    else:
        targets = list(selectors.animated_communities(request.user).filter(pulses__isnull=False).distinct()[:100])
    results = [{"community": c.slug if c else None, "periods": dashboards.nps_rows(spans, c)} for c in targets]
    return Response({"results": NpsSerializer(results, many=True).data})


# --- Influence ---------------------------------------------------------------------------------------


class VoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    name = serializers.SerializerMethodField()
    weighted_responders = serializers.IntegerField(source="weighted")
    responders = serializers.IntegerField()
    influence = serializers.FloatField(help_text="weighted responders per 100 people of the community")

    def get_name(self, voice) -> str:
        return voice.user.display_name if voice.user else ""


class InfluenceSerializer(serializers.Serializer):
    community = serializers.CharField()
    size = serializers.IntegerField()
    contributors = serializers.IntegerField()
    concentration = serializers.DictField()
    key_voices = VoiceSerializer(many=True)


@extend_schema(responses=InfluenceSerializer)
@api_view(["GET"])
def community_influence(request, slug):
    """Who triggers action in this community: key voices (weighted distinct responders per 100
    members) and how concentrated the responses are. Never a global score."""
    community = selectors.access_community_dashboard(request.user, slug)
    data = selectors.community_influence(request.user, community)
    return Response(InfluenceSerializer(data).data)
