"""Writing tables people open in a spreadsheet (CSV, XLSX), formula-safe.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
spreadsheet programs (CSV injection): a group name from HR data such as `=HYPERLINK(...)` would
run when the analyst opens the file. Every text cell goes through `safe_cell()`, which puts a
leading apostrophe before it; in XLSX the cell is also stored as text, never as a formula.
Numbers are written as numbers (a negative number is a number, not a formula).

    write_csv(handle, header, rows)                 # handle: a text file
    write_xlsx(handle, [(title, header, rows), ...])  # handle: a binary file
"""

import csv
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as it may be written to a CSV or XLSX cell: text that a spreadsheet would read as
    a formula gets a leading apostrophe; numbers, dates and empty cells are left alone."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(handle, header: Sequence[str], rows: Iterable[Sequence]) -> int:
    writer = csv.writer(handle)
    writer.writerow([safe_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


def write_xlsx(handle, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> int:
    """One worksheet per (title, header, rows), written in openpyxl's streaming mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    count = 0
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=safe_title(title))

        def cells(values, sheet=sheet):
            out = []
            for value in values:
                value = safe_cell(value)
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text, even if openpyxl took it for a formula
                out.append(cell)
            return out

        sheet.append(cells(header))
        for row in rows:
            sheet.append(cells(row))
            count += 1
    workbook.save(handle)
    return count


def safe_title(title: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title).strip("'")
    return (cleaned or "Sheet")[:31]
