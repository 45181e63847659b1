"""Notification pages: the list, the bell fragment, preferences and mutes, and the e-mail
unsubscribe link (no login: the signed token is the authority)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from communities.models import NotificationKind
from communities.notifications import digest, emails, selectors, services, texts
from communities.notifications.forms import MuteForm, PreferencesForm
from communities.selectors import access_post_by_id, visible_communities
from rse.lib.cursor import InvalidCursor
from rse.lib.http import safe_next


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    try:
        page = selectors.list_notifications(request.user, cursor=request.GET.get("cursor"), unread_only=unread_only)
    except InvalidCursor:
        return HttpResponseBadRequest(_("This link to a page of results is broken."))
    entries = [(n, texts.describe(n)) for n in selectors.with_access(request.user, page.items)]
    context = {"page": page, "entries": entries, "unread_only": unread_only}
    if request.headers.get("HX-Request") and request.GET.get("cursor"):
        return render(request, "communities/notifications/_page.html", context)
    context["unread"] = services.unread_count(request.user.pk)
    return render(request, "communities/notifications/list.html", context)


@login_required
def bell(request):
    """The bell link alone: polled every 60 s by htmx (the fallback when websockets are down)."""
    return render(
        request, "communities/notifications/_bell_link.html", {"unread": services.unread_count(request.user.pk)}
    )


@login_required
def open_notification(request, notification_id):
    notification = selectors.access_notification_by_id(request.user, notification_id)
    services.do_mark_read(request.user, [notification.pk])
    return redirect(texts.target_url(notification))


@login_required
@require_POST
def mark_read(request, notification_id):
    notification = selectors.access_notification_by_id(request.user, notification_id)
    services.do_mark_read(request.user, [notification.pk])
    if request.headers.get("HX-Request"):
        notification.refresh_from_db(fields=["read_at"])
        selectors.with_access(request.user, [notification])
        return render(
            request,
            "communities/notifications/_item.html",
            {"notification": notification, "sentence": texts.describe(notification)},
        )
    return redirect(safe_next(request, "notifications:list"))


@login_required
@require_POST
def mark_all_read(request):
    count = services.do_mark_all_read(request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect(safe_next(request, "notifications:list"))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = services.preferences_for(request.user)
    plan = digest.planner()
    form = PreferencesForm(
        request.POST or None,
        preferences=current,
        digest_choices=plan.choices if plan else (),
        digest_initial=plan.get(request.user) if plan else None,
    )
    if request.method == "POST" and form.is_valid():
        services.do_set_preferences(request.user, form.changes())
        if plan is not None and form.cleaned_data.get("digest_frequency"):
            plan.set(request.user, form.cleaned_data["digest_frequency"])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "communities/notifications/preferences.html",
        {"form": form, "mutes": selectors.with_access(request.user, selectors.list_mutes(request.user))},
    )


@login_required
@require_POST
def mute(request):
    """Mute a community (`community`=id) or a conversation (`post`=id); `next` to come back."""
    form = MuteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors.get("__all__", [])) or _("Bad request."))
    try:
        if form.cleaned_data.get("post"):
            services.do_mute(request.user, post=access_post_by_id(request.user, form.cleaned_data["post"]))
        else:
            community = get_object_or_404(visible_communities(request.user), pk=form.cleaned_data["community"])
            services.do_mute(request.user, community=community)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    messages.success(request, _("Muted: you will not be notified about it any more."))
    return redirect(safe_next(request, "notifications:preferences"))


@login_required
@require_POST
def unmute(request, mute_id):
    if not services.do_unmute(request.user, mute_id):
        raise Http404
    messages.success(request, _("Unmuted."))
    return redirect(safe_next(request, "notifications:preferences"))


@csrf_exempt  # RFC 8058 one-click: mail clients POST without our CSRF token; the signature is the check.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        user_id, kind = emails.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "communities/notifications/unsubscribe.html", {"invalid": True}, status=400)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or (kind != emails.DIGEST and kind not in NotificationKind.values):
        return render(request, "communities/notifications/unsubscribe.html", {"invalid": True}, status=400)
    label = _("Daily digest") if kind == emails.DIGEST else NotificationKind(kind).label
    context = {"kind_label": label, "is_digest": kind == emails.DIGEST}
    if request.method == "GET":
        # A link opened (or fetched by a mail scanner) changes nothing: the page asks first.
        return render(request, "communities/notifications/unsubscribe.html", {**context, "confirm": True})
    services.do_unsubscribe(user, kind)  # our button, or the mail client's RFC 8058 one-click POST
    return render(request, "communities/notifications/unsubscribe.html", context)
