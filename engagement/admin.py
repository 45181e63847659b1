"""Administrators switch individual rows on and set the minimum group size here. Opt-outs have no
admin page on purpose: nobody may list who opted out."""

from django.contrib import admin

from engagement.models import EngagementSettings, Export, ExportAudit, Objective


@admin.register(EngagementSettings)
class EngagementSettingsAdmin(admin.ModelAdmin):
    list_display = ["min_group_size", "individual_rows", "individual_names", "updated_at"]

    def has_add_permission(self, request):
        return not EngagementSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportAudit)
class ExportAuditAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "source", "rows"]
    readonly_fields = ["created_at", "actor", "actor_label", "export", "source", "parameters", "rows"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_by", "group_by", "granularity", "format", "status", "created_at"]
    list_filter = ["status", "group_by"]
    readonly_fields = ["file", "rows", "done", "total", "attempts", "heartbeat_at", "error"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["kpi", "community", "target", "starts_on", "ends_on"]
    list_filter = ["kpi"]
