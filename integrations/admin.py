# --- Webhooks and feeds ---
import integrations.webhooks.admin  # noqa: F401
# --- end webhooks and feeds ---
