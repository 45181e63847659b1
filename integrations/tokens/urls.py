from django.urls import path

from integrations.tokens import views

app_name = "tokens"
urlpatterns = [
    path("tokens/", views.my_tokens, name="mine"),
    path("tokens/<int:token_id>/revoke/", views.revoke, name="revoke"),
    path("service-accounts/", views.service_accounts, name="service_accounts"),
    path("service-accounts/<int:account_id>/", views.service_account, name="service_account"),
]
