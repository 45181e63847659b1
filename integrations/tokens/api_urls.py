from django.urls import path

from integrations.tokens import api

urlpatterns = [
    path("tokens/", api.tokens, name="api-tokens"),
    path("tokens/<int:pk>/", api.token_detail, name="api-token"),
]
