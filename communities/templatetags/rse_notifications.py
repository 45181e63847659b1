from django import template

from communities.notifications.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Unread count for the bell (one indexed COUNT on the partial unread index)."""
    user = getattr(context.get("request"), "user", None) or context.get("user")
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user.pk)
