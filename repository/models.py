from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class Item(TimeStampedModel, SoftDeleteModel):
    """One business item, one copy. Conversations anywhere link to it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        ARCHIVED = "archived", _("Archived")

    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="items", verbose_name=_("type"))
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description_md = models.TextField(_("description"), blank=True)
    description_html = models.TextField(blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    external_id = models.CharField(
        _("external id"), max_length=120, blank=True, help_text=_("The id of this item in the CRM or ERP.")
    )
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="owned_items")
    restricted_to = models.ManyToManyField(
        Group, blank=True, related_name="+", help_text=_("Empty: visible company-wide.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "external_id"], condition=~Q(external_id=""), name="item_unique_external_id"
            )
        ]

    def __str__(self):
        return self.name


class ItemFollow(TimeStampedModel):
    """Following an item brings its new conversations into the follower's feed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="item_follows")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="follows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="item_follow_unique")]

    def __str__(self):
        return f"{self.user} follows {self.item}"
