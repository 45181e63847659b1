"""Feeding (watering): recurring prompts, nudges, welcome and come-back messages, the digest of
what matters, pulses."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rse.lib.models import TimeStampedModel

# --- Per-community settings ------------------------------------------------------------------


class FeedingSettings(models.Model):
    """A community's feeding settings; a community without a row has the defaults."""

    DEFAULT_NUDGE_AFTER_HOURS = 24

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, related_name="feeding_settings")
    nudge_after_hours = models.PositiveSmallIntegerField(
        _("suggest an unanswered question to experts after (hours)"),
        default=DEFAULT_NUDGE_AFTER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    nudges_enabled = models.BooleanField(_("suggest unanswered questions to experts"), default=True)
    welcome_md = models.TextField(_("welcome message"), blank=True)
    welcome_html = models.TextField(blank=True, editable=False)
    welcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"feeding settings of {self.community_id}"


# --- Recurring prompts -----------------------------------------------------------------------


class PromptSchedule(TimeStampedModel):
    """ "Question of the week": every week on `weekday` at `hour` (the server's time zone), the
    next prompt of the list is published by `author`."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        DISCUSSION = "discussion", _("Discussion")

    community = models.OneToOneField("communities.Community", on_delete=models.CASCADE, related_name="prompt_schedule")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(
        _("day"), default=0, validators=[MaxValueValidator(6)], help_text=_("0 is Monday.")
    )
    hour = models.PositiveSmallIntegerField(_("hour"), default=9, validators=[MaxValueValidator(23)])
    kind = models.CharField(_("published as"), max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    active = models.BooleanField(_("active"), default=True)
    # Slots before this moment are never published (a schedule switched on does not catch up on
    # the weeks it was off).
    active_since = models.DateTimeField()
    dry_warned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"prompts of {self.community_id}"


class Prompt(TimeStampedModel):
    """One prompt of the list, drawn in order (position, id). `slot_at` is the weekly slot it
    was published for: unique per community, so a slot is never published twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Could not be published")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="prompts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("question"), max_length=200)
    body_md = models.TextField(_("details"), blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    slot_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    post = models.OneToOneField(
        "communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="prompted_by"
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slot_at"], condition=Q(slot_at__isnull=False), name="prompt_one_per_slot"
            )
        ]

    def __str__(self):
        return self.title


# --- Nudges ------------------------------------------------------------------------------------


class QuestionNudge(models.Model):
    """A question that was looked at by the nudge job (whoever it found): looked at once."""

    post = models.OneToOneField("communities.Post", on_delete=models.CASCADE, related_name="nudge_state")
    created_at = models.DateTimeField()
    nudged = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"nudges for {self.post_id}"


class Nudge(models.Model):
    """One person told of one question (at most 3 per question, 3 per person and week)."""

    post = models.ForeignKey("communities.Post", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="nudge_once_per_question")]
        indexes = [models.Index(fields=["user", "-created_at"], name="nudge_user_week_idx")]

    def __str__(self):
        return f"nudge {self.user_id} about {self.post_id}"


# --- Messages from the animators ---------------------------------------------------------------


class AnimatorMessage(TimeStampedModel):
    """Words an animator sends by hand to chosen members ("we miss you"): never automatic."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body_md = models.TextField(_("message"))
    body_html = models.TextField(blank=True, editable=False)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.body_md[:60]


# --- Digest ---------------------------------------------------------------------------------


class DigestSubscription(models.Model):
    """Someone who asked for the digest of what matters (opt-in: no row, no such e-mail)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (on Monday)")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscription")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user_id}: {self.frequency}"


class DigestDelivery(models.Model):
    """One digest per person and period ("2026-11-27", "2026-W48"), claimed before sending."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=16)
    claimed_at = models.DateTimeField()
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_once_per_period")]

    def __str__(self):
        return f"digest {self.period} for {self.user_id}"


# --- Pulses ------------------------------------------------------------------------------------


class Pulse(TimeStampedModel):
    """A short survey: always "how likely are you to recommend this community to a colleague?"
    (0–10), plus up to 3 optional open questions. Engagement reads it (selectors.nps_for)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="pulses")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="pulse_community_idx")]

    def __str__(self):
        return f"pulse {self.pk} of {self.community_id}"


class PulseQuestion(models.Model):
    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=200)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class PulseResponse(models.Model):
    """One answer per person and pulse (the constraint is the rule)."""

    pulse = models.ForeignKey(Pulse, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pulse", "user"], name="pulse_one_answer_per_person"),
            models.CheckConstraint(condition=Q(score__lte=10), name="pulse_score_0_10"),
        ]
        indexes = [models.Index(fields=["pulse", "created_at"], name="pulse_response_idx")]

    def __str__(self):
        return f"{self.score} on pulse {self.pulse_id}"


class PulseAnswer(models.Model):
    """The text answer to one optional question."""

    response = models.ForeignKey(PulseResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(PulseQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="pulse_answer_unique")]

    def __str__(self):
        return self.text[:60]


__all__ = [
    "AnimatorMessage", "DigestDelivery", "DigestSubscription", "FeedingSettings", "Nudge", "Prompt",
    "PromptSchedule", "Pulse", "PulseAnswer", "PulseQuestion", "PulseResponse", "QuestionNudge",
]  # fmt: skip
