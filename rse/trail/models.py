from django.conf import settings
from django.db import models
from django.utils import timezone


class Event(models.Model):
    """One line of the activity trail: who did what to which object, when.

    Written by services in the same transaction as the change, never updated. Analytics
    (engagement/) aggregate it with GROUP BY on (verb, community_id, day); exports never
    expose single rows. `object_type` is "app.model" so the trail needs no foreign keys
    into upper apps.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    community_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["verb", "created_at"]),
            models.Index(fields=["community_id", "created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}#{self.object_id}"
