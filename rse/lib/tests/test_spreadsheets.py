"""CSV injection (issue 14): one helper neutralises every exported cell, and every export uses it."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

from rse.lib.spreadsheets import csv_text, safe_cell, unescape_cell, xlsx_bytes

HOSTILE = ["=1+1", "+33 6 11", "-2-3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil")']


@pytest.mark.parametrize("value", HOSTILE)
def test_every_cell_that_a_spreadsheet_would_compute_is_quoted_and_reads_back(value):
    assert safe_cell(value) == "'" + value
    assert unescape_cell(safe_cell(value)) == value


@pytest.mark.parametrize("value", ["Ada", "", "2-3", "a=b", "'quoted", 42, -5, 1.5, None])
def test_other_cells_and_numbers_are_left_alone(value):
    assert safe_cell(value) == value
    if isinstance(value, str):
        assert unescape_cell(value) == value


def test_csv_text_quotes_header_and_cells():
    text = csv_text(["name", "-score"], [["-2-3", 7], ["Ada", "=1"]])
    assert text.splitlines() == ["name,'-score", "'-2-3,7", "Ada,'=1"]


def test_xlsx_cells_are_text_never_formulas():
    workbook = load_workbook(io.BytesIO(xlsx_bytes(["name", "n"], [["=1+1", 3], ["-2-3", -4]])))
    sheet = workbook.active
    assert [c.value for c in sheet[2]] == ["'=1+1", 3] and [c.value for c in sheet[3]] == ["'-2-3", -4]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


# Modules that write CSV that is not an export a person opens (benchmark input files).
NOT_EXPORTS = {"directory/bench.py"}
WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|openpyxl|xlsxwriter")


def test_every_csv_and_xlsx_export_goes_through_the_shared_helper():
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "var/", "staticfiles/")) or "/tests/" in relative or "/." in relative:
            continue
        if relative in NOT_EXPORTS or relative == "rse/lib/spreadsheets.py":
            continue
        if WRITERS.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == [], "write CSV/XLSX exports with rse.lib.spreadsheets (csv_text, SafeCsvWriter, xlsx_bytes)"
