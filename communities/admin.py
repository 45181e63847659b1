from django.contrib import admin

from communities.models import Comment, Community, Membership, Post, Tag


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "invited_by"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "visibility", "members_count", "posts_count", "last_activity_at", "deleted_at"]
    list_filter = ["visibility"]
    search_fields = ["name", "slug"]
    readonly_fields = ["members_count", "posts_count", "description_html"]
    raw_id_fields = ["created_by"]
    inlines = [MembershipInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "community", "author", "kind", "created_at", "deleted_at"]
    list_filter = ["kind"]
    search_fields = ["title", "body_md"]
    raw_id_fields = ["community", "author", "accepted_comment", "shared_from", "items"]
    readonly_fields = ["body_html", "comments_count", "reactions_count", "acks_count"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "post", "author", "created_at", "deleted_at"]
    raw_id_fields = ["post", "author", "parent", "items"]
    readonly_fields = ["body_html", "reactions_count"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    filter_horizontal = []
    raw_id_fields = ["communities", "posts"]


from communities.notifications import admin as _notifications_admin  # noqa: E402, F401 - registers the notification models
