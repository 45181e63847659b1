# Tokens, webhooks, feeds, SCIM and OIDC land here (see DESIGN.md and the integrations issue).

# --- Webhooks and feeds (integrations/webhooks/, integrations/feeds/) ---
from integrations.feeds.models import FeedToken  # noqa: F401
from integrations.webhooks.models import AllowedHost, Delivery, DeliveryAttempt, Endpoint  # noqa: F401
# --- end webhooks and feeds ---
