"""Admin for notifications. communities/admin.py imports this module (admin autodiscovery
only finds <app>.admin)."""

from django.contrib import admin

from communities.models import Mute, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "actor", "channel", "read_at", "emailed_at")
    list_filter = ("kind", "channel")
    raw_id_fields = ("recipient", "actor", "community", "post", "comment")
    search_fields = ("recipient__email",)
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "channel", "updated_at")
    list_filter = ("kind", "channel")
    raw_id_fields = ("user",)


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "post", "created_at")
    raw_id_fields = ("user", "community", "post")
