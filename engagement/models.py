"""Engagement: the analytics settings, opt-outs, HR exports and their audit log, objectives."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rse.lib.jobs import Job

ABSOLUTE_MIN_GROUP_SIZE = 3  # whatever the setting says, no figure ever covers fewer people


class EngagementSettings(models.Model):
    """One row (pk=1): what the company decided with its works council."""

    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=5,
        validators=[MinValueValidator(ABSOLUTE_MIN_GROUP_SIZE), MaxValueValidator(1000)],
        help_text=_("Groups of fewer people are merged into “other”; never below 3."),
    )
    individual_rows = models.BooleanField(
        _("allow individual rows in exports"),
        default=False,
        help_text=_("Pseudonymised unless names are allowed too; never for people who opted out."),
    )
    individual_names = models.BooleanField(_("show names in individual rows"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("engagement settings")
        verbose_name_plural = _("engagement settings")

    def __str__(self):
        return "engagement settings"


class AnalyticsOptOut(models.Model):
    """This person is left out of every computation from the next one on. Nobody can list these
    rows but the person (no admin page, no API, no export)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="analytics_opt_out")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"opt-out {self.user_id}"


class PrivateStorage(FileSystemStorage):
    """Export files live outside MEDIA_ROOT (RSE_PRIVATE_ROOT): they are only ever served by a
    view that checks access. The folder is read from the settings at each use (tests move it)."""

    @property
    def base_location(self):
        return str(settings.RSE_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def deconstruct(self):
        return ("engagement.models.PrivateStorage", (), {})


private_storage = PrivateStorage()


def _export_path(export, filename):
    return f"engagement/exports/{export.pk}/{filename}"


class Export(Job):
    class Granularity(models.TextChoices):
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")

    class GroupBy(models.TextChoices):
        ORG_UNIT = "org_unit", _("Org unit")
        SITE = "site", _("Site")
        COMMUNITY = "community", _("Community")
        TITLE = "title", _("Job title")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Source(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")
        COMMAND = "command", _("Command line")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    since = models.DateField(_("from"))
    until = models.DateField(_("until (included)"))
    granularity = models.CharField(_("granularity"), max_length=8, choices=Granularity.choices)
    group_by = models.CharField(_("grouping"), max_length=16, choices=GroupBy.choices)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    individual_rows = models.BooleanField(_("individual rows"), default=False)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    file = models.FileField(storage=private_storage, upload_to=_export_path, max_length=300, blank=True)
    rows = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_group_by_display()} · {self.since:%Y-%m-%d} → {self.until:%Y-%m-%d}"

    @property
    def filename(self) -> str:
        return f"engagement-{self.group_by}-{self.granularity}-{self.since:%Y%m%d}-{self.until:%Y%m%d}.{self.format}"


class ExportAudit(models.Model):
    """Who exported what, when, how many rows: shown to the works council. Never deleted with the file."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)  # kept when the account is gone
    export = models.OneToOneField(Export, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    source = models.CharField(max_length=8, choices=Export.Source.choices)
    parameters = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.rows} rows"


class Objective(models.Model):
    """A target for one KPI of the catalogue (engagement/kpis.py) over a period, for a community
    or, without one, for the whole company."""

    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="objectives"
    )
    kpi = models.CharField(_("indicator"), max_length=32)
    target = models.FloatField(_("target"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (included)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["community", "starts_on"], name="objective_community_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="objective_period")
        ]

    def __str__(self):
        return f"{self.kpi_label} ≥ {self.target:g}"

    @property
    def kpi_label(self) -> str:
        from engagement.kpis import Kpi

        return Kpi(self.kpi).label if self.kpi in Kpi.values else self.kpi


class ActivityRollup(models.Model):
    """What one person did in one community over one day, week or calendar month: the daily
    roll-up the dashboards, objectives and exports read instead of scanning every post, comment
    and reaction (engagement/rollup.py). Rows with no community are the person's totals over all
    communities. Days are the company's calendar days (TIME_ZONE), weeks start on Monday. Only
    alive content by anyone is counted here; who may be counted (opt-outs, inactive accounts) is
    decided when reading."""

    class Span(models.TextChoices):
        DAY = "d", _("Day")
        WEEK = "w", _("Week")
        MONTH = "m", _("Month")

    span = models.CharField(max_length=1, choices=Span.choices)
    start = models.DateField()
    # No index of their own: rows are read by (span, start); a deleted person or community is rare.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    community = models.ForeignKey(
        "communities.Community", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    posts = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    reactions = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["span", "start", "community"], name="rollup_span_start_idx")]

    def __str__(self):
        return f"{self.span} {self.start} {self.user_id} {self.community_id}"


class RollupState(models.Model):
    """One row (pk=1): the roll-up holds what was created before `rolled_at` (its day in part);
    what came later is read from the content tables themselves."""

    rolled_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"rolled at {self.rolled_at}"
