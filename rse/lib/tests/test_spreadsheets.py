import io

import openpyxl

from rse.lib.spreadsheets import safe_cell, safe_title, write_csv, write_xlsx

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
