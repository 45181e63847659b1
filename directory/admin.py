from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from directory import services
from directory.models import Contact, Endorsement, ImportJob, OrgUnit, Profile, Site, Skill


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "country")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "city")


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.action(description=_("Anonymise the selected leavers (irreversible)"))
def anonymise_leavers(modeladmin, request, queryset):
    done = 0
    for profile in queryset.select_related("user"):
        try:
            services.do_anonymise_user(request.user, profile.user)
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(
                request, f"{profile.user}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("%(n)d people anonymised.") % {"n": done}, messages.SUCCESS)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "employee_id", "job_title", "org_unit", "site", "anonymised_at")
    list_filter = ("org_unit", "site", "user__is_active")
    search_fields = ("search_name", "employee_id", "user__email")
    raw_id_fields = ("user", "manager")
    actions = [anonymise_leavers]


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    list_display = ("user_skill", "endorser", "created_at")
    raw_id_fields = ("user_skill", "endorser")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "owner", "colleague")
    search_fields = ("search_text",)
    raw_id_fields = ("owner", "colleague", "item")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "owner", "filename", "total", "created_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("owner",)
    readonly_fields = ("rows", "rejected", "blocking_errors", "preview", "result")
