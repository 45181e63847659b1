from django.contrib import admin

from integrations.webhooks.models import AllowedHost, Delivery, Endpoint


@admin.register(AllowedHost)
class AllowedHostAdmin(admin.ModelAdmin):
    """Hosts on the internal network that webhooks may reach (the SSRF rule's exceptions)."""

    list_display = ["host", "note", "created_at"]
    search_fields = ["host", "note"]


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "community", "created_by", "is_active", "failing_since", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    raw_id_fields = ["community", "created_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "event_type", "endpoint", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event_type"]
    raw_id_fields = ["endpoint"]
