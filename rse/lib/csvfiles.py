"""Reading uploaded CSV files the same way in every import (contacts, HR, repository items).

`read_table(lines)` gives the header cells and, for each data row, its line numbers and its
cells, or the reason it cannot be read. The reader is strict: a quote opened and never closed is
that line's error, and reading goes on from the next line. (Python's lenient reader makes one
field of everything up to the end of the file: the rows after it were silently lost.)
"""

import csv
import itertools
import re
from collections.abc import Iterable
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rse.lib.spreadsheets import unescape_cell
from rse.lib.text import normalize

DELIMITERS = ",;\t"
MAX_UNREADABLE = 100  # more broken lines than that is not a file to import line by line


class Unreadable(ValueError):
    """Too many lines cannot be read: the file as a whole is refused (the message says so)."""


class Row(NamedTuple):
    line: int  # where the row starts in the file (1-based)
    last_line: int  # where it ends (a quoted cell may hold line breaks)
    cells: list[str]
    error: str = ""  # set when the row cannot be read; cells is then empty


def sniff_delimiter(header_line: str) -> str:
    try:
        return csv.Sniffer().sniff(header_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _reason(exc: csv.Error) -> str:
    if "unexpected end of data" in str(exc):
        return _('unreadable line: a quote (") is opened and never closed')
    return _("unreadable line: %(error)s") % {"error": exc}


def read_table(lines: list[str], *, first_line: int = 1) -> tuple[list[str] | None, list[Row]]:
    """`lines`: the file's lines from its header on (no line breaks); `first_line`: the header's
    line number in the file. Returns (header cells, or None when there is none; data rows),
    blank rows left out."""
    if not lines or not lines[0].strip():
        return None, []
    delimiter = sniff_delimiter(lines[0])

    def reader_from(index):
        # Over the remaining lines as they are (no copy): a file of many broken lines stays linear.
        return csv.reader(
            (line + "\n" for line in itertools.islice(lines, index, None)), delimiter=delimiter, strict=True
        )

    header, rows, errors = None, [], []
    offset, consumed = 0, 0  # the current reader starts at lines[offset]; it has read `consumed` lines
    reader = reader_from(0)
    while True:
        start = offset + consumed
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if header is None:
                return None, []
            rows.append(Row(first_line + start, first_line + start, [], _reason(exc)))
            errors.append(rows[-1])
            if len(errors) > MAX_UNREADABLE:
                raise Unreadable(
                    _("More than %(n)d lines cannot be read (the first is line %(line)d: %(reason)s). "
                      "Is it a CSV file?") % {"n": MAX_UNREADABLE, "line": errors[0].line, "reason": errors[0].error}
                ) from exc  # fmt: skip
            offset, consumed = start + 1, 0
            reader = reader_from(offset)
            continue
        consumed = reader.line_num
        if header is None:
            header = cells
        elif any(c.strip() for c in cells):
            rows.append(Row(first_line + start, first_line + offset + consumed - 1, cells))
    return header, rows


# --- Naming the columns -----------------------------------------------------------------------


def header_key(value: str) -> str:
    """A column name as compared: without accents, case, `_`, `-`, `.` or repeated spaces
    ("Org_Unit", "ORG UNIT" and "org-unit" are one name)."""
    return re.sub(r"[\s_\-.]+", " ", normalize(value or "")).strip()


class Columns:
    """The fields an import reads, each with the names files give its column, compared by
    header_key(): `Columns({"org_unit_path": ["org unit", "department", "service"]})`.

    `prefixes`: names that may be followed by more words ("email 2", "phone 1 value"): every
    such column feeds the field. `multi`: fields whose several columns are joined with "; "
    (e-mails, phones); for the others the first non-empty column wins. A column no field claims
    is ignored, and said so (ignored_warning)."""

    def __init__(self, names: dict[str, Iterable[str]], *, prefixes: dict[str, Iterable[str]] | None = None,
                 multi: Iterable[str] = ()):  # fmt: skip
        self.exact = {}
        for field, aliases in names.items():
            for alias in (field, *aliases):
                self.exact.setdefault(header_key(alias), field)
        self.prefixes = [(header_key(p), field) for field, ps in (prefixes or {}).items() for p in ps]
        self.multi = set(multi)

    def field_for(self, column: str) -> str | None:
        key = header_key(column)
        if key in self.exact:
            return self.exact[key]
        for prefix, field in self.prefixes:
            if key == prefix or key.startswith(prefix + " "):
                return field
        return None

    def resolve(self, header: list[str]) -> tuple[list[str | None], list[str]]:
        """(the field of each column, None for an ignored one; the names of the ignored columns)."""
        fields = [self.field_for(column) for column in header]
        ignored = [c.strip() for c, f in zip(header, fields, strict=True) if f is None and c.strip()]
        return fields, ignored

    def row(self, fields: list[str | None], cells: list[str]) -> dict:
        """{field: value} of one data row; every field present, "" when empty."""
        row = dict.fromkeys((f for f in fields if f), "")
        for field, cell in zip(fields, cells, strict=False):
            value = unescape_cell(cell.strip())  # our own exports quote what looks like a formula
            if not field or not value:
                continue
            if field in self.multi and row[field]:
                row[field] = f"{row[field]}; {value}"
            elif not row[field]:
                row[field] = value
        return row


def ignored_warning(ignored: list[str]) -> str | None:
    """The preview's warning for the columns no field reads (never ignore data silently)."""
    if not ignored:
        return None
    return ngettext(
        "Column ignored (this import does not know it): %(columns)s.",
        "Columns ignored (this import does not know them): %(columns)s.",
        len(ignored),
    ) % {"columns": ", ".join(f"“{c}”" for c in ignored)}
