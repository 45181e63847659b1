# The integrations' API, included under /api/v1/.
from django.urls import path

from integrations.webhooks import api as webhooks

urlpatterns: list = [
    # --- Webhooks ---
    path("webhooks/", webhooks.webhooks, name="api-webhooks"),
    path("webhooks/<int:pk>/", webhooks.webhook, name="api-webhook"),
    path("webhooks/<int:pk>/rotate-secret/", webhooks.rotate_secret, name="api-webhook-rotate-secret"),
    path("webhooks/<int:pk>/deliveries/", webhooks.deliveries, name="api-webhook-deliveries"),
    path("webhooks/<int:pk>/test/", webhooks.send_test, name="api-webhook-test"),
    # --- end webhooks ---
]
