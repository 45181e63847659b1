"""REST API of the directory (under /api/v1/). Thin: selectors read, services write.

Hidden fields stay hidden: every person goes through selectors.present_profiles() before it is
serialised, the same decision the pages use.
"""

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from directory import exports, selectors, services
from directory.models import Contact, OrgUnit
from repository.selectors import visible_items
from rse.accounts.models import User
from rse.lib.api import CursorPagination


class PeoplePagination(CursorPagination):
    ordering = ("search_name", "id")


class NamePagination(CursorPagination):
    ordering = ("name", "id")


class ContactPagination(CursorPagination):
    ordering = ("sort_name", "id")  # the name folded: accents and case do not reorder the book


class OrgUnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "name", "slug", "kind"]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")
    job_title = serializers.CharField()
    org_unit = OrgUnitBriefSerializer(allow_null=True)
    site = serializers.CharField(source="site.name", allow_null=True, default=None)
    manager_id = serializers.IntegerField(allow_null=True)
    phone_work = serializers.CharField()
    phone_mobile = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()

    def get_phone_mobile(self, profile) -> str:
        if not hasattr(profile, "visible_phone_mobile"):
            selectors.present_profiles(self.context["request"].user, [profile])
        return profile.visible_phone_mobile

    def get_languages(self, profile) -> list[str]:
        return [c for c in profile.languages.split(",") if c]

    def get_photo(self, profile) -> str | None:
        return self.context["request"].build_absolute_uri(profile.photo.url) if profile.photo else None


class PersonDetailSerializer(PersonSerializer):
    bio_html = serializers.CharField()
    skills = serializers.SerializerMethodField()

    def get_skills(self, profile) -> list[dict]:
        return [
            {"id": us.pk, "name": us.skill.name, "endorsements": us.endorsement_count} for us in profile.user.skills
        ]


class PeopleViewSet(viewsets.ReadOnlyModelViewSet):
    """The directory: active colleagues. Filters: q (name, accent-insensitive), skill, org_unit, site
    (slugs), language (code)."""

    pagination_class = PeoplePagination
    lookup_field = "user_id"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        params = self.request.query_params
        return selectors.search_people(
            q=params.get("q", "")[:100],
            skill=params.get("skill", ""),
            org_unit=params.get("org_unit", ""),
            site=params.get("site", ""),
            language=params.get("language", ""),
        )

    def get_serializer_class(self):
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer

    @extend_schema(
        parameters=[OpenApiParameter(n, str, required=False) for n in ("q", "skill", "org_unit", "site", "language")]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        selectors.present_profiles(request.user, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        profile = selectors.get_profile_page(request.user, int(kwargs["user_id"]))
        return Response(self.get_serializer(profile).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request, user_id=None):
        """POST: follow this person; DELETE: unfollow."""
        target = User.objects.filter(pk=user_id, is_active=True).first()
        if target is None:
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        if request.method == "DELETE":
            services.do_unfollow(request.user, target)
        else:
            services.do_follow(request.user, target)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrgUnitSerializer(serializers.ModelSerializer):
    parent_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "slug", "kind", "parent_id"]


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrgUnitSerializer
    pagination_class = NamePagination
    queryset = OrgUnit.objects.all()


class ExpertSerializer(serializers.Serializer):
    person = PersonSerializer(source="profile")
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class ExpertsView(APIView):
    """Who knows `q`: people ranked by declared skills and endorsements, with the reasons."""

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses=ExpertSerializer(many=True))
    def get(self, request):
        term = request.query_params.get("q", "").strip()[:80]
        if not term:
            return Response({"q": [_("This parameter is required.")]}, status=status.HTTP_400_BAD_REQUEST)
        experts = selectors.find_experts(request.user, term)
        return Response(ExpertSerializer(experts, many=True, context={"request": request}).data)


class VisibleItemField(serializers.PrimaryKeyRelatedField):
    """A customer or partner item the requester may see (repository's one door)."""

    def get_queryset(self):
        request = self.context.get("request")
        return visible_items(request.user if request else None)


class ContactSerializer(serializers.ModelSerializer):
    emails = serializers.ListField(child=serializers.EmailField(), required=False, max_length=20)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    item = VisibleItemField(required=False, allow_null=True)
    colleague_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "company",
            "job_title",
            "emails",
            "phones",
            "url",
            "notes",
            "tags",
            "item",
            "colleague_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "colleague_id", "created_at", "updated_at"]
        extra_kwargs = {"url": {"required": False}}

    def create(self, validated_data):
        return services.do_create_contact(self.context["request"].user, validated_data)

    def update(self, instance, validated_data):
        return services.do_update_contact(self.context["request"].user, instance, validated_data)


class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The current user's contact book. Other people's contacts are 404."""

    serializer_class = ContactSerializer
    pagination_class = ContactPagination
    queryset = Contact.objects.none()  # for the schema; get_queryset() is the owner's book

    def get_queryset(self):
        params = self.request.query_params
        return selectors.contacts_of(self.request.user, q=params.get("q", ""), tag=params.get("tag", ""))

    def perform_destroy(self, instance):
        services.do_delete_contact(self.request.user, instance)

    @extend_schema(parameters=[OpenApiParameter("version", str, enum=["3.0", "4.0"])], responses={200: str})
    @action(detail=True, methods=["get"])
    def vcard(self, request, pk=None):
        contact = self.get_object()
        return _vcard_response([contact], request, slugify(contact.name) or "contact")

    @extend_schema(parameters=[OpenApiParameter("version", str, enum=["3.0", "4.0"])], responses={200: str})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The whole book as one vCard file."""
        return _vcard_response(self.get_queryset().order_by("sort_name", "id"), request, "contacts")


def _vcard_response(contacts, request, filename):
    version = "4.0" if request.query_params.get("version") == "4.0" else "3.0"
    response = HttpResponse(exports.vcards(contacts, version), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    return response
