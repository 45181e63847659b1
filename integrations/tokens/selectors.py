from django.db.models import Q
from django.shortcuts import get_object_or_404

from integrations.tokens.models import ApiToken, ServiceAccount
from rse.accounts.roles import is_administrator


def list_tokens_for_user(user):
    """A person's own tokens; for administrators also every service account's tokens."""
    qs = ApiToken.objects.select_related("user", "user__service_account")
    if is_administrator(user):
        return qs.filter(Q(user=user) | Q(user__service_account__isnull=False))
    return qs.filter(user=user)


def access_token_by_id(user, token_id) -> ApiToken:
    """The token if the user may see it (its owner; administrators for any token), else 404."""
    qs = ApiToken.objects.select_related("user", "user__service_account")
    if not is_administrator(user):
        qs = qs.filter(user=user)
    return get_object_or_404(qs, pk=token_id)


def list_service_accounts():
    return ServiceAccount.objects.select_related("user").order_by("name")


def access_service_account_by_id(user, account_id) -> ServiceAccount:
    from django.core.exceptions import PermissionDenied

    if not is_administrator(user):
        raise PermissionDenied
    return get_object_or_404(ServiceAccount.objects.select_related("user"), pk=account_id)
