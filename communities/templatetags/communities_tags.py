from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

REACTION_ICONS = {"like": "👍", "thanks": "🙏", "insightful": "💡", "agree": "✅"}
REACTION_LABELS = {"like": _("Like"), "thanks": _("Thanks"), "insightful": _("Insightful"), "agree": _("Agree")}


@register.simple_tag
def reaction_kinds():
    return [(k, REACTION_ICONS[k], REACTION_LABELS[k]) for k in REACTION_ICONS]


@register.filter
def reaction_icon(kind):
    return REACTION_ICONS.get(kind, "")


@register.filter
def percent(part, whole):
    try:
        return round(100 * int(part) / int(whole)) if int(whole) else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def contains(collection, value):
    return value in (collection or ())
