"""CSV and XLSX downloads: what a spreadsheet opens, and no formula slipped in by a user."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tracker.exports import csv_response, neutralise, table_response, xlsx_response

HEADER = ["Company", "Employees", "Amount (EUR)", "Since"]
DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@x", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Acier Wiltz S.A.", "", "a=b", " =1", "'quoted", 42, -2, Decimal("-3.50"), None]
)
def test_everything_else_is_left_as_it_is(value):
    assert neutralise(value) == value


def _csv_rows(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_is_utf8_with_bom_and_a_download(app):
    with app.test_request_context():
        response = csv_response(
            "pipeline-board.csv",
            HEADER,
            [["Sûre Lëtzebuerg S.à r.l.", 12, Decimal("120000.50"), date(2026, 3, 31)]],
        )
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=pipeline-board.csv"
    assert _csv_rows(response) == [
        HEADER,
        ["Sûre Lëtzebuerg S.à r.l.", "12", "120000.50", "2026-03-31"],
    ]


def test_csv_neutralises_every_text_cell_and_keeps_numbers(app):
    rows = [[name, -2, Decimal("-1.00"), None] for name in DANGEROUS]
    with app.test_request_context():
        response = csv_response("x.csv", ["=Header", *HEADER[1:]], rows)
    header, *body = _csv_rows(response)
    assert header[0] == "'=Header"
    assert [row[0] for row in body] == ["'" + name for name in DANGEROUS]
    assert body[0][1:] == ["-2", "-1.00", ""]


def _sheet(response):
    return load_workbook(io.BytesIO(response.get_data())).worksheets[0]


def test_xlsx_has_a_bold_header_sized_columns_and_typed_cells(app):
    rows = [
        ["Betzdorf Orbital Systems S.A.", 260, Decimal("1500000.00"), date(2026, 3, 31)],
        ["Ardennes Bois", None, None, None],
    ]
    with app.test_request_context():
        response = xlsx_response("pipeline-funnel.xlsx", HEADER, rows)
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == "attachment; filename=pipeline-funnel.xlsx"
    sheet = _sheet(response)
    assert sheet.title == "pipeline-funnel"
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert [cell.value for cell in sheet[2]][:3] == ["Betzdorf Orbital Systems S.A.", 260, 1500000]
    assert sheet["D2"].value.date() == date(2026, 3, 31)
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["C2"].number_format == "#,##0.00"
    assert [cell.value for cell in sheet[3]] == ["Ardennes Bois", None, None, None]
    assert sheet.column_dimensions["A"].width == len("Betzdorf Orbital Systems S.A.") + 2
    assert sheet.column_dimensions["B"].width == len("Employees") + 2


def test_xlsx_stores_formula_like_text_as_neutralised_text(app):
    with app.test_request_context():
        response = xlsx_response("x.xlsx", ["Company"], [[name] for name in DANGEROUS])
    sheet = _sheet(response)
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # XML reads a carriage return back as a line feed; the apostrophe stays in front.
    expected = ["'" + name.replace("\r", "\n") for name in DANGEROUS]
    assert [cell.value for cell in cells] == expected
    assert all(cell.data_type == "s" for cell in cells), "no cell may be a formula"


def test_xlsx_drops_control_characters_and_time_zones(app):
    moment = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    with app.test_request_context():
        response = xlsx_response("x.xlsx", ["Note", "At"], [["bell\x07 and\x1b escape", moment]])
    sheet = _sheet(response)
    assert sheet["A2"].value == "bell and escape"
    assert sheet["B2"].value == datetime(2026, 4, 1, 0, 30)  # Luxembourg summer time


def test_table_response_picks_the_format_and_refuses_others(app):
    with app.test_request_context():
        assert table_response("csv", "t", ["A"], [["1"]]).mimetype == "text/csv"
        assert (
            table_response("xlsx", "t", ["A"], []).headers["Content-Disposition"].endswith("t.xlsx")
        )
        with pytest.raises(ValueError, match="csv, xlsx"):
            table_response("pdf", "t", ["A"], [])


def test_a_non_ascii_file_name_is_offered_in_both_forms(app):
    with app.test_request_context():
        response = csv_response("lëtzebuerg.csv", ["A"], [])
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''l%C3%ABtzebuerg.csv" in disposition
