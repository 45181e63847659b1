"""Weeding (pruning): flags and the moderation queue, the audit log, keyword rules, archive
proposals for stale content."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# --- Per-community settings ------------------------------------------------------------------


class WeedingSettings(models.Model):
    """A community's weeding settings; a community without a row has the defaults."""

    DEFAULT_FLAG_THRESHOLD = 3
    DEFAULT_STALE_AFTER_DAYS = 90

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, related_name="weeding_settings")
    flag_threshold = models.PositiveSmallIntegerField(
        _("hide an item pending review after this many people flag it"),
        default=DEFAULT_FLAG_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    stale_after_days = models.PositiveSmallIntegerField(
        _("propose archiving after this many days without activity"),
        default=DEFAULT_STALE_AFTER_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"weeding settings of {self.community_id}"


# --- Flags and the moderation queue ----------------------------------------------------------


class ModerationCase(models.Model):
    """One post or comment waiting for an animator's decision: flagged by readers or held by a
    keyword rule. At most one pending case per item (constraints); a decided case stays as history."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        DECIDED = "decided", _("Decided")

    class Source(models.TextChoices):
        FLAGS = "flags", _("Flagged by readers")
        RULE = "rule", _("Held by a keyword rule")

    class Action(models.TextChoices):
        KEEP = "keep", _("Keep (dismiss the flags)")
        HIDE = "hide", _("Hide")
        REMOVE = "remove", _("Remove (the author is told why)")
        EDIT = "edit", _("Edit")
        LOCK = "lock", _("Lock the conversation")
        WARN = "warn", _("Warn the author")
        SUSPEND = "suspend", _("Suspend the author from the community")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("communities.Post", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "communities.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FLAGS)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    rule = models.ForeignKey("KeywordRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    held_reason = models.CharField(max_length=300, blank=True)
    flags_count = models.PositiveIntegerField(default=0)
    # Hidden by this case (threshold reached or held by a rule): "keep" shows it again.
    hid_item = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=Action.choices, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(status="pending", comment__isnull=True), name="moderation_one_pending_post"
            ),
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(status="pending", comment__isnull=False),
                name="moderation_one_pending_comment",
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["community", "status", "-created_at"], name="moderation_queue_idx")]

    def __str__(self):
        return f"moderation case {self.pk} ({self.status})"

    @property
    def target(self):
        return self.comment if self.comment_id else self.post


class Flag(models.Model):
    """One reader's report of one item, attached to that item's case (one flag per person and case)."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFF_TOPIC = "off-topic", _("Off-topic")
        OFFENSIVE = "offensive", _("Offensive")
        CONFIDENTIAL = "confidential", _("Confidential information")
        OTHER = "other", _("Other")

    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "reporter"], name="flag_one_per_reporter")]

    def __str__(self):
        return f"{self.reason} flag on case {self.case_id}"


# --- Audit log -------------------------------------------------------------------------------


AUDIT_ACTIONS = {
    "auto_hide": _("hidden by flags"), "held": _("held by a rule"), "keep": _("kept"), "hide": _("hidden"),
    "remove": _("removed"), "edit": _("edited"), "lock": _("locked"), "unlock": _("unlocked"), "warn": _("warned"),
    "suspend": _("suspended"), "delete": _("deleted"), "pinned": _("pinned"), "unpinned": _("unpinned"),
    "highlighted": _("added to the selection"), "unhighlighted": _("removed from the selection"),
    "remove_member": _("member removed"), "role_member": _("made member"), "role_animator": _("made animator"),
    "role_owner": _("made owner"), "rule_created": _("rule created"), "rule_deleted": _("rule deleted"),
    "settings": _("settings changed"), "archive_proposed": _("proposed for archiving"),
    "archive_objected": _("archiving objected"), "archived": _("archived"), "restored": _("restored"),
    "merged": _("merged"),
}  # fmt: skip
AUDIT_TARGETS = {
    "post": _("post"),
    "comment": _("comment"),
    "member": _("member"),
    "rule": _("rule"),
    "community": _("community"),
}


class AuditEntry(models.Model):
    """Who did what, on what, when and why. No foreign key to the item: the entry (with a copy of
    the item's label) outlives the item."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    action = models.CharField(max_length=32)
    target_type = models.CharField(max_length=16)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at", "-id"], name="audit_community_idx")]

    def __str__(self):
        return f"{self.actor_name} {self.action} {self.target_type} {self.target_id}"

    @property
    def action_label(self):
        return AUDIT_ACTIONS.get(self.action, self.action)

    @property
    def target_label_type(self):
        return AUDIT_TARGETS.get(self.target_type, self.target_type)


# --- Keyword rules ---------------------------------------------------------------------------


class KeywordRule(models.Model):
    """Words or a regular expression (RE2: linear time, no catastrophic backtracking) checked on
    every new post and comment of a community, or of every community when `community` is empty."""

    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for review")
        REJECT = "reject", _("Reject with a message")

    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pattern = models.CharField(_("words or regular expression"), max_length=500)
    is_regex = models.BooleanField(_("regular expression"), default=False)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, default=Action.HOLD)
    message = models.CharField(_("message shown to the author"), max_length=300, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.pattern


# --- Stale content ---------------------------------------------------------------------------


class ArchiveProposal(models.Model):
    """A conversation (post) or a whole community without activity, proposed for archiving. The
    owners are warned and may object until `deadline`; then it is archived (beat task)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Proposed")
        OBJECTED = "objected", _("Objected")
        ARCHIVED = "archived", _("Archived")
        CANCELLED = "cancelled", _("Cancelled (activity came back)")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("communities.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_activity_at = models.DateTimeField()
    created_at = models.DateTimeField()
    deadline = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    objected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    objection = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            # One proposal per item and period of inactivity: the detection task run twice finds it.
            models.UniqueConstraint(
                fields=["community", "last_activity_at"],
                condition=Q(post__isnull=True),
                name="archive_one_per_community",
            ),
            models.UniqueConstraint(
                fields=["post", "last_activity_at"], condition=Q(post__isnull=False), name="archive_one_per_post"
            ),
        ]

    def __str__(self):
        return f"archive proposal {self.pk} ({self.status})"
