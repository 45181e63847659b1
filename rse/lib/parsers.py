"""The API's request parsers (settings REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

A module of its own: rest_framework.views reads that setting when it is imported, so the
parsers must not live beside code that imports rest_framework.views (rse.lib.api).
"""

import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No endpoint takes more than a few levels (an object of lists of objects); the margin is for
# clients that wrap. Deeper is an attack or a bug: refused before any code walks it recursively.
MAX_JSON_DEPTH = 32


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_depth(data) -> int:
    """How deeply lists and objects nest in `data`, counted without recursion."""
    return _walk(data)[0]


def _walk(data) -> tuple[int, bool]:
    """(nesting depth, whether some key or text holds a lone surrogate), without recursion; the
    count stops past MAX_JSON_DEPTH."""
    deepest, surrogate, stack = 0, False, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            surrogate = surrogate or bool(_SURROGATE.search(value))
            continue
        if isinstance(value, dict):
            children = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest, surrogate


class ObjectJSONParser(JSONParser):
    """Every endpoint takes a JSON object: `[1]`, `null` or `"text"` is answered 400 here, once,
    rather than reaching views that read fields from it (an AttributeError, a 500). So is an object
    nested deeper than MAX_JSON_DEPTH: ~1,000 levels make Python's decoder raise RecursionError,
    which DRF does not catch (a 500), and fewer would still recurse in serializers and services.
    A lone surrogate ("\\ud800") is valid JSON but not text: no database stores it and an error
    message quoting it could not even be encoded as the answer (a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(_("The JSON is nested too deeply: at most %(max)d levels.") % {"max": MAX_JSON_DEPTH})
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if not isinstance(data, dict):
            raise ParseError(_("Send a JSON object."))
        depth, surrogate = _walk(data)
        if depth > MAX_JSON_DEPTH:
            raise too_deep
        if surrogate:
            raise ParseError(_("The JSON holds a lone surrogate (a broken character), which is not text."))
        return data
