"""Hooks through which apps above communities act when a community is created or joined.

Communities never imports those apps (DESIGN.md): animation registers, in its AppConfig.ready(),
a provider of community templates (offered by the creation form and `POST /api/v1/communities/`
with `"template": <id>`) and a callback told after commit when someone becomes an active member
(the welcome message). With nothing registered, communities works as before.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class StarterProvider:
    """Templates a community can start from.

    choices(user) -> [(id, label, description)]; check(user, template_id) raises ValidationError
    ({"template": …}) when it cannot be used; apply(user, community, template_id) runs inside the
    creation's transaction, once the community and its owner exist."""

    choices: Callable
    check: Callable
    apply: Callable


_STARTERS: list[StarterProvider] = []
_JOINED: list[Callable] = []


def register_starter_provider(provider: StarterProvider) -> None:
    if provider not in _STARTERS:
        _STARTERS.append(provider)


def starter_choices(user) -> list[tuple]:
    return [choice for provider in _STARTERS for choice in provider.choices(user)]


def check_starter(user, template_id) -> None:
    if not _STARTERS:
        raise ValidationError({"template": _("No community templates are available.")})
    for provider in _STARTERS:
        provider.check(user, template_id)


def apply_starter(user, community, template_id) -> None:
    for provider in _STARTERS:
        provider.apply(user, community, template_id)


def on_member_joined(callback: Callable) -> None:
    """`callback(community_id, user_id)`, called after the commit that made the membership active."""
    if callback not in _JOINED:
        _JOINED.append(callback)


def member_joined(community_id, user_id) -> None:
    for callback in _JOINED:
        transaction.on_commit(lambda cb=callback: cb(community_id, user_id))


# --- Content guards: keyword rules and the like, at the creation of a post or comment ---------


@dataclass(frozen=True)
class ContentGuard:
    """What a post or comment must pass as it is written.

    check(author, community, text) returns None to let it through, a reason (str) to publish it
    hidden pending the animators' review, or raises ValidationError to refuse it with a message;
    held(content, reasons) runs inside the creation's transaction once held content exists."""

    check: Callable
    held: Callable


_GUARDS: list[ContentGuard] = []


def register_content_guard(guard: ContentGuard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def guard_content(author, community, text) -> list[tuple[ContentGuard, str]]:
    """The holds on a text about to be published (empty: publish it); a refusal raises."""
    holds = []
    for guard in _GUARDS:
        reason = guard.check(author, community, text)
        if reason:
            holds.append((guard, reason))
    return holds


def content_held(holds, content) -> None:
    for guard, reason in holds:
        guard.held(content, reason)


# --- Actions on a post or comment offered by apps above (flag it, …) -------------------------


@dataclass(frozen=True)
class ContentAction:
    """A link under every post or comment. visible(user, content) must not query the database
    (it runs for each card of a feed); the url names are reversed with the content's id."""

    key: str
    label: str  # a lazy translation
    post_url_name: str
    comment_url_name: str
    visible: Callable


_ACTIONS: dict[str, ContentAction] = {}


def register_content_action(action: ContentAction) -> None:
    _ACTIONS[action.key] = action


def content_actions_for(user, content, *, is_comment=False) -> list[dict]:
    from django.urls import reverse

    return [
        {
            "key": a.key,
            "label": a.label,
            "url": reverse(a.comment_url_name if is_comment else a.post_url_name, args=[content.pk]),
        }
        for a in sorted(_ACTIONS.values(), key=lambda a: a.key)
        if a.visible(user, content)
    ]


# --- Moderation done in communities itself (an animator deletes, pins, removes a member) -----

_MODERATED: list[Callable] = []


def on_moderation(callback: Callable) -> None:
    """`callback(actor, community_id, action, target_type, target_id, label)`, called inside the
    transaction of each moderation action communities performs, so the audit log above it has
    every one of them (with the flags' decisions it records itself)."""
    if callback not in _MODERATED:
        _MODERATED.append(callback)


def moderated(actor, community_id, action, target_type, target_id, label="") -> None:
    for callback in _MODERATED:
        callback(actor, community_id, action, target_type, target_id, str(label)[:200])
