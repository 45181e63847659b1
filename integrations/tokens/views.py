"""Token pages: a person's own tokens (from the profile menu), and the administrators' page of
service accounts and their tokens. A new token is shown in the answer to its creation, once."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations.tokens import selectors, services
from integrations.tokens.forms import ServiceAccountForm, TokenForm
from rse.accounts.roles import is_administrator


def _expires_at(day):
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _create_from_form(request, form, service_account=None):
    """The raw token when created, else None with the errors on the form."""
    try:
        _token, raw = services.do_create_token(
            request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=_expires_at(form.cleaned_data["expires_on"]),
            service_account=service_account,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error("expires_on" if field == "expires_at" else field if field in form.fields else None, errors)
        return None
    return raw


@login_required
def my_tokens(request):
    form = TokenForm(request.POST or None, allow_scim=is_administrator(request.user))
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = _create_from_form(request, form)
        if new_token:
            form = TokenForm(allow_scim=is_administrator(request.user))
    tokens = selectors.list_tokens_for_user(request.user).filter(user=request.user)
    return render(
        request, "integrations/tokens/my_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@login_required
@require_POST
def revoke(request, token_id):
    token = selectors.access_token_by_id(request.user, token_id)
    services.do_revoke_token(request.user, token)
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    if request.POST.get("next") == "service" and getattr(token.user, "service_account", None):
        return redirect("tokens:service_account", account_id=token.user.service_account.pk)
    return redirect("tokens:mine")


@login_required
def service_accounts(request):
    if not is_administrator(request.user):
        raise PermissionDenied
    form = ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.do_create_service_account(request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("name", exc.message_dict.get("name", exc.messages))
        else:
            return redirect("tokens:service_account", account_id=account.pk)
    return render(
        request,
        "integrations/tokens/service_accounts.html",
        {"form": form, "accounts": selectors.list_service_accounts()},
    )


@login_required
def service_account(request, account_id):
    account = selectors.access_service_account_by_id(request.user, account_id)
    form = TokenForm(request.POST or None, allow_scim=True)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = _create_from_form(request, form, service_account=account)
        if new_token:
            form = TokenForm(allow_scim=True)
    tokens = account.user.api_tokens.all()
    return render(
        request,
        "integrations/tokens/service_account.html",
        {"account": account, "form": form, "tokens": tokens, "new_token": new_token},
    )


def api_guide(request):
    """How to authenticate to the API with a token, with curl examples (public: integrators read it
    before they have an account of their own)."""
    from django.conf import settings

    return render(
        request,
        "integrations/api_guide.html",
        {
            "base_url": settings.SITE_URL.rstrip("/"),
            "basic_mode": settings.RSE_API_BASIC_AUTH,
            "docs_url": reverse("api-docs"),
            "schema_url": reverse("api-schema"),
        },
    )
