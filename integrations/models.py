# Tokens, webhooks, feeds, SCIM and OIDC land here (see DESIGN.md and the integrations issue).
