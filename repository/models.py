import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rse.lib.jobs import Trackable
from rse.lib.models import SoftDeleteModel, TimeStampedModel


class ItemType(TimeStampedModel):
    """Customer, product, project, process, site, glossary term… managed by administrators."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("item type")
        verbose_name_plural = _("item types")

    def __str__(self):
        return self.name


class FieldDefinition(models.Model):
    """One typed custom field of an item type. Values live in Item.fields[key]."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        URL = "url", _("URL")
        CHOICE = "choice", _("Choice")
        PERSON = "person", _("Person")
        ITEM = "item", _("Link to another item")

    item_type = models.ForeignKey(ItemType, on_delete=models.CASCADE, related_name="field_definitions")
    key = models.SlugField(
        _("key"), max_length=50, help_text=_("Column name in CSV imports and key in the API, e.g. 'siret'.")
    )
    label = models.CharField(_("label"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("For a choice field: one choice per line."))
    target_type = models.ForeignKey(
        ItemType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("linked item type"),
        help_text=_("For a link to another item: the type of the linked item (empty: any type)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["item_type", "position", "id"]
        verbose_name = _("field definition")
        verbose_name_plural = _("field definitions")
        constraints = [models.UniqueConstraint(fields=["item_type", "key"], name="field_definition_unique_key")]

    def __str__(self):
        return f"{self.item_type}: {self.label}"

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Item(TimeStampedModel, SoftDeleteModel):
    """One business item, one copy. Conversations anywhere link to it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        ARCHIVED = "archived", _("Archived")

    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="items", verbose_name=_("type"))
    name = models.CharField(_("name"), max_length=200)
    # casefolded, accents stripped (rse.lib.text.normalize): duplicate detection on SQLite.
    normalized_name = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description_md = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    external_id = models.CharField(
        _("external id"), max_length=120, blank=True, help_text=_("The id of this item in the CRM or ERP.")
    )
    fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="items", verbose_name=_("tags"))
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="owned_items")
    restricted_to = models.ManyToManyField(
        Group, blank=True, related_name="+", help_text=_("Empty: visible company-wide.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Filled on PostgreSQL only (services.update_search_vector); NULL and unused on SQLite.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "external_id"], condition=~Q(external_id=""), name="item_unique_external_id"
            )
        ]
        indexes = [models.Index(fields=["item_type", "name", "id"], name="item_type_name_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("repository:item", args=[self.slug])


class ItemRelation(TimeStampedModel):
    """A typed link between two items (project → customer), materialised from 'link to another item'
    custom fields so that both sides can show it with one indexed query."""

    source = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="outgoing_relations")
    target = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="incoming_relations")
    field_key = models.SlugField(max_length=50)
    label = models.CharField(max_length=80)

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "field_key"], name="item_relation_unique_field"),
        ]

    def __str__(self):
        return f"{self.source} → {self.label} → {self.target}"


class ItemFollow(TimeStampedModel):
    """Following an item brings its new conversations into the follower's feed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="item_follows")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="follows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="item_follow_unique")]

    def __str__(self):
        return f"{self.user} follows {self.item}"


class ItemChange(models.Model):
    """History: who changed what and when. `changes` maps a field to [before, after]."""

    class Action(models.TextChoices):
        CREATED = "created", _("created the item")
        UPDATED = "updated", _("edited the item")
        IMPORTED = "imported", _("synchronised the item")
        DOCUMENT_ADDED = "document_added", _("added a document")
        VERSION_ADDED = "version_added", _("uploaded a new version")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item", "-created_at", "-id"], name="item_change_item_idx")]

    def __str__(self):
        return f"{self.item} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


def document_upload_to(version, filename):
    # Files are served by a view that checks the item's visibility; the random part keeps them
    # unguessable even where the media folder is published (DEBUG, a misconfigured proxy).
    token = secrets.token_urlsafe(12)
    return f"repository/{version.document.item_id}/{version.document_id}/v{version.number}-{token}/{filename[-80:]}"


class Document(TimeStampedModel, SoftDeleteModel):
    """A document attached to an item; its content lives in numbered versions."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version_count = models.PositiveIntegerField(default=0)
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.name


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120, blank=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique_number")]

    def __str__(self):
        return f"{self.document} v{self.number}"


class ImportJob(TimeStampedModel, Trackable):
    """A CSV import: uploaded → validated (preview) → confirmed → applied, watched through `progress`;
    both long steps are jobs of rse/lib/jobs.py (stalled, retried, cancelled like every long job)."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Reading the file")
        PREVIEW = "preview", _("Waiting for confirmation")
        APPLYING = "applying", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    item_type = models.ForeignKey(ItemType, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="repository/imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # {"create": n, "update": n, "skip": n, "reject": n}
    counts = models.JSONField(default=dict, blank=True)
    # [{"line": 3, "action": "create"|"update"|"skip"|"reject", "external_id": ..., "name": ..., "reason": ...}]
    preview = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"import #{self.pk} {self.original_name}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.PREVIEW) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
