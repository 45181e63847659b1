from django.urls import include, path

from communities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("items/<int:item_id>/conversations/", views.item_conversations, name="item_conversations"),
    path("notifications/", include("communities.notifications.urls")),
]
