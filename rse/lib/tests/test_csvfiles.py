from rse.lib.csvfiles import read_table


def lines(text):
    return text.split("\n")


def test_an_unclosed_quote_costs_its_line_only():
    header, rows = read_table(
        lines('name,email\nAnn,a@x.example\n"Unclosed,b@x.example\nCid,c@x.example\nDon,d@x.example')
    )
    assert header == ["name", "email"]
    assert [(r.line, r.cells) for r in rows if not r.error] == [
        (2, ["Ann", "a@x.example"]), (4, ["Cid", "c@x.example"]), (5, ["Don", "d@x.example"]),
    ]  # fmt: skip
    (broken,) = [r for r in rows if r.error]
    assert broken.line == 3 and "never closed" in broken.error


def test_quoted_line_breaks_blank_rows_semicolons_and_line_numbers():
    text = 'nom;notes\n\n"Ann";"two\nlines"\n;\nBob;"say ""hi"""'
    header, rows = read_table(lines(text), first_line=4)  # e.g. after a preamble of 3 lines
    assert header == ["nom", "notes"]
    assert [(r.line, r.last_line, r.cells) for r in rows] == [
        (6, 7, ["Ann", "two\nlines"]), (9, 9, ["Bob", 'say "hi"']),
    ]  # fmt: skip


def test_junk_after_a_closing_quote_is_reported_and_reading_goes_on():
    header, rows = read_table(lines('a,b\n"x"y,1\n2,3'))
    assert rows[0].line == 2 and rows[0].error and rows[0].cells == []
    assert rows[1].cells == ["2", "3"]


def test_no_header():
    assert read_table([""]) == (None, [])
    assert read_table([]) == (None, [])


def test_a_file_of_broken_lines_is_refused_early_not_read_for_minutes():
    import pytest

    from rse.lib.csvfiles import MAX_UNREADABLE, Unreadable

    with pytest.raises(Unreadable, match="line 2"):
        read_table(["a,b"] + ['"broken,1'] * 60_000)
    header, rows = read_table(["a,b"] + ['"broken,1'] * MAX_UNREADABLE)
    assert len(rows) == MAX_UNREADABLE and all(r.error for r in rows)
