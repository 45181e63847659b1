"""DRF building blocks shared by every app's api.py."""

import logging
import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import pagination, serializers, status
from rest_framework.exceptions import ErrorDetail, Throttled
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import exception_handler as drf_exception_handler

from rse.lib.cursor import InvalidCursor
from rse.lib.ratelimit import retry_after, wait_message

logger = logging.getLogger(__name__)


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination for every list endpoint (never OFFSET)."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100


class StrictCharField(serializers.CharField):
    """Text and only text: DRF's CharField turns 42 into "42", which for an e-mail address or an
    identifier hides a client's mistake."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextListField(serializers.ListField):
    """A list of short texts (tags, poll options), sent as a JSON list, as one text split on
    `separators` ("Lean, kaizen"), or as a form field given once or repeated. A number, a boolean
    or an object, or a list holding one, is refused with a reason (it reached the services as a 500)."""

    def __init__(self, *, separators=",\n", max_item_length=200, **kwargs):
        kwargs.setdefault("child", StrictCharField(max_length=max_item_length, allow_blank=True))
        kwargs.setdefault("max_length", 100)
        self.split = re.compile("[" + re.escape(separators) + "]")
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            values = dictionary.getlist(self.field_name)
            return values[0] if len(values) == 1 else values
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [part for part in self.split.split(data) if part.strip()]
        return super().to_internal_value(data)


class OptionalDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time, or nothing ("" or null). Impossible dates (February 30th, hour
    99) are a 400 with a reason; a date without an offset is in the site's time zone."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data == "":
            return True, None
        return super().validate_empty_values(data)


def text_field(**kwargs):
    """Free text as typed (markdown: leading spaces matter), blank allowed; NUL is refused by
    DRF's CharField (PostgreSQL cannot store it)."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("allow_null", True)
    kwargs.setdefault("trim_whitespace", False)
    return serializers.CharField(**kwargs)


def validated(serializer_class, data, **kwargs) -> dict:
    """The input checked by `serializer_class` (a 400 with a reason per field otherwise)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


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
