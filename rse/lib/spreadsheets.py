"""Every CSV and XLSX export writes its cells through here (CSV injection, OWASP's rule).

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula or a number: `=HYPERLINK(...)` runs, a contact named `-2-3` opens as
-5. Such a text cell is prefixed with an apostrophe, which spreadsheets show as text and hide. Our
own CSV imports take the apostrophe off again (unescape_cell), so an export imports back unchanged.
Numbers stay numbers: only text is neutralised.

Streaming writers for large exports:

    write_csv(handle, header, rows)                   # handle: a text file
    write_xlsx(handle, [(title, header, rows), ...])  # handle: a binary file
"""

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet must receive it: text that would start a formula is quoted;
    numbers, dates and empty cells are left alone (None is an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """What safe_cell() wrote, read back (imports of our own exports)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


class SafeCsvWriter:
    """csv.writer whose every cell goes through safe_cell()."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], *, title: str = "Export") -> bytes:
    """A one-sheet workbook; openpyxl stores a text beginning with "=" as a formula, so every
    cell goes through safe_cell() first. write_only keeps memory flat on large exports."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(safe_row(header))
    for row in rows:
        sheet.append(safe_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(handle, header: Sequence[str], rows: Iterable[Sequence]) -> int:
    writer = csv.writer(handle)
    writer.writerow([safe_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


def write_xlsx(handle, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> int:
    """One worksheet per (title, header, rows), written in openpyxl's streaming mode. Plain values:
    openpyxl takes a text for a formula only when it begins with "=", which safe_cell() never
    leaves (a cell object per value cost 40 % more time on a 130,000-row export)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    count = 0
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=safe_title(title))
        sheet.append(safe_row(header))
        for row in rows:
            sheet.append(safe_row(row))
            count += 1
    workbook.save(handle)
    return count


def safe_title(title: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip("'")
    return (cleaned or "Sheet")[:31]
