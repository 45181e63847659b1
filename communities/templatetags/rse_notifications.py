from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from communities.models import Mute
from communities.notifications.services import unread_count
from directory.selectors import avatar_cache_key

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Unread count for the bell (one indexed COUNT on the partial unread index). The top bar
    shows my photo next: its cache key comes in the same round trip to the cache."""
    user = getattr(context.get("request"), "user", None) or context.get("user")
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user.pk, read_ahead=[avatar_cache_key(user.pk)])


@register.simple_tag(takes_context=True)
def mute_of(context, *, post=None, community=None):
    """The viewer's Mute of this post or community, or None: for a mute/unmute button
    (templates/communities/notifications/_mute_button.html). One query; use on detail pages."""
    user = getattr(context.get("request"), "user", None)
    post, community = post or None, community or None  # a missing template variable comes as ""
    if not getattr(user, "is_authenticated", False) or (post is None and community is None):
        return None
    target = {"post": post} if post is not None else {"community": community}
    return Mute.objects.filter(user=user, **target).first()


@register.filter
def ago(moment) -> str:
    """ "just now" under a minute, else "3 hours ago" ("0 minutes ago" read oddly)."""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("just now")
    return _("%(since)s ago") % {"since": timesince(moment)}
