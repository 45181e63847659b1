from functools import lru_cache

from django import template
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

REACTION_ICONS = {"like": "👍", "thanks": "🙏", "insightful": "💡", "agree": "✅"}
REACTION_LABELS = {"like": _("Like"), "thanks": _("Thanks"), "insightful": _("Insightful"), "agree": _("Agree")}


@lru_cache(maxsize=64)
def _reaction_buttons(language, mine, enabled):
    """The four buttons are the same for every card with the same (language, my reaction,
    may react): built once per process, not once per card (they were half a feed's render).
    Lean: a button in a form submits by default, and the visible label names it (no title)."""
    disabled = "" if enabled else " disabled"
    return format_html_join(
        "",
        '<button name="kind" value="{}" class="reaction" aria-pressed="{}"{}>'
        '<span aria-hidden="true">{}</span> <span class="reaction-label">{}</span></button>',
        (
            (kind, "true" if kind == mine else "false", disabled, icon, str(REACTION_LABELS[kind]))
            for kind, icon in REACTION_ICONS.items()
        ),
    )


@register.simple_tag
def reaction_buttons(mine, enabled):
    return _reaction_buttons(get_language(), mine or "", bool(enabled))


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


@register.simple_tag(takes_context=True)
def content_actions(context, content, comment=False):
    """The links that apps above communities add under a post or comment (communities.hooks)."""
    from communities.hooks import content_actions_for

    user = context.get("user") or getattr(context.get("request"), "user", None)
    actions = content_actions_for(user, content, is_comment=bool(comment))
    return format_html_join(
        " ", '<a href="{}" data-action="{}">{}</a>', ((a["url"], a["key"], a["label"]) for a in actions)
    )
