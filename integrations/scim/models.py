from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScimIdentity(models.Model):
    """What an identity provider knows a person by: its userName (a UPN need not be the e-mail) and
    externalId. A person deleted over SCIM is deactivated, keeps their content, and is no longer a
    SCIM resource (404) until the provider creates them again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identity", primary_key=True
    )
    user_name = models.CharField(_("SCIM userName"), max_length=254, unique=True)
    external_id = models.CharField(_("SCIM externalId"), max_length=254, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SCIM identity")
        verbose_name_plural = _("SCIM identities")

    def __str__(self):
        return self.user_name
