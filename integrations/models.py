# Tokens, webhooks, feeds, SCIM and OIDC land here (see DESIGN.md and the integrations issue).
# Each feature keeps its models in its own package; Django finds them through these imports.

# --- API tokens (integrations/tokens) ---
from integrations.tokens.models import ApiToken, ServiceAccount  # noqa: F401, E402
