from django.contrib import admin

from rse.trail.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "verb", "actor", "object_type", "object_id", "community_id")
    list_filter = ("verb",)
    date_hierarchy = "created_at"
    raw_id_fields = ("actor",)
