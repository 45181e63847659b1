from django import template

from directory.permissions import can_provision_hr as _can_provision_hr
from directory.selectors import avatar_url as _avatar_url
from directory.selectors import first_steps

register = template.Library()


@register.filter
def can_provision_hr(user) -> bool:
    return _can_provision_hr(user)


@register.inclusion_tag("directory/partials/first_steps_card.html", takes_context=True)
def first_steps_card(context):
    """`{% load directory_tags %}{% first_steps_card %}`: the newcomer's first-steps card, for any page
    (the home page included) without that app importing directory code."""
    request = context.get("request")
    user = getattr(request, "user", None)
    steps = first_steps(user) if getattr(user, "is_authenticated", False) else None
    return {"first_steps": steps, "request": request, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def avatar_url(user) -> str:
    """`{% avatar_url user as url %}`: the profile photo for the top bar, or ""."""
    return _avatar_url(user) if getattr(user, "is_authenticated", False) else ""
