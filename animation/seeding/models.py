"""Seeding (planting): community templates, scheduled posts, champions, bulk invitations and
starter content imported from a CSV."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rse.lib.models import TimeStampedModel


class CommunityTemplate(TimeStampedModel):
    """What a new community starts with: a description, a charter, starter posts, suggested
    hashtags and the text of its objectives. The built-in ones have a `key`; an administrator
    saves any community as a template (`source`)."""

    key = models.SlugField(max_length=40, unique=True, null=True, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    summary = models.CharField(_("summary"), max_length=240, blank=True)
    description_md = models.TextField(_("description"), blank=True)
    charter_md = models.TextField(_("charter"), blank=True)
    tags = models.CharField(_("suggested hashtags"), max_length=400, blank=True, help_text=_("Comma-separated."))
    objectives_md = models.TextField(_("objectives"), blank=True)
    visibility = models.CharField(_("visibility"), max_length=16, default="open")
    source = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("community template")
        verbose_name_plural = _("community templates")

    def __str__(self):
        return self.name


class TemplatePost(models.Model):
    """A starter post of a template (welcome, introduce yourself, FAQ), published at creation."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTION = "question", _("Question")

    template = models.ForeignKey(CommunityTemplate, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200)
    body_md = models.TextField(_("text"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class SeedingSetup(models.Model):
    """Per community: the template it came from, its objectives, and how early its champions
    read the launch posts."""

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, related_name="seeding_setup")
    template = models.ForeignKey(CommunityTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    objectives_md = models.TextField(_("objectives"), blank=True)
    champions_lead_hours = models.PositiveSmallIntegerField(
        _("champions read launch posts this many hours early"), default=24
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"seeding of {self.community_id}"


class Champion(TimeStampedModel):
    """A member the animators chose to read the launch posts before everyone and get things going."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="champions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="champion_unique")]

    def __str__(self):
        return f"champion {self.user_id} of {self.community_id}"


class ScheduledPost(TimeStampedModel):
    """A post written now and published at `publish_at` by Celery beat, exactly once: the task
    claims the row with a conditional UPDATE in the transaction that creates the post, so a
    second run (or a redelivered task after a worker restart) finds it published."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Could not be published")

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTION = "question", _("Question")
        ANNOUNCEMENT = "announcement", _("Announcement")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="scheduled_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body_md = models.TextField(_("text"), blank=True)
    publish_at = models.DateTimeField(_("publish at"))
    is_launch = models.BooleanField(_("launch post: champions read it early"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    post = models.OneToOneField(
        "communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="scheduled_from"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    champions_told_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["publish_at", "id"]
        indexes = [
            models.Index(fields=["publish_at"], condition=Q(status="scheduled"), name="scheduled_post_due_idx"),
            models.Index(fields=["community", "status", "publish_at"], name="scheduled_post_queue_idx"),
        ]

    def __str__(self):
        return self.title or self.body_md[:60]

    @property
    def late_by(self):
        """How late it went out (a worker was down), or None when on time (within 5 minutes)."""
        if self.published_at is None:
            return None
        delay = self.published_at - self.publish_at
        return delay if delay.total_seconds() > 300 else None


class BulkInvitation(TimeStampedModel):
    """People chosen by org unit, site, skill or e-mail list: previewed row by row, then invited
    (communities' invitation: they accept or decline, nobody is added without consent)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=200, blank=True)  # what was chosen, for the page
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    # [{"line", "email", "name", "user_id", "action", "reason"}]: action "invite" or a reason to skip.
    rows = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"bulk invitation {self.pk} ({self.status})"


class StarterImport(TimeStampedModel):
    """A CSV of questions and answers between preview and confirm, then applied by a task."""

    Status = BulkInvitation.Status

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    rows = models.JSONField(default=list, blank=True)  # [{"line", "question", "details", "answer"}]
    rejected = models.JSONField(default=list, blank=True)  # [{"line", "reason"}]
    warnings = models.JSONField(default=list, blank=True)  # what the file holds that is not imported
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"starter content {self.pk} ({self.status})"


__all__ = [
    "BulkInvitation", "Champion", "CommunityTemplate", "ScheduledPost", "SeedingSetup", "StarterImport", "TemplatePost",
]  # fmt: skip
