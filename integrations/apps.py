from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """API tokens, webhooks, RSS/Atom in and out, SCIM 2.0 and OpenID Connect, on top of the other apps."""

    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        # --- API tokens: the OpenAPI security schemes ---
        from integrations.tokens import schema  # noqa: F401

        # --- Webhooks and feeds ---
        from integrations.webhooks.hooks import register_webhook_hooks

        register_webhook_hooks()
        # --- end webhooks and feeds ---
