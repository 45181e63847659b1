"""REST API of the business repository: read types and items, upsert by external id.

Every read goes through selectors.visible_items (restricted items never leak); the upsert
lets the CRM/ERP stay the master: PUT /api/v1/repository/items/<type>/<external_id>.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from repository import selectors, services
from repository.models import FieldDefinition, Item, ItemType
from rse.lib.api import TextListField, text_field, validated


class FieldDefinitionSerializer(serializers.ModelSerializer):
    target_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    choices = serializers.ListField(source="choice_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = FieldDefinition
        fields = ["key", "label", "kind", "required", "help_text", "choices", "target_type"]


class ItemTypeSerializer(serializers.ModelSerializer):
    fields = FieldDefinitionSerializer(source="field_definitions", many=True, read_only=True)

    class Meta:
        model = ItemType
        fields = ["slug", "name", "description", "fields"]


class ItemSerializer(serializers.ModelSerializer):
    type = serializers.SlugRelatedField(source="item_type", slug_field="slug", read_only=True)
    description = serializers.CharField(source="description_md", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    owners = serializers.SlugRelatedField(slug_field="email", many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Item
        fields = [
            "id", "slug", "type", "name", "status", "external_id", "description", "description_html",
            "fields", "tags", "owners", "url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class SearchResultSerializer(ItemSerializer):
    rank = serializers.FloatField(read_only=True)
    snippet = serializers.CharField(read_only=True)

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "rank", "snippet"]
        read_only_fields = fields


class ItemTypeList(generics.ListAPIView):
    serializer_class = ItemTypeSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.list_item_types()


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Search words: ranked results (first 25), not paginated."),
        OpenApiParameter("type", str, description="Item type slug."),
        OpenApiParameter("tag", str),
    ]
)
class ItemList(generics.ListAPIView):
    """Visible items, newest first (cursor pagination), or search results with ?q=."""

    serializer_class = ItemSerializer

    def _item_type(self):
        slug = self.request.query_params.get("type")
        return get_object_or_404(ItemType, slug=slug) if slug else None

    def get_queryset(self):
        return selectors.list_items(
            self.request.user, item_type=self._item_type(), tag=self.request.query_params.get("tag") or None
        ).prefetch_related("owners")

    def list(self, request, *args, **kwargs):
        query = (request.query_params.get("q") or "").strip()
        if not query:
            return super().list(request, *args, **kwargs)
        results = selectors.search_items(request.user, query, item_type=self._item_type(), limit=25)
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(results, "tags", "owners")
        return Response({"next": None, "previous": None, "results": SearchResultSerializer(results, many=True).data})


class ItemDetail(generics.RetrieveAPIView):
    serializer_class = ItemSerializer

    def get_object(self):
        return selectors.access_item_by_id(self.request.user, self.kwargs["pk"])


def _strings_in(value):
    """Every key and text inside a JSON value, walked without recursion."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from (k for k in value if isinstance(k, str))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


class ItemUpsertInput(serializers.Serializer):
    """Types, lengths and NUL here; what the item type requires is repository.services' job."""

    name = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=1000)
    description = text_field(max_length=200_000)
    status = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=40)
    tags = TextListField(separators=",;\n", max_item_length=100, required=False, allow_null=True)
    fields = serializers.DictField(
        required=False,
        allow_null=True,
        error_messages={"not_a_dict": _lazy("Send the custom fields as an object {{key: value}}.")},
    )

    def validate_fields(self, value):
        if any("\x00" in text for text in _strings_in(value)):
            raise serializers.ValidationError(_("Null characters are not allowed."))
        return value

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: [_("Unknown attribute.")] for key in unknown})
        return attrs


class ItemByExternalId(APIView):
    """GET the item of a type by its external id; PUT creates (201) or updates (200) it."""

    serializer_class = ItemSerializer

    @extend_schema(responses=ItemSerializer, operation_id="repository_items_by_external_id_retrieve")
    def get(self, request, type_slug, external_id):
        item = selectors.access_item_by_external_id(request.user, type_slug, external_id)
        return Response(ItemSerializer(item).data)

    @extend_schema(
        request=ItemUpsertInput,
        responses={200: ItemSerializer, 201: ItemSerializer},
        operation_id="repository_items_upsert",
    )
    def put(self, request, type_slug, external_id):
        item_type = get_object_or_404(selectors.list_item_types(), slug=type_slug)
        data = dict(validated(ItemUpsertInput, request.data))
        if "description" in data:
            data["description_md"] = data.pop("description")
        item, created, _changes = services.do_upsert_item(request.user, item_type, external_id, data)
        item = selectors.access_item_by_id(request.user, item.pk)
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
