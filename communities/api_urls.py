from django.urls import include, path

urlpatterns: list = [
    path("", include("communities.notifications.api_urls")),
]
