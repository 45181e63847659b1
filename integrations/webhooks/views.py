"""Webhook pages: administrators' (every endpoint), a community's (its owners), one endpoint's log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from animation.forms_errors import apply_errors
from communities.models import Community, Membership
from communities.selectors import access_community_by_slug
from integrations.webhooks import selectors, services, signing
from integrations.webhooks.forms import EndpointForm
from integrations.webhooks.permissions import can_manage_webhooks
from rse.accounts.roles import is_administrator


def _owned_communities(user):
    if is_administrator(user):
        return Community.objects.alive().order_by("name")
    owned = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE, role=Membership.Role.OWNER)
    return Community.objects.alive().filter(pk__in=owned.values("community_id")).order_by("name")


def _create(request, form, community=None):
    data = form.cleaned_data
    try:
        endpoint = services.do_create_endpoint(
            request.user, url=data["url"], events=data["events"], description=data["description"],
            community=community if community is not None else data.get("community"),
        )  # fmt: skip
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, _("Endpoint registered. Copy its signing secret below."))
    return redirect("integrations:webhook_detail", endpoint.pk)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    """Administrators: every endpoint; community owners: those of their communities."""
    communities = _owned_communities(request.user)
    admin = is_administrator(request.user)
    if not admin and not communities.exists():
        raise Http404
    form = EndpointForm(request.POST or None, communities=communities, site_wide=admin)
    if request.method == "POST" and form.is_valid():
        response = _create(request, form)
        if response:
            return response
    endpoints = selectors.manageable_endpoints(request.user)[:200]
    return render(request, "integrations/webhooks/list.html", {"form": form, "endpoints": endpoints, "community": None})


@login_required
@require_http_methods(["GET", "POST"])
def community_webhooks(request, slug):
    community = access_community_by_slug(request.user, slug)
    if not can_manage_webhooks(request.user, community):
        raise Http404
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _create(request, form, community)
        if response:
            return response
    endpoints = selectors.manageable_endpoints(request.user, community)[:200]
    return render(
        request, "integrations/webhooks/list.html", {"form": form, "endpoints": endpoints, "community": community}
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request, pk):
    """An endpoint's settings (changed here: address, events, description), actions and log."""
    endpoint = selectors.access_endpoint_by_id(request.user, pk)
    initial = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}
    form = EndpointForm(request.POST or None, initial=initial, site_wide=endpoint.community is None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_update_endpoint(
                request.user, endpoint, url=data["url"], events=data["events"], description=data["description"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("integrations:webhook_detail", endpoint.pk)
    deliveries = selectors.list_deliveries(endpoint)[:50]
    return render(
        request,
        "integrations/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": deliveries,
            "replay_minutes": signing.REPLAY_WINDOW // 60,
        },
    )


@login_required
@require_POST
def webhook_action(request, pk, action):
    endpoint = selectors.access_endpoint_by_id(request.user, pk)
    try:
        if action == "test":
            services.do_send_test(request.user, endpoint)
            messages.success(request, _("Test delivery queued: its outcome appears in the log."))
        elif action == "rotate":
            services.do_rotate_secret(request.user, endpoint)
            messages.success(
                request, _("New signing secret: give it to the receiver now, the old one no longer signs.")
            )
        elif action in ("enable", "disable"):
            services.do_set_endpoint_active(request.user, endpoint, action == "enable")
            messages.success(request, _("Endpoint enabled.") if action == "enable" else _("Endpoint disabled."))
        elif action == "delete":
            community = endpoint.community
            services.do_delete_endpoint(request.user, endpoint)
            messages.success(request, _("Endpoint deleted."))
            if community is not None and not is_administrator(request.user):
                return redirect("integrations:community_webhooks", community.slug)
            return redirect("integrations:webhooks")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    return redirect("integrations:webhook_detail", endpoint.pk)
