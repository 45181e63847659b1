"""A person's feeds page (their private feed URLs, the key to regenerate or revoke)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Community, Membership
from integrations.feeds import services
from integrations.feeds.models import FeedToken


@login_required
def my_feeds(request):
    token = FeedToken.objects.filter(user=request.user).first()
    communities = (
        Community.objects.alive()
        .filter(memberships__user=request.user, memberships__status=Membership.Status.ACTIVE)
        .order_by("name")
    )
    urls = []
    if token is not None:
        build = request.build_absolute_uri
        urls.append((_("Home"), build(reverse("integrations:feed_home", args=[token.key, "rss"])),
                     build(reverse("integrations:feed_home", args=[token.key, "atom"]))))  # fmt: skip
        urls += [
            (
                c.name,
                *(build(reverse("integrations:feed_community", args=[token.key, c.slug, f])) for f in ("rss", "atom")),
            )
            for c in communities
        ]
        tag_example = build(reverse("integrations:feed_tag", args=[token.key, "TAG", "rss"]))
    else:
        tag_example = ""
    return render(request, "integrations/feeds/mine.html", {
        "token": token, "urls": urls, "tag_example": tag_example, "public_example": settings.RSE_PUBLIC_FEEDS
        and request.build_absolute_uri(reverse("integrations:public_feed_rss", args=["SLUG"])),
    })  # fmt: skip


@login_required
@require_POST
def feed_token_action(request, action):
    if action == "revoke":
        services.do_revoke_feed_token(request.user)
        messages.success(request, _("Your feed URLs no longer work."))
    else:
        services.do_regenerate_feed_token(request.user)
        messages.success(request, _("New feed URLs: the previous ones no longer work."))
    return redirect("integrations:my_feeds")
