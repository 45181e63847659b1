"""Webhooks over the REST API (paths fixed by the integrations issue):
`GET|POST /api/v1/webhooks/`, `GET /api/v1/webhooks/<id>/deliveries/`, `POST /api/v1/webhooks/<id>/test/`;
and `GET|PATCH|DELETE /api/v1/webhooks/<id>/`, `POST /api/v1/webhooks/<id>/rotate-secret/`.
The signature scheme is documented in integrations/webhooks/signing.py and on the webhook pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from communities.models import Community
from integrations.webhooks import catalogue, selectors, services


class EndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    community = serializers.CharField(source="community.slug", allow_null=True, default=None)
    is_active = serializers.BooleanField()
    failing_since = serializers.DateTimeField(allow_null=True)
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CreatedEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(help_text="Standard Webhooks secret (whsec_…): verify signatures with it.")


class EndpointInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=50)
    community = serializers.SlugField(max_length=140, required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EndpointChange(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=50, required=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    response_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message_id = serializers.CharField()
    event_type = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_response_ms = serializers.IntegerField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    attempt_log = AttemptSerializer(many=True)


@extend_schema(
    methods=["GET"],
    responses=inline_serializer(
        "WebhookList", {"events": serializers.ListField(), "results": EndpointSerializer(many=True)}
    ),
)
@extend_schema(methods=["POST"], request=EndpointInput, responses={201: CreatedEndpointSerializer})
@api_view(["GET", "POST"])
def webhooks(request):
    """The endpoints you manage (administrators: all; owners: their communities'); POST registers one.
    The answer to POST holds the signing secret."""
    if request.method == "POST":
        data = EndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        slug = data.validated_data.pop("community")
        community = get_object_or_404(Community.objects.alive(), slug=slug) if slug else None
        endpoint = services.do_create_endpoint(request.user, community=community, **data.validated_data)
        return Response(CreatedEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)
    rows = list(selectors.manageable_endpoints(request.user)[:500])
    return Response({"events": list(catalogue.EVENTS), "results": EndpointSerializer(rows, many=True).data})


@extend_schema(methods=["GET"], responses=EndpointSerializer, operation_id="webhook_retrieve")
@extend_schema(
    methods=["PATCH"], request=EndpointChange, responses=EndpointSerializer, operation_id="webhook_partial_update"
)
@extend_schema(methods=["DELETE"], responses={204: None}, operation_id="webhook_destroy")
@api_view(["GET", "PATCH", "DELETE"])
def webhook(request, pk):
    """One endpoint; PATCH changes its address, events or description (not its scope); DELETE
    removes it with its log."""
    if request.method == "PATCH":  # the body first: a malformed one is a 400 whoever sends it
        data = EndpointChange(data=request.data)
        data.is_valid(raise_exception=True)
    endpoint = selectors.access_endpoint_by_id(request.user, pk)
    if request.method == "DELETE":
        services.do_delete_endpoint(request.user, endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "PATCH":
        endpoint = services.do_update_endpoint(request.user, endpoint, **data.validated_data)
    return Response(EndpointSerializer(endpoint).data)


@extend_schema(request=None, responses=CreatedEndpointSerializer)
@api_view(["POST"])
def rotate_secret(request, pk):
    """A new signing secret, in the answer; deliveries from now on are signed with it only."""
    endpoint = services.do_rotate_secret(request.user, selectors.access_endpoint_by_id(request.user, pk))
    return Response(CreatedEndpointSerializer(endpoint).data)


@extend_schema(responses=inline_serializer("WebhookDeliveries", {"results": DeliverySerializer(many=True)}))
@api_view(["GET"])
def deliveries(request, pk):
    """The delivery log of an endpoint, newest first (the last 100), with every attempt."""
    endpoint = selectors.access_endpoint_by_id(request.user, pk)
    rows = list(selectors.list_deliveries(endpoint)[:100])
    return Response({"results": DeliverySerializer(rows, many=True).data})


@extend_schema(request=None, responses={202: DeliverySerializer})
@api_view(["POST"])
def send_test(request, pk):
    """Queue a signed `webhook.test` delivery to the endpoint; its outcome shows in the log."""
    endpoint = selectors.access_endpoint_by_id(request.user, pk)
    delivery = services.do_send_test(request.user, endpoint)
    return Response(
        DeliverySerializer(selectors.list_deliveries(endpoint).get(pk=delivery.pk)).data,
        status=status.HTTP_202_ACCEPTED,
    )
