from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rse.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Tasks written but not yet done: a long list means the broker or the workers are down;
    rows at the send limit are dead letters waiting for a look."""

    list_display = ["id", "task", "created_at", "sent_at", "sends", "last_error"]
    list_filter = ["task"]
    readonly_fields = ["task", "args", "kwargs", "created_at", "sent_at", "sends", "last_error"]
    actions = ["send_again"]

    @admin.action(description=_("Send again now"))
    def send_again(self, request, queryset):
        from rse.lib.outbox import send_now

        queryset.update(sent_at=None, sends=0)
        send_now(list(queryset.order_by("id")))
