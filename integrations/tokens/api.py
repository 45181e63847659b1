"""`GET|POST /api/v1/tokens/`, `DELETE /api/v1/tokens/<id>/` (paths fixed by the integrations issue)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from integrations.tokens import selectors, services
from integrations.tokens.models import ApiToken, Scope, ServiceAccount


class TokenSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    service_account = serializers.SerializerMethodField()
    revoked = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scopes", "expires_at", "created_at", "last_used_at", "revoked",
                  "revoked_at", "service_account"]  # fmt: skip

    def get_service_account(self, token) -> int | None:
        account = getattr(token.user, "service_account", None)
        return account.pk if account else None

    def get_revoked(self, token) -> bool:
        return token.revoked_at is not None


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The token itself: shown in this answer only, never again.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class TokenInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), min_length=1, max_length=3)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    service_account = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Administrators: the service account to create it for."
    )


class TokenList(serializers.Serializer):
    results = TokenSerializer(many=True)


@extend_schema(methods=["GET"], responses=TokenList)
@extend_schema(methods=["POST"], request=TokenInput, responses={201: NewTokenSerializer})
@api_view(["GET", "POST"])
def tokens(request):
    """Your API tokens (administrators also see the service accounts'). POST creates one and answers
    it once in `token`; only administrators may grant `scim` or create a service account's token."""
    if request.method == "POST":
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = None
        if data.validated_data.get("service_account"):
            account = get_object_or_404(ServiceAccount, pk=data.validated_data["service_account"])
        token, raw = services.do_create_token(
            request.user,
            name=data.validated_data["name"],
            scopes=data.validated_data["scopes"],
            expires_at=data.validated_data.get("expires_at"),
            service_account=account,
            via=request.auth if isinstance(request.auth, ApiToken) else None,
        )
        token.token = raw
        return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)
    rows = selectors.list_tokens_for_user(request.user)
    return Response({"results": TokenSerializer(rows, many=True).data})


@extend_schema(request=None, responses={204: None})
@api_view(["DELETE"])
def token_detail(request, pk):
    """Revoke a token: refused from the next request on. Its row stays, marked revoked."""
    token = selectors.access_token_by_id(request.user, pk)
    services.do_revoke_token(request.user, token)
    return Response(status=status.HTTP_204_NO_CONTENT)
