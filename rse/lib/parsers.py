"""The API's request parsers (settings REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

A module of its own: rest_framework.views reads that setting when it is imported, so the
parsers must not live beside code that imports rest_framework.views (rse.lib.api).
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    """Every endpoint takes a JSON object: `[1]`, `null` or `"text"` is answered 400 here, once,
    rather than reaching views that read fields from it (an AttributeError, a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("Send a JSON object."))
        return data
