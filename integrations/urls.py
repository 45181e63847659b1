from django.urls import path

from integrations.webhooks import views as webhooks

app_name = "integrations"

urlpatterns = [
    # --- Webhooks ---
    path("integrations/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("integrations/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook_detail"),
    path("integrations/webhooks/<int:pk>/<str:action>/", webhooks.webhook_action, name="webhook_action"),
    path("c/<slug:slug>/webhooks/", webhooks.community_webhooks, name="community_webhooks"),
    # --- end webhooks ---
]
