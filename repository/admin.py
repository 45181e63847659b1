from django.contrib import admin

from repository.models import Document, DocumentVersion, FieldDefinition, ImportJob, Item, ItemChange, ItemType, Tag


class FieldDefinitionInline(admin.TabularInline):
    model = FieldDefinition
    extra = 1
    fields = ("position", "key", "label", "kind", "required", "choices", "target_type", "help_text")
    fk_name = "item_type"


@admin.register(ItemType)
class ItemTypeAdmin(admin.ModelAdmin):
    """Administrators manage the types of business items and their custom fields here."""

    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FieldDefinitionInline]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    # Items are edited in the application (services keep the history); the admin is for
    # support: restrictions, soft deletion, external ids.
    list_display = ("name", "item_type", "status", "external_id", "deleted_at")
    list_filter = ("item_type", "status")
    search_fields = ("name", "external_id", "slug")
    readonly_fields = ("slug", "normalized_name", "description_html", "fields", "created_by")
    fields = ("item_type", "name", "slug", "status", "external_id", "restricted_to", "owners", "deleted_at", "fields")
    filter_horizontal = ("restricted_to", "owners")


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    readonly_fields = ("number", "original_name", "size", "content_type", "uploaded_by", "created_at")
    fields = readonly_fields
    can_delete = False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("name", "item", "version_count", "deleted_at")
    raw_id_fields = ("item", "created_by", "current_version")
    inlines = [DocumentVersionInline]


@admin.register(ItemChange)
class ItemChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "item", "actor", "action")
    raw_id_fields = ("item", "actor")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "original_name", "item_type", "status", "total_rows")
    readonly_fields = ("counts", "preview", "error")


admin.site.register(Tag)
