"""External feeds in a community's Animate space: subscribe, see each feed's state, pick entries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from animation.forms_errors import apply_errors
from animation.selectors import access_animated_community
from integrations.feeds import incoming
from integrations.feeds.forms import SubscriptionForm
from integrations.feeds.models import FeedEntry, FeedSubscription


@login_required
@require_http_methods(["GET", "POST"])
def community_feeds(request, slug):
    community = access_animated_community(request.user, slug)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incoming.do_subscribe(request.user, community, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Subscribed: the feed is read in the background."))
            return redirect("integrations:community_feeds", community.slug)
    subscriptions = FeedSubscription.objects.filter(community=community).select_related("created_by")
    queue = (
        FeedEntry.objects.filter(subscription__community=community, status=FeedEntry.Status.QUEUED)
        .select_related("subscription")
        .order_by("-published_at", "-id")[:50]
    )
    return render(request, "integrations/feeds/animate.html", {
        "community": community, "section": "feeds", "form": form, "subscriptions": subscriptions, "queue": queue,
    })  # fmt: skip


@login_required
@require_POST
def subscription_action(request, slug, pk, action):
    community = access_animated_community(request.user, slug)
    subscription = get_object_or_404(FeedSubscription, pk=pk, community=community)
    if action == "fetch":
        incoming.do_fetch_now(request.user, subscription)
        messages.success(request, _("The feed will be read in a moment."))
    elif action in ("pause", "resume"):
        incoming.do_update_subscription(request.user, subscription, is_active=action == "resume")
    elif action in FeedSubscription.Mode.values:
        incoming.do_update_subscription(request.user, subscription, mode=action)
    elif action == "delete":
        incoming.do_unsubscribe(request.user, subscription)
        messages.success(request, _("Unsubscribed."))
    else:
        raise Http404
    return redirect("integrations:community_feeds", community.slug)


@login_required
@require_POST
def entry_action(request, slug, pk, action):
    community = access_animated_community(request.user, slug)
    entry = incoming.entry_of_community(community, pk)
    try:
        if action == "publish":
            entry = incoming.do_publish_entry(request.user, entry)
            messages.success(request, _("Published."))
        elif action == "dismiss":
            incoming.do_dismiss_entry(request.user, entry)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("integrations:community_feeds", community.slug)
