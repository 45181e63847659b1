from django.urls import path

from communities.notifications import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/unread-count/", api.UnreadCountView.as_view(), name="api-notifications-unread-count"),
    path("notifications/read-all/", api.MarkAllReadView.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", api.MarkReadView.as_view(), name="api-notification-read"),
    path("notifications/preferences/", api.PreferencesView.as_view(), name="api-notification-preferences"),
    path("notifications/mutes/", api.MuteListView.as_view(), name="api-notification-mutes"),
    path("notifications/mutes/<int:pk>/", api.MuteDetailView.as_view(), name="api-notification-mute"),
    path("live/catch-up/", api.CatchUpView.as_view(), name="api-live-catch-up"),
]
