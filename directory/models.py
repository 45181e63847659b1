from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    photo = models.ImageField(_("photo"), upload_to="photos/", blank=True)
    search_name = models.CharField(max_length=320, blank=True, db_index=True, editable=False)

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
