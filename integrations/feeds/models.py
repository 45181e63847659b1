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


class FeedSubscription(models.Model):
    """An external RSS/Atom feed an animator subscribed a community to."""

    class Mode(models.TextChoices):
        PUBLISH = "publish", _("Publish new entries as posts")
        QUEUE = "queue", _("Queue new entries for an animator to pick")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="feed_subscriptions")
    url = models.URLField(_("feed URL"), max_length=500)
    title = models.CharField(_("title"), max_length=200, blank=True)
    mode = models.CharField(_("new entries"), max_length=16, choices=Mode.choices, default=Mode.QUEUE)
    # The animator who subscribed: the author of the posts made from its entries.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Conditional GET: what the server answered last time.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Consecutive failed fetches: each one doubles the wait before the next try (per feed).
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["community", "id"]
        verbose_name = _("feed subscription")
        verbose_name_plural = _("feed subscriptions")
        constraints = [models.UniqueConstraint(fields=["community", "url"], name="feed_subscription_once")]

    def __str__(self):
        return self.title or self.url


class FeedEntry(models.Model):
    """One entry of a subscribed feed, seen once (unique per feed by its id): queued, published or
    dismissed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for an animator")
        PUBLISHED = "published", _("Published")
        DISMISSED = "dismissed", _("Dismissed")

    subscription = models.ForeignKey(FeedSubscription, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=64)  # sha256 of the entry's id (ids can be long URLs)
    entry_id = models.CharField(max_length=500)
    title = models.CharField(max_length=200, blank=True)
    link = models.URLField(max_length=500, blank=True)
    summary_html = models.TextField(blank=True)  # sanitised (rse.lib.markdown.sanitize_html)
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    post = models.ForeignKey("communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        constraints = [models.UniqueConstraint(fields=["subscription", "key"], name="feed_entry_once")]
        indexes = [models.Index(fields=["subscription", "status"], name="feed_entry_status_idx")]

    def __str__(self):
        return self.title or self.entry_id
