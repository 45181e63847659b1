"""Engagement reads shared by pages, API and the command line."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from engagement.models import Export, ExportAudit
from engagement.permissions import can_manage_export


def access_export_by_id(user, export_id) -> Export:
    export = get_object_or_404(Export.objects.select_related("requested_by"), pk=export_id)
    if not can_manage_export(user, export):
        raise PermissionDenied(_("This export is for the person who asked for it."))
    return export


def list_exports_for_user(user, limit=10):
    return Export.objects.filter(requested_by=user).order_by("-created_at", "-id")[:limit]


def list_export_audit(limit=200):
    return ExportAudit.objects.select_related("actor").order_by("-created_at", "-id")[:limit]
