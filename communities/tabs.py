"""Tabs that apps above communities add to a community's page (the Animate space, engagement…).

Communities never imports those apps (DESIGN.md): they register a tab in their AppConfig.ready()
and the community page shows it to whoever its predicate allows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class CommunityTab:
    key: str
    label: str  # a lazy translation
    url_name: str  # reversed with the community's slug
    visible: Callable  # (user, community, membership) -> bool
    order: int = 100


_TABS: dict[str, CommunityTab] = {}


def register_tab(tab: CommunityTab) -> None:
    _TABS[tab.key] = tab


def tabs_for(user, community, membership) -> list[dict]:
    return [
        {"key": tab.key, "label": tab.label, "url": reverse(tab.url_name, args=[community.slug])}
        for tab in sorted(_TABS.values(), key=lambda t: (t.order, t.key))
        if tab.visible(user, community, membership)
    ]
