"""Keyset (cursor) pagination: never OFFSET on large tables (DESIGN: performance).

A cursor is an opaque, URL-safe token holding the sort values of the last row shown.
`paginate(qs, ordering=("-created_at", "-id"), cursor=token, size=20)` returns a Page whose
`next_cursor` is None on the last page. The queryset must be ordered by a unique key
in the end (the id), which `paginate` does itself.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.dateparse import parse_datetime


class InvalidCursor(ValueError):
    pass


@dataclass
class Page:
    items: list
    next_cursor: str | None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _encode_value(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value):
    if isinstance(value, dict) and "dt" in value:
        parsed = parse_datetime(value["dt"])
        if parsed is None:
            raise InvalidCursor("bad datetime in cursor")
        return parsed
    return value


def encode_cursor(values) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, expected_len: int) -> list:
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("unreadable cursor") from exc
    if not isinstance(values, list) or len(values) != expected_len:
        raise InvalidCursor("cursor does not match this list")
    return [_decode_value(v) for v in values]


def _field_value(obj, field):
    value = obj
    for part in field.split("__"):
        value = getattr(value, part)
    return value


def keyset_filter(ordering, values) -> Q:
    """Rows strictly after `values` in `ordering` (a tuple of '-field' / 'field')."""
    condition = Q()
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        clause = Q(**{f"{name}__{op}": values[i]})
        for j in range(i):
            clause &= Q(**{ordering[j].lstrip("-"): values[j]})
        condition |= clause
    return condition


def total_ordering(ordering) -> tuple:
    """`ordering` ending with the id, so that no two rows tie (a cursor names one place)."""
    ordering = tuple(ordering)
    if ordering[-1].lstrip("-") not in ("id", "pk"):
        ordering = (*ordering, "-id" if ordering[-1].startswith("-") else "id")
    return ordering


def paginate(queryset, *, ordering=("-created_at", "-id"), cursor: str | None = None, size: int = 20) -> Page:
    ordering = total_ordering(ordering)
    qs = queryset.order_by(*ordering)
    if cursor:
        try:  # values of the wrong type (a hand-made cursor) fail here, when the filter is built
            qs = qs.filter(keyset_filter(ordering, decode_cursor(cursor, len(ordering))))
        except (DjangoValidationError, TypeError, ValueError) as exc:
            raise InvalidCursor("cursor does not match this list") from exc
    return page_of(list(qs[: size + 1]), ordering=ordering, size=size)


def page_of(rows, *, ordering, size) -> Page:
    """The page from the first `size + 1` rows in `ordering` (total_ordering) after the cursor:
    for a caller that ran the query itself (a precompiled first page)."""
    items = rows[:size]
    next_cursor = None
    if len(rows) > size:
        last = items[-1]
        next_cursor = encode_cursor([_field_value(last, f.lstrip("-")) for f in ordering])
    return Page(items=items, next_cursor=next_cursor)
