"""DRF building blocks shared by every app's api.py."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import pagination, status
from rest_framework.exceptions import ErrorDetail, Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from rse.lib.cursor import InvalidCursor
from rse.lib.ratelimit import retry_after, wait_message

logger = logging.getLogger(__name__)


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination for every list endpoint (never OFFSET)."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100


def exception_handler(exc, context):
    """Map domain errors to 4xx answers with a reason, so bad input never gives a 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidCursor):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or _("You do not have permission.")}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Throttled) and getattr(exc.detail, "code", None) == "throttled":
        exc.detail = ErrorDetail(wait_message(retry_after(exc.wait)), code="throttled")  # translated
    return drf_exception_handler(exc, context)
