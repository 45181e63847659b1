"""Seeding over the REST API (paths fixed by the animation issue), thin: serializers validate the
input, the services decide. Animators only (403 for members, 404 for those who may not know
the community)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from animation.seeding import selectors, services
from animation.seeding.models import BulkInvitation, ScheduledPost
from animation.selectors import access_animated_community
from rse.accounts.models import User
from rse.lib.cursor import paginate
from rse.lib.ratelimit import throttle_scope

# --- Templates ----------------------------------------------------------------------------------


class TemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    summary = serializers.CharField()
    description_md = serializers.CharField()
    charter_md = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    objectives_md = serializers.CharField()
    visibility = serializers.CharField()
    starter_posts = serializers.ListField(child=serializers.DictField())


def _template_data(template):
    content = services.template_content(template)
    return {
        "pk": template.pk, "name": content.name, "summary": content.summary,
        "description_md": content.description_md, "charter_md": content.charter_md, "tags": content.tags,
        "objectives_md": content.objectives_md, "visibility": content.visibility,
        "starter_posts": [{"kind": k, "title": t} for k, t, _b in content.posts],
    }  # fmt: skip


@extend_schema(responses=inline_serializer("TemplateList", {"results": TemplateSerializer(many=True)}))
@api_view(["GET"])
def community_templates(request):
    """The templates a community can start from (`POST /api/v1/communities/` with `"template": <id>`)."""
    rows = [_template_data(t) for t in selectors.list_templates()]
    return Response({"results": TemplateSerializer(rows, many=True).data})


# --- Scheduled posts -------------------------------------------------------------------------


class ScheduledPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.CharField(source="community.slug")
    author = serializers.SerializerMethodField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body_md = serializers.CharField()
    publish_at = serializers.DateTimeField()
    is_launch = serializers.BooleanField()
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    late = serializers.SerializerMethodField()
    post_id = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()

    def get_author(self, obj) -> dict:
        return {"id": obj.author_id, "name": obj.author.display_name}

    def get_late(self, obj) -> bool:
        return obj.late_by is not None


class ScheduledPostInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ScheduledPost.Kind.choices, default=ScheduledPost.Kind.DISCUSSION)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body_md = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    publish_at = serializers.DateTimeField()
    is_launch = serializers.BooleanField(required=False, default=False)


def _page_size(request):
    try:
        return max(1, min(100, int(request.query_params.get("page_size", 25))))
    except ValueError:
        return 25


def _next_url(request, cursor):
    if not cursor:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@extend_schema(
    methods=["GET"],
    responses=inline_serializer(
        "ScheduledPage", {"results": ScheduledPostSerializer(many=True), "next": serializers.URLField(allow_null=True)}
    ),
)
@extend_schema(methods=["POST"], request=ScheduledPostInput, responses={201: ScheduledPostSerializer})
@api_view(["GET", "POST"])
def scheduled_posts(request, slug):
    """The queue (`?status=scheduled|published|cancelled|failed`), soonest first; POST schedules one."""
    community = access_animated_community(request.user, slug)
    if request.method == "POST":
        data = ScheduledPostInput(data=request.data)
        data.is_valid(raise_exception=True)
        scheduled = services.do_schedule_post(request.user, community, **data.validated_data)
        return Response(ScheduledPostSerializer(scheduled).data, status=status.HTTP_201_CREATED)
    qs = ScheduledPost.objects.filter(community=community).select_related("community", "author")
    wanted = request.query_params.get("status")
    if wanted in ScheduledPost.Status.values:
        qs = qs.filter(status=wanted)
    page = paginate(
        qs, ordering=("publish_at", "id"), cursor=request.query_params.get("cursor"), size=_page_size(request)
    )
    return Response(
        {"results": ScheduledPostSerializer(page.items, many=True).data, "next": _next_url(request, page.next_cursor)}
    )


class ScheduledPostPatch(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ScheduledPost.Kind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    body_md = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    publish_at = serializers.DateTimeField(required=False)
    is_launch = serializers.BooleanField(required=False)


@extend_schema(methods=["PATCH"], request=ScheduledPostPatch, responses=ScheduledPostSerializer)
@extend_schema(methods=["DELETE"], responses={204: None})
@api_view(["PATCH", "DELETE"])
def scheduled_post_detail(request, pk):
    """Edit a waiting post, or cancel it (DELETE): a published or cancelled one answers 400."""
    scheduled = selectors.access_scheduled_post_by_id(request.user, pk)
    if request.method == "DELETE":
        services.do_cancel_scheduled_post(request.user, scheduled)
        return Response(status=status.HTTP_204_NO_CONTENT)
    data = ScheduledPostPatch(data=request.data)
    data.is_valid(raise_exception=True)
    scheduled = services.do_edit_scheduled_post(request.user, scheduled, **data.validated_data)
    return Response(ScheduledPostSerializer(scheduled).data)


# --- Champions -------------------------------------------------------------------------------


class ChampionInput(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


CHAMPIONS = inline_serializer("ChampionList", {"results": serializers.ListField(child=serializers.DictField())})


@extend_schema(methods=["POST"], request=ChampionInput, responses={201: CHAMPIONS})
@extend_schema(methods=["GET"], responses=CHAMPIONS)
@api_view(["GET", "POST"])
def champions(request, slug):
    community = access_animated_community(request.user, slug)
    if request.method == "POST":
        data = ChampionInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = get_object_or_404(User, pk=data.validated_data["user"])
        services.do_set_champion(request.user, community, person)
    rows = selectors.list_champions(community)
    return Response(
        {"results": [{"id": c.user_id, "name": c.user.display_name} for c in rows]},
        status=status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK,
    )


@extend_schema(responses={204: None})
@api_view(["DELETE"])
def champion_detail(request, slug, user_id):
    community = access_animated_community(request.user, slug)
    services.do_set_champion(request.user, community, get_object_or_404(User, pk=user_id), on=False)
    return Response(status=status.HTTP_204_NO_CONTENT)


# --- Bulk invitations ------------------------------------------------------------------------


class BulkInvitationInput(serializers.Serializer):
    org_unit = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    site = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    skill = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    emails = serializers.ListField(child=serializers.CharField(max_length=320), required=False, max_length=5000)


def _bulk_data(bulk):
    return {
        "id": bulk.pk, "status": bulk.status, "source": bulk.source, "to_invite": bulk.total,
        "processed": bulk.processed, "invited": bulk.invited, "error": bulk.error,
        "rows": [
            {k: r.get(k) for k in ("line", "email", "name", "user_id", "action")} for r in bulk.rows
        ],
    }  # fmt: skip


@extend_schema(request=BulkInvitationInput, responses={201: OpenApiTypes.OBJECT})
@api_view(["POST"])
def bulk_invitations(request, slug):
    """The preview: one row per person or address, with what confirming will do or why not."""
    from directory.models import OrgUnit, Site, Skill

    community = access_animated_community(request.user, slug)
    data = BulkInvitationInput(data=request.data)
    data.is_valid(raise_exception=True)
    d = data.validated_data
    chosen = {
        "org_unit": get_object_or_404(OrgUnit, pk=d["org_unit"]) if d.get("org_unit") else None,
        "site": get_object_or_404(Site, pk=d["site"]) if d.get("site") else None,
        "skill": get_object_or_404(Skill, pk=d["skill"]) if d.get("skill") else None,
    }
    source = ", ".join(str(v) for v in chosen.values() if v) or "e-mail addresses"
    bulk = services.do_preview_bulk_invitation(
        request.user, community, emails_text="\n".join(d.get("emails", [])), source=source, **chosen
    )
    return Response(_bulk_data(bulk), status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
@throttle_scope("invite")
@api_view(["GET", "POST"])
def bulk_invitation_detail(request, pk):
    """GET: the preview or the progress; POST: confirm (the invitations go out in a task)."""
    bulk = selectors.access_bulk_invitation_by_id(request.user, pk)
    if request.method == "POST":
        bulk = services.do_confirm_bulk_invitation(request.user, bulk)
        bulk = BulkInvitation.objects.get(pk=bulk.pk)
        return Response(_bulk_data(bulk), status=status.HTTP_202_ACCEPTED)
    return Response(_bulk_data(bulk))
