import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from rse.lib.files import RandomName
from rse.lib.jobs import Trackable
from rse.lib.models import TimeStampedModel


class Site(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return self.name


class OrgUnit(TimeStampedModel):
    """A node of the organisation tree: division → department → team."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DIVISION = "division", _("Division")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self):
        return self.name


class Skill(TimeStampedModel):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        return self.name


class Profile(TimeStampedModel):
    """What colleagues see of a person. One per user, created with the user."""

    class Visibility(models.TextChoices):
        COLLEAGUES = "colleagues", _("Colleagues")
        NOBODY = "nobody", _("Nobody")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    employee_id = models.CharField(_("employee id"), max_length=64, null=True, blank=True, unique=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name=_("org unit")
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="people", verbose_name=_("site")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_report_profiles",
        verbose_name=_("manager"),
    )
    phone_work = models.CharField(_("work phone"), max_length=40, blank=True)
    phone_mobile = models.CharField(_("mobile phone"), max_length=40, blank=True)
    phone_mobile_visibility = models.CharField(
        _("who sees my mobile phone"), max_length=16, choices=Visibility.choices, default=Visibility.COLLEAGUES
    )
    languages = models.CharField(
        _("languages"), max_length=120, blank=True, help_text=_("Comma-separated codes: fr, en")
    )
    bio_md = models.TextField(_("about me"), blank=True)
    bio_html = models.TextField(blank=True, editable=False)
    # Served to every signed-in person by rse.lib.files.media, under a random name.
    photo = models.ImageField(_("photo"), upload_to=RandomName("photos"), blank=True, max_length=200)
    search_name = models.CharField(max_length=320, blank=True, db_index=True, editable=False)
    # First-steps assistant state: steps the person chose to skip, and whether they closed it.
    first_steps_skipped = models.JSONField(default=list, blank=True, editable=False)
    first_steps_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class UserSkill(TimeStampedModel):
    """A skill a person declares ("ask me about")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="user_skills")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="user_skill_unique")]

    def __str__(self):
        return f"{self.user} — {self.skill}"


class Follow(TimeStampedModel):
    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set")
    followed = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_unique"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followed")), name="follow_not_self"),
        ]

    def __str__(self):
        return f"{self.follower} → {self.followed}"


class ProfileLink(TimeStampedModel):
    """An external link shown on a profile (blog, GitHub, LinkedIn…)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile_links")
    label = models.CharField(_("label"), max_length=80)
    url = models.URLField(_("address"), max_length=500)

    class Meta:
        ordering = ["id"]
        verbose_name = _("profile link")
        verbose_name_plural = _("profile links")

    def __str__(self):
        return self.label


class Endorsement(TimeStampedModel):
    """A colleague vouches for a declared skill."""

    user_skill = models.ForeignKey(UserSkill, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_given")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_skill", "endorser"], name="endorsement_unique")]

    def __str__(self):
        return f"{self.endorser} endorses {self.user_skill}"


class FollowSuggestion(TimeStampedModel):
    """A colleague suggested to follow from an outside source (a LinkedIn connection found among colleagues)."""

    class Source(models.TextChoices):
        LINKEDIN = "linkedin", _("LinkedIn connection")
        CONTACTS = "contacts", _("In your contacts")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_suggestions")
    suggested = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "suggested", "source"], name="follow_suggestion_unique")]

    def __str__(self):
        return f"{self.user} → {self.suggested} ({self.source})"


def contact_photo_path(instance, filename):
    return f"contacts/{uuid.uuid4().hex}.jpg"


class Contact(TimeStampedModel):
    """One entry of a person's contact book: a starred colleague or an external contact."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts")
    colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("colleague"),
    )
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    emails = models.JSONField(_("e-mail addresses"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # A small JPEG under an unguessable name, served only to the owner (views.contact_photo).
    photo = models.ImageField(_("photo"), upload_to=contact_photo_path, blank=True)
    item = models.ForeignKey(
        "repository.Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("customer or partner"),
    )
    # Natural key used by imports to recognise the same person again: first e-mail, else name + company.
    match_key = models.CharField(max_length=320, editable=False)
    search_text = models.CharField(max_length=600, blank=True, editable=False)
    # The name folded (case, accents): "Élodie" sorts with the E, not after "Walter".
    sort_name = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["sort_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["owner", "match_key"], name="contact_unique_match_key"),
            models.UniqueConstraint(
                fields=["owner", "colleague"],
                condition=models.Q(colleague__isnull=False),
                name="contact_unique_colleague",
            ),
        ]
        indexes = [models.Index(fields=["owner", "sort_name", "id"])]

    def __str__(self):
        return self.name

    @property
    def is_colleague(self):
        return self.colleague_id is not None


class ImportJob(TimeStampedModel, Trackable):
    """An upload between preview and confirm: the parsed rows wait here, then a task applies them
    (a job of rse/lib/jobs.py once confirmed: stalled, retried, cancelled like every long job)."""

    class Kind(models.TextChoices):
        VCARD = "vcard", _("vCard")
        CSV = "csv", _("CSV contacts")
        LINKEDIN = "linkedin", _("LinkedIn connections")
        HR = "hr", _("HR employee list")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    filename = models.CharField(max_length=255, blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    # Valid rows as parsed at upload ({"line": n, "data": {...}}), rejected rows with their reason,
    # and errors that block the whole import (a manager cycle).
    rows = models.JSONField(default=list, blank=True)
    rejected = models.JSONField(default=list, blank=True)
    blocking_errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def status_label(self):
        """What the lists say: a file refused as a whole is not "waiting for confirmation"."""
        if self.status == self.Status.PREVIEW and self.blocking_errors:
            return _("Refused: see why")
        return self.get_status_display()

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0


@receiver(post_delete, sender=Contact)
def delete_contact_photo(sender, instance, **kwargs):
    """However a contact goes (deleted, unstarred, its owner anonymised), its photo file goes too,
    once the deletion is committed."""
    if instance.photo:
        name, storage = instance.photo.name, instance.photo.storage
        transaction.on_commit(lambda: storage.delete(name))
