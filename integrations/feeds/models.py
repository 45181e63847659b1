"""RSS/Atom: the private key of a person's feed URLs (out) and the external feeds a community
follows (in)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_feed_key() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret part of one person's feed URLs. Kept readable (the profile shows the URLs again);
    it only opens what its owner may read today, checked at every fetch. Regenerating or revoking
    it kills every URL holding the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    key = models.CharField(max_length=64, unique=True, default=new_feed_key)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
