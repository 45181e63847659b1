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
