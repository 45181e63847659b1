from django import template

from directory.permissions import can_provision_hr as _can_provision_hr

register = template.Library()


@register.filter
def can_provision_hr(user) -> bool:
    return _can_provision_hr(user)
