"""CSV injection (issue 14): one helper neutralises every exported cell, and every export uses it."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from openpyxl import load_workbook

from rse.lib.spreadsheets import csv_text, safe_cell, safe_title, unescape_cell, write_csv, write_xlsx, xlsx_bytes

HOSTILE = ["=1+1", "+33 6 11", "-2-3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil")']


@pytest.mark.parametrize("value", HOSTILE)
def test_every_cell_that_a_spreadsheet_would_compute_is_quoted_and_reads_back(value):
    assert safe_cell(value) == "'" + value
    assert unescape_cell(safe_cell(value)) == value


@pytest.mark.parametrize("value", ["Ada", "", "2-3", "a=b", "'quoted", 42, -5, 1.5])
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
        if (
            relative.startswith((".venv/", "var/", "staticfiles/", "tests/"))
            or "/tests/" in relative
            or "/." in relative
        ):
            continue
        if relative in NOT_EXPORTS or relative == "rse/lib/spreadsheets.py":
            continue
        if WRITERS.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == [], "write CSV/XLSX exports with rse.lib.spreadsheets (csv_text, SafeCsvWriter, xlsx_bytes)"


DANGEROUS = ["=1+1", "+33 6 12", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil")']


def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe():
    assert [safe_cell(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    assert [safe_cell(v) for v in ["Sales", "", None, 3, -2, 1.5]] == ["Sales", "", "", 3, -2, 1.5]


def test_csv_is_neutralised():
    out = io.StringIO()
    write_csv(out, ["group", "n"], [[v, -1] for v in DANGEROUS])
    lines = out.getvalue().splitlines()
    assert lines[1] == "'=1+1,-1"


def test_xlsx_cells_are_text_and_numbers_stay_numbers():
    out = io.BytesIO()
    write_xlsx(out, [("a/b:c", ["group", "n"], [[v, 7] for v in DANGEROUS])])
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == "a_b_c"
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[0].value.startswith("'")
        assert row[1].value == 7


def test_sheet_titles_are_cut_to_what_excel_accepts():
    assert len(safe_title("x" * 40)) == 31 and safe_title("") == "Sheet"
