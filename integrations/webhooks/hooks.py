"""What webhooks plug into the apps below them (called from IntegrationsConfig.ready)."""

from django.utils.translation import gettext_lazy as _


def _can_manage(user, community, membership) -> bool:
    """The community page's tab: decided from the membership it already loaded (no query)."""
    from communities.models import Membership
    from rse.accounts.roles import is_administrator

    if not getattr(user, "is_authenticated", False):
        return False
    is_owner = (
        membership is not None
        and membership.status == Membership.Status.ACTIVE
        and membership.role == Membership.Role.OWNER
    )
    return is_owner or is_administrator(user)


def register_webhook_hooks() -> None:
    from communities.tabs import CommunityTab, register_tab
    from integrations.webhooks import catalogue, services
    from rse.lib.events import add_listener

    catalogue.register_builtin_events()
    add_listener(services.on_event)
    register_tab(CommunityTab("webhooks", _("Webhooks"), "integrations:community_webhooks", _can_manage, order=60))
