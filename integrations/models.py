# Tokens, webhooks, feeds, SCIM and OIDC land here (see DESIGN.md and the integrations issue).
# Each feature keeps its models in its own package; Django finds them through these imports.
# ruff: noqa: F401, E402, I001 (one block per feature, so parallel branches merge cleanly)

# --- API tokens (integrations/tokens) ---
from integrations.tokens.models import ApiToken, ServiceAccount

# --- SCIM 2.0 (integrations/scim) ---
from integrations.scim.models import ScimIdentity

# --- Webhooks and feeds (integrations/webhooks/, integrations/feeds/) ---
from integrations.feeds.models import FeedToken
from integrations.webhooks.models import AllowedHost, Delivery, DeliveryAttempt, Endpoint
# --- end webhooks and feeds ---
